import http from 'node:http';
import type {AddressInfo} from 'node:net';
import {ROOT_CONTEXT, context, propagation, trace} from '@opentelemetry/api';
import {W3CTraceContextPropagator, suppressTracing} from '@opentelemetry/core';
import {contextManager} from '../../src/context-manager';
import {traceHttpClient} from '../../src/http-client';
import {httpPayloadHooks} from '../../src/payloads';
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
    if (request.url?.startsWith('/missing')) {
      response.writeHead(404, {'content-type': 'text/plain'}).end('no such thing');
      return;
    }
    response.setHeader('x-many', ['one', 'two']);
    response.writeHead(200, {'content-type': 'application/json'}).end('{"ok":true}');
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
