/*
 * The shop's own downstream service, traced like the shop (started with `--require ./tracing.js`).
 *   GET /stock/:sku  500 on the first request for a sku (its database timed out), 200 with the stock after
 */
const http = require('node:http');
const {trace, SpanStatusCode} = require('@opentelemetry/api');
const {listen, send} = require('./listen');

const tracer = trace.getTracer('inventory');
const seenSkus = new Set();

const server = http.createServer((request, response) => {
  const [, resource, sku] = new URL(request.url, 'http://localhost').pathname.split('/');
  if (resource !== 'stock' || !sku) return send(response, 404, {error: 'not found'});
  tracer.startActiveSpan('SELECT stock', {attributes: {'db.system.name': 'postgresql', 'db.operation.name': 'SELECT', 'db.collection.name': 'stock'}}, span => {
    const first = !seenSkus.has(sku);
    seenSkus.add(sku);
    if (first) span.setStatus({code: SpanStatusCode.ERROR, message: 'canceling statement due to statement timeout'});
    span.end();
    if (first) send(response, 500, {error: 'inventory database timed out'});
    else send(response, 200, {sku, available: 40});
  });
});
listen(server);
