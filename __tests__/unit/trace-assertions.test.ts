import {equals} from '@jest/expect-utils';
import {SpanKind, SpanStatusCode} from '@opentelemetry/api';
import {storedOf} from '../../src/trace-assertions/collect';
import {LocalSpans} from '../../src/trace-assertions/local-spans';
import {describeSpan, redactText, treeRows, type Redaction} from '../../src/trace-assertions/message';
import {matches, mismatches, needsServices, selectorProblems, toTraceSpan} from '../../src/trace-assertions/select';
import type {SpanSelector, TraceSpan} from '../../src/trace-assertions/types';
import {secretParamsOf} from '../../src/pipeline/redact';
import type {StoredSpan} from '../../src/shared/store-read';
import {memoryTracing} from './tracing';

/*
 * Selector matching, the failure tree and the worker's kept spans, on spans in the store's form as the receiver
 * gives them and on real SDK spans.
 */

function stored(overrides: Partial<StoredSpan> & {spanId: string}): StoredSpan {
  return {
    traceId: 'a'.repeat(32),
    name: 'span',
    kind: 1,
    startMs: 1_000,
    endMs: 1_010,
    attributes: {},
    events: [],
    status: {code: 0},
    resource: {'service.name': 'orders-api'},
    ...overrides,
  };
}

const fetchCall = toTraceSpan(
  stored({spanId: '1', name: 'POST', kind: 3, attributes: {'http.request.method': 'POST', 'url.full': 'http://127.0.0.1:80/orders?token=abc', 'http.response.status_code': 201}, resource: {'service.name': 'jest'}}),
  'test',
);
const server = toTraceSpan(stored({spanId: '2', parentSpanId: '1', name: 'POST', kind: 2, attributes: {'http.request.method': 'POST', 'url.path': '/orders', 'http.response.status_code': 201}}), 'service');
const payment = toTraceSpan(
  stored({spanId: '3', parentSpanId: '2', name: 'POST', kind: 3, attributes: {'http.request.method': 'POST', 'url.full': 'http://payments/payments', 'http.response.status_code': 500, 'retry.count': 1}}),
  'service',
);
const query = toTraceSpan(stored({spanId: '4', parentSpanId: '2', name: 'SELECT stock', status: {code: 2, message: 'locked'}, attributes: {'db.system': 'postgresql'}}), 'service');
const spans = [fetchCall, server, payment, query];
const byId = new Map(spans.map(span => [span.spanId, span]));
const pick = (selector: SpanSelector) => spans.filter(span => matches(span, selector, equals, byId)).map(span => span.spanId);

describe('selectors', () => {
  test('a span as assertions read it: kind, service, status, HTTP method, path (no query) and code', () => {
    expect(fetchCall).toMatchObject({kind: 'client', service: 'jest', status: {code: 'unset'}, http: {method: 'POST', path: '/orders', statusCode: 201}, durationMs: 10, origin: 'test'});
    expect(query).toMatchObject({kind: 'internal', status: {code: 'error', message: 'locked'}});
    expect(query.http).toBeUndefined();
  });

  test('no key: every span; each key narrows', () => {
    expect(pick({})).toEqual(['1', '2', '3', '4']);
    expect(pick({service: 'orders-api'})).toEqual(['2', '3', '4']);
    expect(pick({kind: 'client'})).toEqual(['1', '3']);
    expect(pick({service: 'orders-api', kind: 'client'})).toEqual(['3']);
  });

  test('a name matches the span’s name, or an HTTP span’s METHOD /path; a RegExp or an asymmetric matcher too', () => {
    expect(pick({name: 'POST'})).toEqual(['1', '2', '3']);
    expect(pick({name: 'POST /payments'})).toEqual(['3']);
    expect(pick({name: /^SELECT/})).toEqual(['4']);
    expect(pick({name: expect.stringContaining('stock')})).toEqual(['4']);
    const global = /POST \/orders/g;
    expect(pick({name: global})).toEqual(['1', '2']);
  });

  test('a status: a word for the span status, a number for the HTTP status code', () => {
    expect(pick({status: 'error'})).toEqual(['4']);
    expect(pick({status: 'unset'})).toEqual(['1', '2', '3']);
    expect(pick({status: 201})).toEqual(['1', '2']);
    expect(pick({status: 500, name: 'POST /payments'})).toEqual(['3']);
  });

  test('attributes and resource attributes, with Jest’s equality and asymmetric matchers', () => {
    expect(pick({attributes: {'retry.count': 1}})).toEqual(['3']);
    expect(pick({attributes: {'retry.count': expect.any(Number), 'url.full': expect.stringContaining('payments')}})).toEqual(['3']);
    expect(pick({attributes: {'db.system': /^postgres/}})).toEqual(['4']);
    expect(pick({attributes: {'retry.count': 2}})).toEqual([]);
    expect(pick({resource: {'service.name': 'jest'}})).toEqual(['1']);
  });

  test('within: a span above matches; where: any predicate', () => {
    expect(pick({within: {kind: 'server', name: 'POST /orders'}})).toEqual(['3', '4']);
    expect(pick({within: {service: 'jest'}})).toEqual(['2', '3', '4']);
    expect(pick({name: 'SELECT stock', within: {kind: 'client'}})).toEqual(['4']);
    expect(pick({within: {name: 'nothing'}})).toEqual([]);
    expect(pick({where: span => span.durationMs >= 10 && span.origin === 'service'})).toEqual(['2', '3', '4']);
  });

  test('why a span does not match, with what it has', () => {
    expect(mismatches(payment, {service: 'orders-api', name: 'POST /payments', status: 201}, equals, byId)).toEqual(['status is 500']);
    expect(mismatches(query, {name: 'POST /payments', status: 201, kind: 'client', attributes: {'db.system': 'mysql', 'db.name': 'x'}}, equals, byId)).toEqual([
      'name is "SELECT stock"',
      'kind is internal',
      'not an HTTP span',
      'attribute db.system is "postgresql"',
      'no attribute db.name',
    ]);
    expect(mismatches(server, {name: 'GET /orders'}, equals, byId)).toEqual(['name is "POST" (POST /orders)']);
  });

  test('a selector needs the services’ spans when it names another service', () => {
    expect(needsServices({service: 'orders-api'}, 'jest', equals)).toBe(true);
    expect(needsServices({service: 'jest'}, 'jest', equals)).toBe(false);
    expect(needsServices({service: /^j/}, 'jest', equals)).toBe(false);
    expect(needsServices({name: 'x', within: {service: 'orders-api'}}, 'jest', equals)).toBe(true);
    expect(needsServices({status: 'error'}, 'jest', equals)).toBe(false);
  });

  test('a wrong selector is said before anything is waited for', () => {
    expect(selectorProblems({service: 'x', kind: 'http', status: 'failed', colour: 1, where: 3, within: {nme: 'y'}})).toEqual([
      'unknown selector key "colour" (known: name, service, kind, status, attributes, resource, within, where)',
      'kind must be one of internal, server, client, producer, consumer',
      'status must be "ok", "error", "unset" or an HTTP status code',
      'where must be a function of the span',
      'within: unknown selector key "nme" (known: name, service, kind, status, attributes, resource, within, where)',
    ]);
    expect(selectorProblems('POST /payments')[0]).toMatch(/must be an object/);
    expect(selectorProblems({name: 'x', status: 201})).toEqual([]);
  });
});

describe('the failure tree', () => {
  const redaction: Redaction = {secretParams: secretParamsOf([]), secretHeaders: []};

  test('children under their parent, the service named where it is not the test’s own, matches marked', () => {
    expect(treeRows(spans, 'jest', redaction, new Set([query]))).toEqual([
      '  POST /orders → 201 (10 ms, client)',
      '  └ POST /orders → 201 (10 ms, server) · orders-api',
      '    ├ ! POST /payments → 500 (10 ms, client) · orders-api',
      '    └ ✗ SELECT stock (10 ms) · orders-api: locked  ◀',
    ]);
  });

  test('secrets in what a service sent are redacted: credentials and secret parameters of URLs in names and messages', () => {
    const leaky: TraceSpan = {...query, name: 'GET https://api.example/x?api_key=k3y', status: {code: 'error', message: 'call to https://u:hunter2@db.example/?password=pw failed\nsecond line'}};
    expect(describeSpan(leaky, 'jest', redaction)).toBe('✗ GET https://api.example/x?api_key=REDACTED (10 ms) · orders-api: call to https://REDACTED:REDACTED@db.example/?password=REDACTED failed');
    expect(redactText('see /path?token=t and more', redaction)).toBe('see /path?token=REDACTED and more');
  });
});

describe('the worker’s kept spans', () => {
  test('kept under their local root from watch() on, dropped when the root ends, none before watch()', () => {
    const local = new LocalSpans();
    const {tracer} = memoryTracing([local]);
    const {trace, context} = require('@opentelemetry/api') as typeof import('@opentelemetry/api');
    const before = tracer.startSpan('before');
    before.end();
    local.watch();
    const root = tracer.startSpan('test', {kind: SpanKind.INTERNAL});
    const rootContext = trace.setSpan(context.active(), root);
    const child = tracer.startSpan('call', {kind: SpanKind.CLIENT}, rootContext);
    const grandchild = tracer.startSpan('inner', {}, trace.setSpan(rootContext, child));
    let woken = 0;
    const unsubscribe = local.onSpan(() => (woken += 1));
    grandchild.setStatus({code: SpanStatusCode.ERROR});
    grandchild.end();
    child.end();
    const id = root.spanContext().spanId;
    expect(local.under(id).spans.map(span => span.name)).toEqual(['inner', 'call']);
    expect(woken).toBe(2);
    expect(storedOf(local.under(id).spans[0])).toMatchObject({name: 'inner', kind: 1, status: {code: 2}, parentSpanId: child.spanContext().spanId});
    root.end();
    expect(local.under(id).spans).toEqual([]);
    unsubscribe();
    local.stop();
    const after = tracer.startSpan('after');
    after.end();
    expect(local.under(after.spanContext().spanId).spans).toEqual([]);
  });
});
