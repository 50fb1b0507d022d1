/*
 * A third party the shop calls: someone else's API, so it sends no spans; what the report shows of it is the shop's
 * call and its answer.
 *   GET /v2/trends?period=…  200 for the first request, then 429 "Rate Exceeded" (a quota of one request)
 */
const http = require('node:http');
const {listen, send} = require('./listen');

let requests = 0;

const server = http.createServer((request, response) => {
  const url = new URL(request.url, 'http://localhost');
  if (url.pathname !== '/v2/trends') return send(response, 404, {error: 'not found'});
  requests += 1;
  if (requests > 1) return send(response, 429, {error: 'Rate Exceeded'}, {'retry-after': '3600'});
  send(response, 200, {period: url.searchParams.get('period'), trend: 'up'});
});
listen(server);
