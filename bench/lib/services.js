'use strict';

const http = require('node:http');
const net = require('node:net');

/*
 * What the benchmark runs on 127.0.0.1: the service the generated tests call, a minimal OTLP/HTTP receiver (200 to
 * POST /v1/traces, counting requests and bytes), and a port with nothing behind it (the collector that is down).
 */

function listen(server) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${server.address().port}`));
  });
}

function close(server) {
  server.closeAllConnections?.();
  return new Promise(resolve => server.close(() => resolve()));
}

/** GET /items/<n> → a small JSON document about item n. */
async function startService() {
  const server = http.createServer((request, response) => {
    const match = /^\/items\/(\d+)$/.exec(request.url ?? '');
    if (request.method !== 'GET' || !match) {
      response.writeHead(404).end();
      return;
    }
    const id = Number(match[1]);
    const body = JSON.stringify({id, name: `item ${id}`, tags: ['a', 'b', 'c'], price: (id % 97) + 0.99});
    response.writeHead(200, {'content-type': 'application/json', 'content-length': Buffer.byteLength(body)});
    response.end(body);
  });
  server.keepAliveTimeout = 60_000;
  const url = await listen(server);
  return {url, close: () => close(server)};
}

/** The OTLP/HTTP receiver: counts what it gets; `take()` returns the counts since the last call and resets them. */
async function startReceiver() {
  let counts = {requests: 0, bytes: 0};
  const server = http.createServer((request, response) => {
    let bytes = 0;
    request.on('data', chunk => (bytes += chunk.length));
    request.on('end', () => {
      if (request.method === 'POST' && request.url === '/v1/traces') {
        counts.requests += 1;
        counts.bytes += bytes;
        response.writeHead(200, {'content-type': 'application/x-protobuf', 'content-length': 0}).end();
      } else {
        response.writeHead(404).end();
      }
    });
  });
  const url = await listen(server);
  return {
    url,
    take() {
      const taken = counts;
      counts = {requests: 0, bytes: 0};
      return taken;
    },
    close: () => close(server),
  };
}

/** A loopback URL whose port was just free and is closed again: connecting to it is refused. */
async function closedPortUrl() {
  const server = net.createServer();
  const url = await listen(server);
  await new Promise(resolve => server.close(resolve));
  return url;
}

module.exports = {startService, startReceiver, closedPortUrl};
