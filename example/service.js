const http = require('node:http');

/**
 * The example's "third party": a small HTTP service on 127.0.0.1.
 *   GET /orders/:id     200 with the order
 *   GET /inventory/:sku 500 on the first request for a sku, 200 after (a flaky dependency)
 *   GET /insights       200 once, then 429 "Rate Exceeded" (a rate-limited dependency)
 *   GET /recommendations 503 about 40% of the time at random, else 200 (a randomly flaky dependency; the env var
 *                        DEMO_SEED makes its answers the same from one run to the next)
 */
function startService() {
  const seenSkus = new Set();
  let insightCalls = 0;
  const random = seededRandom(process.env.DEMO_SEED);
  const server = http.createServer((request, response) => {
    const url = new URL(request.url, 'http://localhost');
    const send = (status, body) => {
      response.writeHead(status, {'content-type': 'application/json'});
      response.end(JSON.stringify(body));
    };
    const [, resource, id] = url.pathname.split('/');
    if (resource === 'orders') return send(200, {id, items: [{sku: 'tea', quantity: 2}], total: 12.5});
    if (resource === 'inventory') {
      if (!seenSkus.has(id)) {
        seenSkus.add(id);
        return send(500, {error: 'inventory backend timed out'});
      }
      return send(200, {sku: id, available: 40});
    }
    if (resource === 'insights') {
      insightCalls += 1;
      if (insightCalls > 1) return send(429, {error: 'Rate Exceeded'});
      return send(200, {trend: 'up'});
    }
    if (resource === 'recommendations') {
      if (random() < 0.4) return send(503, {error: 'Service Unavailable'});
      return send(200, {items: ['sencha', 'darjeeling']});
    }
    return send(404, {error: 'not found'});
  });
  return new Promise(resolve => {
    server.listen(0, '127.0.0.1', () => {
      resolve({
        url: `http://127.0.0.1:${server.address().port}`,
        close: () => {
          server.closeAllConnections();
          return new Promise(done => server.close(done));
        },
      });
    });
  });
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

/** fetch with one retry on 5xx, as many API clients do. */
async function fetchWithRetry(url, attempts = 2) {
  let response;
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    response = await fetch(url);
    if (response.status < 500) return response;
    await response.arrayBuffer();
  }
  return response;
}

module.exports = {startService, fetchWithRetry};
