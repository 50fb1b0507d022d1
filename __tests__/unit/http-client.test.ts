import http from 'node:http';
import type {AddressInfo} from 'node:net';
import {ROOT_CONTEXT, context, propagation, trace} from '@opentelemetry/api';
import {W3CTraceContextPropagator, suppressTracing} from '@opentelemetry/core';
import {contextManager} from '../../src/pipeline/context-manager';
import {traceHttpClient} from '../../src/pipeline/http-client';
import {httpPayloadHooks} from '../../src/pipeline/payloads';
import {memoryTracing} from './tracing';

/*
 * The node:http client tracer on real requests to a server on 127.0.0.1, spans kept in memory. The e2e core fixture
 * covers refusals, aborts, raw headers, upgrades and timing inside Jest; this covers the rest of its contract.
 */

const tracing = memoryTracing();
let server: http.Server;
let base: string;
let stopTracing: () => void;
const seen: Array<{url: string; traceparent: string | undefined}> = [];

beforeAll(async () => {
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  stopTracing = traceHttpClient(tracing.tracer, {requestHeaders: ['X-Request-Id'], responseHeaders: ['content-type', 'x-many'], hooks: httpPayloadHooks(64)});
  server = http.createServer((request, response) => {
    seen.push({url: request.url ?? '', traceparent: request.headers.traceparent as string | undefined});
    if (request.url?.startsWith('/hold')) return; // never answered: the client gives up
    if (request.url?.startsWith('/missing')) {
      response.writeHead(404, {'content-type': 'text/plain'}).end('no such thing');
      return;
    }
    response.setHeader('x-many', ['one', 'two']);
    response.writeHead(200, {'content-type': 'application/json'}).end('{"ok":true}');
  });
  server.on('upgrade', (request, socket) => {
    seen.push({url: request.url ?? '', traceparent: request.headers.traceparent as string | undefined});
    socket.end('HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\nContent-Type: text/plain\r\n\r\n');
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  stopTracing();
  server.closeAllConnections();
  await new Promise(resolve => server.close(resolve));
  context.disable();
  propagation.disable();
});

beforeEach(() => {
  tracing.exporter.reset();
  seen.length = 0;
});

function call(path: string, options: http.RequestOptions = {}, body?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = http.request(`${base}${path}`, options, response => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', chunk => (text += chunk));
      response.on('end', () => resolve(text));
    });
    request.on('error', reject);
    request.setHeader('x-request-id', 'req-7');
    request.end(body);
  });
}

test('a request in a span: a CLIENT child with the URL, the status, captured headers and bodies, and its traceparent sent', async () => {
  const parent = tracing.tracer.startSpan('test');
  await context.with(trace.setSpan(ROOT_CONTEXT, parent), () =>
    call('/items?page=2', {method: 'POST', headers: {'content-type': 'application/json'}}, '{"q":1}'),
  );
  parent.end();
  const [client] = tracing.spans().filter(span => span.name === 'POST');
  expect(client.kind).toBe(2);
  expect(client.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
  expect(client.attributes).toMatchObject({
    'http.request.method': 'POST',
    'url.full': `${base}/items?page=2`,
    'server.address': '127.0.0.1',
    'server.port': Number(new URL(base).port),
    'http.response.status_code': 200,
    'network.protocol.version': '1.1',
    'http.request.header.x-request-id': ['req-7'],
    'http.response.header.content-type': ['application/json'],
    // As Node reads them: repeated headers joined (set-cookie, which it keeps apart, is never recorded).
    'http.response.header.x-many': ['one, two'],
    'http.request.body.content': '{"q":1}',
    'http.response.body.content': '{"ok":true}',
  });
  expect(client.status.code).toBe(0);
  expect(seen[0].traceparent).toBe(`00-${client.spanContext().traceId}-${client.spanContext().spanId}-01`);
});

test('listeners run in the caller’s context, also for requests an agent queues for a socket: nothing needs binding', async () => {
  const agent = new http.Agent({keepAlive: true, maxSockets: 1});
  try {
    const names = ['first', 'second', 'third'];
    const callers = names.map(name => tracing.tracer.startSpan(name));
    await Promise.all(
      callers.map((caller, index) =>
        context.with(trace.setSpan(ROOT_CONTEXT, caller), () =>
          new Promise<void>((resolve, reject) => {
            http
              .get(`${base}/queued`, {agent}, response => {
                tracing.tracer.startSpan(`in the response of ${names[index]}`).end();
                response.resume();
                response.on('end', () => resolve());
              })
              .on('error', reject);
          }),
        ),
      ),
    );
    callers.forEach((caller, index) => {
      caller.end();
      const inResponse = tracing.spans().find(span => span.name === `in the response of ${names[index]}`);
      expect(inResponse?.parentSpanContext?.spanId).toBe(caller.spanContext().spanId);
    });
    expect(tracing.spans().filter(span => span.name === 'GET')).toHaveLength(3);
  } finally {
    agent.destroy();
  }
});

test('a 4xx answer is an ERROR span whose error.type is the status', async () => {
  expect(await call('/missing')).toBe('no such thing');
  const [client] = tracing.spans();
  expect(client.attributes).toMatchObject({'http.response.status_code': 404, 'error.type': '404'});
  expect(client.status.code).toBe(2);
});

test('after unsubscribing, requests are not traced', async () => {
  stopTracing();
  try {
    await call('/after');
    expect(tracing.spans()).toEqual([]);
    expect(seen[0].traceparent).toBeUndefined();
  } finally {
    stopTracing = traceHttpClient(tracing.tracer, {requestHeaders: [], responseHeaders: []});
  }
});

test('with tracing suppressed (the exporter’s own requests), no span and no traceparent', async () => {
  await context.with(suppressTracing(ROOT_CONTEXT), () => call('/quiet'));
  expect(tracing.spans()).toEqual([]);
  expect(seen).toEqual([{url: '/quiet', traceparent: undefined}]);
});

test('a Host header naming another host (a proxy passing on its caller’s) is no address: the span names where the request went', async () => {
  const port = Number(new URL(base).port);
  await call('/through', {headers: {host: 'foobar.dev'}});
  const [client] = tracing.spans();
  expect(client.attributes).toMatchObject({'url.full': `${base}/through`, 'server.address': '127.0.0.1', 'server.port': port, 'network.peer.port': port});
  expect(client.attributes['http.request.header.host']).toBeUndefined();
});

test('the Host header is recorded as a header when it is allowlisted', async () => {
  stopTracing();
  stopTracing = traceHttpClient(tracing.tracer, {requestHeaders: ['host'], responseHeaders: []});
  try {
    await call('/through', {headers: {host: 'foobar.dev'}});
    const [client] = tracing.spans();
    expect(client.attributes).toMatchObject({'url.full': `${base}/through`, 'http.request.header.host': ['foobar.dev']});
  } finally {
    stopTracing();
    stopTracing = traceHttpClient(tracing.tracer, {requestHeaders: ['X-Request-Id'], responseHeaders: ['content-type', 'x-many'], hooks: httpPayloadHooks(64)});
  }
});

test('a refused request with a foreign Host header names the port it tried', async () => {
  const closed = http.createServer();
  await new Promise<void>(resolve => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise(resolve => closed.close(resolve));
  const error = await new Promise<NodeJS.ErrnoException>(resolve => http.get({host: '127.0.0.1', port, path: '/gone', headers: {host: 'foobar.dev'}}).on('error', resolve));
  expect(error.code).toBe('ECONNREFUSED');
  const [client] = tracing.spans();
  expect(client.attributes).toMatchObject({'url.full': `http://127.0.0.1:${port}/gone`, 'server.port': port, 'error.type': 'ECONNREFUSED'});
});

test('an upgrade (WebSocket…) is answered by its 101: status, protocol, peer and headers recorded, no error, the span ended', async () => {
  const port = Number(new URL(base).port);
  const request = http.request(`${base}/socket`, {headers: {connection: 'Upgrade', upgrade: 'echo'}});
  const upgraded = new Promise<number | undefined>(resolve =>
    request.on('upgrade', (response: http.IncomingMessage, socket) => {
      socket.destroy();
      resolve(response.statusCode);
    }),
  );
  request.end();
  expect(await upgraded).toBe(101);
  const [client] = tracing.spans();
  expect(client.ended).toBe(true);
  expect(client.attributes).toMatchObject({
    'url.full': `${base}/socket`,
    'http.response.status_code': 101,
    'network.protocol.version': '1.1',
    'network.peer.address': '127.0.0.1',
    'network.peer.port': port,
    'http.response.header.content-type': ['text/plain'],
  });
  expect(client.attributes['error.type']).toBeUndefined();
  expect(client.status.code).toBe(0);
});

test('a request with a foreign Host header cut before its answer names the port it was connected to', async () => {
  const port = Number(new URL(base).port);
  const request = http.get(`${base}/hold`, {headers: {host: 'foobar.dev'}});
  request.on('error', () => {});
  await new Promise(resolve => request.on('socket', socket => socket.once('connect', resolve)));
  await new Promise(resolve => setImmediate(resolve));
  const closed = new Promise(resolve => request.once('close', resolve));
  request.destroy();
  await closed;
  const [client] = tracing.spans();
  expect(client.attributes).toMatchObject({'url.full': `${base}/hold`, 'server.port': port});
  expect(client.status.code).toBe(2);
});
