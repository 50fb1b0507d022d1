/*
 * The service under test: a small shop API, traced by OpenTelemetry (started with `--require ./tracing.js`). It calls
 * its inventory service (INVENTORY_URL), retrying once when it answers 5xx, and a third party's trends API
 * (TRENDS_URL), which is rate-limited.
 *   GET /orders/:id          200 with the order
 *   GET /orders/:id/receipt  404 on the first request for an order (the receipt is not rendered yet), 200 after
 *   GET /stock/:sku          the inventory's answer: it fails once (500), the shop retries, 200
 *   GET /insights?period=…   the trends API's answer: 200 once, then 429 Rate Exceeded, passed on as it came
 *   GET /recommendations     503 about 40% of the time at random, else 200 (DEMO_SEED makes the answers the same from
 *                            one run to the next)
 */
const http = require('node:http');
const {listen, send} = require('./listen');

const {INVENTORY_URL, TRENDS_URL} = process.env;
const random = seededRandom(process.env.DEMO_SEED);
const receiptsRendered = new Set();

const server = http.createServer((request, response) => {
  handle(request, response).catch(error => send(response, 502, {error: String(error?.message ?? error)}));
});

async function handle(request, response) {
  const url = new URL(request.url, 'http://localhost');
  const [, resource, id, detail] = url.pathname.split('/');
  if (resource === 'orders' && detail === 'receipt') {
    if (!receiptsRendered.has(id)) {
      receiptsRendered.add(id);
      return send(response, 404, {error: 'receipt not rendered yet'});
    }
    return send(response, 200, {order: id, receipt: `receipt-${id}.pdf`});
  }
  if (resource === 'orders' && id) return send(response, 200, {id, items: [{sku: 'tea', quantity: 2}], total: 12.5});
  if (resource === 'stock' && id) return pass(response, await fetchWithRetry(`${INVENTORY_URL}/stock/${encodeURIComponent(id)}`));
  if (resource === 'insights') return pass(response, await fetch(`${TRENDS_URL}/v2/trends?period=${encodeURIComponent(url.searchParams.get('period') ?? 'week')}`));
  if (resource === 'recommendations') {
    if (random() < 0.4) return send(response, 503, {error: 'Service Unavailable'});
    return send(response, 200, {items: ['sencha', 'darjeeling']});
  }
  send(response, 404, {error: 'not found'});
}

/** fetch with one retry on 5xx after a short pause, as many API clients do. */
async function fetchWithRetry(target, attempts = 2) {
  for (let attempt = 1; ; attempt += 1) {
    const answer = await fetch(target);
    if (answer.status < 500 || attempt === attempts) return answer;
    await answer.arrayBuffer();
    await new Promise(resolve => setTimeout(resolve, 20));
  }
}

/** Answers with a downstream service's status and JSON body. */
async function pass(response, answer) {
  send(response, answer.status, await answer.json());
}

/** Math.random, or with a seed a small deterministic generator: an FNV-1a hash of the seed, then a linear congruential sequence. */
function seededRandom(seed) {
  if (!seed) return Math.random;
  let state = 0x811c9dc5;
  for (const char of seed) state = Math.imul(state ^ char.charCodeAt(0), 0x01000193) >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
}

listen(server);
