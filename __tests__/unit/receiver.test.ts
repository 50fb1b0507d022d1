import {request} from 'node:http';
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {gzipSync} from 'node:zlib';
import {SpanKind, SpanStatusCode} from '@opentelemetry/api';
import {traceSerializers} from '../../src/pipeline/serializers';
import {readReceiverOptions, RECEIVER_DEFAULTS} from '../../src/run/receiver/options';
import {ReceivedSpans} from '../../src/run/receiver/received';
import {startServer, type RunningServer} from '../../src/run/receiver/server';
import {readRun} from '../../src/shared/store-read';
import {answerQuery, isLoopback, QUERY_TOKEN_HEADER, writeAnswer} from '../../src/run/receiver/query';
import {memoryTracing} from './tracing';

/*
 * The receiver over real HTTP on 127.0.0.1, fed with what OpenTelemetry's own serializers make of real SDK spans:
 * protobuf and JSON, gzip or not, read back through the store's reader; and every kind of bad request.
 */

let server: RunningServer;
let received: ReceivedSpans;
let folder: string;

beforeEach(async () => {
  received = new ReceivedSpans(64 * 1024 * 1024);
  server = await startServer(
    {host: '127.0.0.1', port: 0, maxBodyBytes: 64 * 1024, query: async (request, response) => writeAnswer(response, await answerQuery(request, received, TOKEN))},
    body => received.add(body),
  );
  folder = mkdtempSync(join(tmpdir(), 'receiver-'));
});
afterEach(async () => {
  await server.close();
  rmSync(folder, {recursive: true, force: true});
});

function post(body: Buffer | string, headers: Record<string, string>, path = '/v1/traces'): Promise<{status: number; text: string}> {
  return new Promise((resolve, reject) => {
    const req = request({host: '127.0.0.1', port: server.port, path, method: 'POST', headers}, response => {
      const chunks: Buffer[] = [];
      response.on('data', chunk => chunks.push(chunk));
      response.on('end', () => resolve({status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8')}));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function backendSpans() {
  const {tracer, spans} = memoryTracing();
  const parent = tracer.startSpan('GET /orders/:id', {
    kind: SpanKind.SERVER,
    attributes: {'http.request.method': 'GET', 'http.response.status_code': 500, 'retry.count': 3, ratio: 0.5, ok: false, tags: ['a', 'b'], offset: -7, 'bytes.total': 2 ** 40},
  });
  parent.addEvent('cache miss', {key: 'order-7'});
  parent.setStatus({code: SpanStatusCode.ERROR, message: 'database down'});
  parent.end();
  return spans();
}

const TOKEN = 'c0ffee';

function get(path: string, headers: Record<string, string> = {[QUERY_TOKEN_HEADER]: TOKEN}): Promise<{status: number; json: any; at: number}> {
  return new Promise((resolve, reject) => {
    const req = request({host: '127.0.0.1', port: server.port, path, headers}, response => {
      const chunks: Buffer[] = [];
      response.on('data', chunk => chunks.push(chunk));
      response.on('end', () => resolve({status: response.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8')), at: Date.now()}));
    });
    req.on('error', reject);
    req.end();
  });
}

const PROTOBUF = {'content-type': 'application/x-protobuf'};
const JSON_TYPE = {'content-type': 'application/json'};

test.each([
  ['protobuf', false],
  ['protobuf', true],
  ['json', false],
  ['json', true],
])('a %s request (gzip: %s) is stored as the store reader reads the workers’ own files', async (format, gzip) => {
  const spans = backendSpans();
  const serializers = traceSerializers();
  let body = Buffer.from((format === 'json' ? serializers.JsonTraceSerializer : serializers.ProtobufTraceSerializer).serializeRequest(spans)!);
  if (gzip) body = gzipSync(body);
  const answer = await post(body, {...(format === 'json' ? JSON_TYPE : PROTOBUF), ...(gzip ? {'content-encoding': 'gzip'} : {})});
  expect(answer.status).toBe(200);
  expect(received.writeTo(folder)).toMatchObject({spans: 1, dropped: 0});
  const [stored] = readRun(folder);
  const span = spans[0];
  expect(stored).toMatchObject({
    traceId: span.spanContext().traceId,
    spanId: span.spanContext().spanId,
    name: 'GET /orders/:id',
    kind: 2,
    attributes: {'http.request.method': 'GET', 'http.response.status_code': 500, 'retry.count': 3, ratio: 0.5, ok: false, tags: ['a', 'b'], offset: -7, 'bytes.total': 2 ** 40},
    events: [{name: 'cache miss', attributes: {key: 'order-7'}}],
    status: {code: 2, message: 'database down'},
  });
  expect(stored.startMs).toBeCloseTo(span.startTime[0] * 1000 + span.startTime[1] / 1e6, 3);
  expect(stored.resource['service.name']).toBe(span.resource.attributes['service.name']);
});

test('protobuf and JSON of the same spans are stored alike', async () => {
  const spans = backendSpans();
  const serializers = traceSerializers();
  await post(Buffer.from(serializers.ProtobufTraceSerializer.serializeRequest(spans)!), PROTOBUF);
  const other = mkdtempSync(join(tmpdir(), 'receiver-'));
  received.writeTo(folder);
  await post(Buffer.from(serializers.JsonTraceSerializer.serializeRequest(spans)!), JSON_TYPE);
  received.writeTo(other);
  expect(readRun(folder)).toEqual(readRun(other));
  rmSync(other, {recursive: true, force: true});
});

test.each([
  ['malformed protobuf', Buffer.from([0x0a, 0xff, 0xff, 0x01]), PROTOBUF, 400, /not an OTLP\/protobuf/],
  ['a protobuf field of wire type 7', Buffer.from([0x0f]), PROTOBUF, 400, /wire type 7/],
  ['malformed JSON', Buffer.from('{"resourceSpans": ['), JSON_TYPE, 400, /not JSON/],
  ['JSON that is not a request', Buffer.from('{"resourceSpans": 3}'), JSON_TYPE, 400, /resourceSpans array/],
  ['bad gzip', Buffer.from('not gzip'), {...PROTOBUF, 'content-encoding': 'gzip'}, 400, /not valid gzip/],
  ['a body over the limit', Buffer.alloc(65 * 1024), PROTOBUF, 413, /over 65536 bytes/],
  ['a gzip bomb', gzipSync(Buffer.alloc(1024 * 1024)), {...PROTOBUF, 'content-encoding': 'gzip'}, 413, /once gunzipped/],
  ['another content type', Buffer.from('x'), {'content-type': 'text/plain'}, 415, /application\/x-protobuf or application\/json/],
  ['another encoding', Buffer.from('x'), {...PROTOBUF, 'content-encoding': 'br'}, 415, /gzip or none/],
])('%s is answered with its status and a message, and stores nothing', async (_what, body, headers, status, message) => {
  const answer = await post(body, headers);
  expect(answer.status).toBe(status);
  expect(answer.text).toMatch(message);
  expect(received.writeTo(folder)).toEqual({spans: 0, dropped: 0});
});

test('another path is 404; the server still answers afterwards', async () => {
  expect((await post('x', PROTOBUF, '/v1/metrics')).status).toBe(404);
  expect((await post(Buffer.alloc(0), PROTOBUF)).status).toBe(200);
});

test('a taken port is left to its owner: the receiver listens on another one and says so', async () => {
  const second = await startServer({host: '127.0.0.1', port: server.port, maxBodyBytes: 1024}, () => undefined);
  try {
    expect(second.portWasTaken).toBe(true);
    expect(second.port).not.toBe(server.port);
  } finally {
    await second.close();
  }
});

test('spans beyond the memory bound are counted as dropped, not lost silently', async () => {
  const small = new ReceivedSpans(10);
  small.add({resourceSpans: [{scopeSpans: [{spans: [{traceId: 'a', spanId: 'b'}]}]}]});
  expect(small.writeTo(folder)).toEqual({spans: 0, dropped: 1});
});

test('settling waits for quiet, bounded; for a first request only until firstBy', async () => {
  expect(await received.settle(50, 1_000)).toBe(false);
  // Nothing yet: waits until firstBy for a first request, no longer.
  let start = Date.now();
  expect(await received.settle(50, 1_000, Date.now() + 120)).toBe(false);
  expect(Date.now() - start).toBeGreaterThanOrEqual(110);
  expect(Date.now() - start).toBeLessThan(600);
  // A first request during that wait: then the wait is for quiet after it.
  const late = setTimeout(() => received.add({resourceSpans: [{scopeSpans: [{spans: [{traceId: 'a', spanId: 'z'}]}]}]}), 60);
  start = Date.now();
  expect(await received.settle(150, 1_000, Date.now() + 100)).toBe(false);
  clearTimeout(late);
  expect(Date.now() - start).toBeGreaterThanOrEqual(200);
  expect(received.writeTo(folder)).toMatchObject({spans: 1});
  received.add({resourceSpans: [{scopeSpans: [{spans: [{traceId: 'a', spanId: 'b'}]}]}]});
  start = Date.now();
  expect(await received.settle(100, 1_000)).toBe(false);
  expect(Date.now() - start).toBeGreaterThanOrEqual(90);
  received.add({resourceSpans: [{scopeSpans: [{spans: [{traceId: 'a', spanId: 'c'}]}]}]});
  const busy = setInterval(() => received.add({resourceSpans: [{scopeSpans: [{spans: [{traceId: 'a', spanId: 'c'}]}]}]}), 10);
  try {
    expect(await received.settle(100, 200)).toBe(true);
  } finally {
    clearInterval(busy);
  }
});

test('a flood of 100,000 spans (100 requests of 1,000) is received and stored whole', async () => {
  const {tracer, spans} = memoryTracing();
  const parent = tracer.startSpan('request');
  for (let i = 0; i < 1000; i += 1) tracer.startSpan(`query ${i}`, {attributes: {'db.statement': `SELECT ${i}`}}).end();
  parent.end();
  const body = Buffer.from(traceSerializers().ProtobufTraceSerializer.serializeRequest(spans().slice(0, 1000))!);
  // The default body limit: the other tests' is small, to reach it cheaply.
  await server.close();
  server = await startServer({host: '127.0.0.1', port: 0, maxBodyBytes: RECEIVER_DEFAULTS.maxBodyBytes}, request => received.add(request));
  const started = process.hrtime.bigint();
  for (let batch = 0; batch < 100; batch += 4) {
    const answers = await Promise.all([0, 1, 2, 3].map(() => post(body, PROTOBUF)));
    expect(answers.map(answer => answer.status)).toEqual([200, 200, 200, 200]);
  }
  const received100k = Number(process.hrtime.bigint() - started) / 1e6;
  expect(received.writeTo(folder)).toMatchObject({spans: 100_000, dropped: 0});
  const stored = Number(process.hrtime.bigint() - started) / 1e6;
  expect(readRun(folder)).toHaveLength(100_000);
  process.stdout.write(`100,000 spans: received in ${Math.round(received100k)} ms, stored by ${Math.round(stored)} ms\n`);
}, 60_000);

test('the spans of the tests’ traces are handed over from memory; those of other traces are stored only', async () => {
  const {tracer, spans} = memoryTracing();
  const test = tracer.startSpan('a test’s call', {kind: SpanKind.SERVER});
  test.end();
  const other = tracer.startSpan('a job no test started');
  other.end();
  const body = Buffer.from(traceSerializers().ProtobufTraceSerializer.serializeRequest(spans())!);
  expect((await post(body, PROTOBUF)).status).toBe(200);
  const traceId = test.spanContext().traceId;
  const written = received.writeTo(folder, new Set([traceId, 'f'.repeat(32)]));
  expect(written).toMatchObject({spans: 2, dropped: 0});
  expect(written.read?.map(span => [span.traceId, span.name])).toEqual([[traceId, 'a test’s call']]);
  expect(written.read?.[0].resource['service.name']).toBe('unit-test');
  // The file holds both, as the store's reader (and so jest-otel report and flaky) reads them.
  expect(readRun(folder).map(span => span.name).sort()).toEqual(['a job no test started', 'a test’s call']);
  expect(received.writeTo(folder, new Set([traceId]))).toEqual({spans: 0, dropped: 0, read: []});
});

describe('reading a trace back (the trace assertions)', () => {
  const trace = (n: string) => n.repeat(32);
  const request = (traceId: string, ...names: string[]) => ({
    resourceSpans: [{resource: {attributes: [{key: 'service.name', value: {stringValue: 'orders-api'}}]}, scopeSpans: [{scope: {name: 'x'}, spans: names.map(name => ({traceId, spanId: name.padEnd(16, '0'), name}))}]}],
  });

  test('answers the spans of one trace only, with their resource, and how many', async () => {
    received.add({resourceSpans: [...request(trace('a'), 'a1').resourceSpans, ...request(trace('b'), 'b1').resourceSpans]});
    received.add(request(trace('a'), 'a2', 'a3'));
    const answer = await get(`/jest-otel/v1/traces/${trace('A')}`);
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({spans: 3, dropped: 0});
    expect(answer.json.resourceSpans.flatMap((r: any) => r.scopeSpans.flatMap((s: any) => s.spans.map((span: any) => span.name)))).toEqual(['a1', 'a2', 'a3']);
    expect(answer.json.resourceSpans[0].resource.attributes[0].value.stringValue).toBe('orders-api');
    expect((await get(`/jest-otel/v1/traces/${trace('c')}`)).json).toMatchObject({spans: 0, resourceSpans: [], lastArrival: 0});
  });

  test('a long poll answers when more spans of the trace arrive, not before, and not for another trace', async () => {
    received.add(request(trace('a'), 'a1'));
    const started = Date.now();
    const waiting = get(`/jest-otel/v1/traces/${trace('a')}?known=1&waitMillis=5000`);
    setTimeout(() => received.add(request(trace('b'), 'b1')), 50);
    setTimeout(() => received.add(request(trace('a'), 'a2')), 200);
    const answer = await waiting;
    expect(answer.json.spans).toBe(2);
    expect(answer.at - started).toBeGreaterThanOrEqual(190);
    expect(answer.at - started).toBeLessThan(2_000);
    // …and ends at its wait when nothing comes.
    const quiet = await get(`/jest-otel/v1/traces/${trace('a')}?known=2&waitMillis=100`);
    expect(quiet.json.spans).toBe(2);
    expect(quiet.at - answer.at).toBeGreaterThanOrEqual(90);
  });

  test('needs the run’s token; a bad trace id or method is refused', async () => {
    received.add(request(trace('a'), 'a1'));
    expect(await get(`/jest-otel/v1/traces/${trace('a')}`, {})).toMatchObject({status: 403, json: {error: expect.stringContaining('token')}});
    expect((await get(`/jest-otel/v1/traces/${trace('a')}`, {[QUERY_TOKEN_HEADER]: 'c0ffef'})).status).toBe(403);
    expect((await get('/jest-otel/v1/traces/xyz')).status).toBe(400);
    expect((await post('x', PROTOBUF, `/jest-otel/v1/traces/${trace('a')}`)).status).toBe(405);
  });

  test('only loopback addresses may read', () => {
    for (const address of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1']) expect(isLoopback(address)).toBe(true);
    for (const address of ['10.0.0.2', '::ffff:10.0.0.2', 'fe80::1', '', undefined]) expect(isLoopback(address)).toBe(false);
  });
});

describe('readReceiverOptions', () => {
  test('defaults; false turns it off; each part is taken', () => {
    expect(readReceiverOptions(undefined, {}).options).toEqual(RECEIVER_DEFAULTS);
    expect(readReceiverOptions(false, {}).options).toBeUndefined();
    expect(readReceiverOptions({port: 4319, host: '0.0.0.0', quietMillis: 100, waitMillis: 2000}, {}).options).toMatchObject({port: 4319, host: '0.0.0.0', quietMillis: 100, waitMillis: 2000});
  });

  test('a wrong type is an error naming the option and what was expected; the default stays', () => {
    const read = readReceiverOptions({port: 'x', waitMillis: -1, colour: true}, {});
    expect(read.options?.port).toBe(4318);
    expect(read.errors).toEqual([
      'jest-environment-otel/reporter option receiver.port must be an integer from 0 to 65535, got "x"',
      'jest-environment-otel/reporter option receiver.waitMillis must be a number ≥ 0, got -1',
      'unknown jest-environment-otel/reporter option receiver.colour (known: port, host, quietMillis, waitMillis, maxBodyBytes, maxBufferedBytes)',
    ]);
    expect(readReceiverOptions('on', {}).errors[0]).toMatch(/receiver must be false or an object/);
  });

  test('JEST_OTEL_RECEIVER_PORT wins over the configured port; a bad one is a warning', () => {
    expect(readReceiverOptions({port: 4319}, {JEST_OTEL_RECEIVER_PORT: '0'}).options?.port).toBe(0);
    const bad = readReceiverOptions(undefined, {JEST_OTEL_RECEIVER_PORT: 'high'});
    expect(bad.options?.port).toBe(4318);
    expect(bad.errors).toEqual([]);
    expect(bad.warnings).toEqual(['JEST_OTEL_RECEIVER_PORT must be an integer from 0 to 65535, got "high"; the receiver listens on port 4318']);
  });
});
