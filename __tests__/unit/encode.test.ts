import {join} from 'node:path';
import {context, createTraceState, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, TraceFlags, type Attributes} from '@opentelemetry/api';
import {resourceFromAttributes} from '@opentelemetry/resources';
import {InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan} from '@opentelemetry/sdk-trace';
import protobuf from 'protobufjs';
import {encodeSpan, encodeTraceRequest} from '../../src/pipeline/encode-protobuf';
import {encodeSpanJson, encodeTraceRequestJson, encodeTraceRequestJsonBytes} from '../../src/pipeline/encode-json';
import {EncodedSpan} from '../../src/pipeline/encoded-span';
import {traceSerializers} from '../../src/pipeline/serializers';
import {SpanMaker} from '../../src/pipeline/record-span';
import {fromRequest} from '../../src/shared/store-read';

/*
 * The package's own OTLP encoders against OpenTelemetry's serializers, on one batch of every kind of content: both
 * protobuf bodies decoded with the published schema (__tests__/support/otlp.proto), both JSON lines parsed.
 */

const RequestType = protobuf.loadSync(join(__dirname, '..', 'support', 'otlp.proto')).lookupType('otlp.ExportTraceServiceRequest');

const long = 'x'.repeat(20_000);
const VALUES: Attributes = {
  'v.string': 'plain',
  'v.unicode': 'grüße, 日本, 🎉',
  'v.empty': '',
  'v.long': long,
  'v.long.unicode': `é${'y'.repeat(200)}`,
  'v.int': 42,
  'v.zero': 0,
  'v.negative': -7,
  'v.int32.max': 2 ** 31 - 1,
  'v.uint32.over': 2 ** 32 + 5,
  'v.safe.max': Number.MAX_SAFE_INTEGER,
  'v.big': 2 ** 60,
  'v.big.negative': -(2 ** 60),
  'v.double': 3.25,
  'v.double.small': -0.000123,
  'v.double.huge': 1e300,
  'v.true': true,
  'v.false': false,
  'v.strings': ['a', 'ü', ''],
  'v.ints': [1, -2, 300_000],
  'v.doubles': [0.5, -1.5],
  'v.bools': [true, false],
  'v.empty.array': [],
  'v.sparse': ['a', null, undefined, 'b'],
};

function batch(): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const resourceA = resourceFromAttributes({'service.name': 'encode-test', 'host.tags': ['a', 'b'], 'process.pid': 1234, 'r.ratio': 0.5, 'r.flag': true});
  const resourceB = resourceFromAttributes({'service.name': 'other', 'service.version': '1.2.3'}, {schemaUrl: 'https://opentelemetry.io/schemas/1.30.0'});
  const providerA = new TracerProvider({resource: resourceA, spanProcessors: [new SimpleSpanProcessor({exporter})], spanLimits: {attributeCountLimit: 40, eventCountLimit: 2, linkCountLimit: 2, attributePerEventCountLimit: 2, attributePerLinkCountLimit: 1}});
  const providerB = new TracerProvider({resource: resourceB, spanProcessors: [new SimpleSpanProcessor({exporter})]});
  const sdk = providerA.getTracer('sdk-scope', '2.0.0', {schemaUrl: 'https://example.test/schema'});
  const bare = providerA.getTracer('bare-scope');
  const other = providerB.getTracer('b-scope', '0.1');

  const remoteParent = trace.setSpanContext(ROOT_CONTEXT, {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
    traceState: createTraceState('vendor=value,other=x'),
  });
  const root = sdk.startSpan('root ü', {kind: SpanKind.SERVER, attributes: VALUES}, remoteParent);
  root.addEvent('first', {'e.int': 1, 'e.list': ['x']}, [1_700_000_000, 123_456_789]);
  root.addEvent('second');
  root.addEvent('over its limit', {'e.a': 1, 'e.b': 2, 'e.c': 3});
  root.addEvent('third, drops the first', {'e.bool': false});
  root.addLink({context: {traceId: 'ffffffffffffffffffffffffffffffff', spanId: '0000000000000001', traceFlags: TraceFlags.NONE}, attributes: {'l.s': 'link'}});
  root.addLink({context: {traceId: 'abcdefabcdefabcdefabcdefabcdef01', spanId: 'abcdef0123456789', traceFlags: TraceFlags.SAMPLED, isRemote: true}, attributes: {'l.a': 1, 'l.b': 2}});
  root.addLink({context: {traceId: 'abcdefabcdefabcdefabcdefabcdef02', spanId: 'abcdef0123456780', traceFlags: TraceFlags.SAMPLED}});
  for (let index = 0; index < 45; index += 1) root.setAttribute(`extra.${index}`, index);
  root.setStatus({code: SpanStatusCode.ERROR, message: 'went wrong: ✗'});
  const parent = trace.setSpan(context.active(), root);
  for (const kind of [SpanKind.INTERNAL, SpanKind.CLIENT, SpanKind.PRODUCER, SpanKind.CONSUMER]) {
    const child = bare.startSpan(`kind ${kind}`, {kind}, parent);
    child.setStatus({code: SpanStatusCode.OK});
    child.end([1_700_000_001, 999_999_999]);
  }
  other.startSpan('no attributes', {}, ROOT_CONTEXT).end();

  const records: ReadableSpan[] = [];
  const maker = new SpanMaker({resource: resourceA, scope: {name: 'jest-environment-otel', version: '0.1.0'}, processors: [{onStart() {}, onEnd: span => records.push(span), forceFlush: async () => {}, shutdown: async () => {}}]});
  const test = maker.start('test: adds', SpanKind.INTERNAL, {'test.case.name': 'adds', 'code.line.number': 12, 'jest.retry': 0}, [], parent)!;
  test.setAttributes({'user.list': [1.5, 2.5], 'user.bool': true});
  test.recordException(new TypeError('bad input'));
  test.setStatus({code: SpanStatusCode.ERROR});
  test.end();
  maker.start('hook: beforeEach', SpanKind.INTERNAL, {}, [{context: root.spanContext(), attributes: {'link.kind': 'retry'}}], ROOT_CONTEXT)!.end();
  root.end();

  // Scope attributes and their dropped count, which no tracer of this SDK sets: a span as another SDK's would read.
  const scoped = plain(exporter.getFinishedSpans()[0], {
    name: 'scoped',
    instrumentationScope: {name: 'attr-scope', version: '3', attributes: {'scope.attr': 'yes', 'scope.n': 2}, droppedAttributesCount: 1} as ReadableSpan['instrumentationScope'],
    spanContext: () => ({traceId: '1234567890abcdef1234567890abcdef', spanId: 'fedcba9876543210', traceFlags: TraceFlags.NONE}),
  });
  return [...exporter.getFinishedSpans(), ...records, scoped];
}

/** A span's fields as a plain object (the SDK's spans keep some behind getters), with some replaced. */
function plain(span: ReadableSpan, changes: Partial<ReadableSpan>): ReadableSpan {
  const {name, kind, parentSpanContext, startTime, endTime, status, attributes, links, events, duration, ended, resource, instrumentationScope} = span;
  const {droppedAttributesCount, droppedEventsCount, droppedLinksCount} = span;
  const copy = {name, kind, parentSpanContext, startTime, endTime, status, attributes, links, events, duration, ended, resource, instrumentationScope};
  return {...copy, droppedAttributesCount, droppedEventsCount, droppedLinksCount, spanContext: () => span.spanContext(), ...changes};
}

function decoded(body: Uint8Array) {
  return RequestType.toObject(RequestType.decode(body), {longs: String, enums: Number, bytes: String, defaults: true, arrays: true, objects: true});
}

/**
 * The transformer's JSON writes intValue as a JSON number, the OTLP specification's JSON (as ours) a string; and it
 * writes an integral number beyond int64 as an intValue, where its protobuf (as ours, both) writes a double.
 */
function asSpecified(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(asSpecified);
  if (value && typeof value === 'object') {
    const {intValue} = value as {intValue?: unknown};
    if (typeof intValue === 'number') return Math.abs(intValue) < 2 ** 63 ? {intValue: String(BigInt(intValue))} : {doubleValue: intValue};
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, asSpecified(inner)]));
  }
  return value;
}

describe('the OTLP encoders', () => {
  const spans = batch();

  it('cover the content the test means to cover', () => {
    expect(spans.length).toBe(9);
    expect(new Set(spans.map(span => span.resource)).size).toBe(2);
    const root = spans.find(span => span.name === 'root ü')!;
    expect([root.droppedAttributesCount, root.droppedEventsCount, root.droppedLinksCount]).toEqual([29, 2, 1]);
    expect(root.events.some(event => event.droppedAttributesCount)).toBe(true);
    expect(root.links.some(link => link.droppedAttributesCount)).toBe(true);
  });

  it('write protobuf that decodes to what OpenTelemetry serializer writes', () => {
    const ours = encodeTraceRequest(spans);
    const theirs = traceSerializers().ProtobufTraceSerializer.serializeRequest(spans)!;
    expect(decoded(ours)).toEqual(decoded(theirs));
    // Each span once, with its ids as written.
    const request = decoded(ours) as {resourceSpans: Array<{scopeSpans: Array<{spans: Array<{name: string}>}>}>};
    expect(request.resourceSpans.flatMap(r => r.scopeSpans.flatMap(s => s.spans.map(span => span.name))).sort()).toEqual(spans.map(span => span.name).sort());
  });

  it('write the JSON that OpenTelemetry serializer writes, with 64-bit integers as strings', () => {
    const ours = JSON.parse(encodeTraceRequestJson(spans));
    const theirs = JSON.parse(Buffer.from(traceSerializers().JsonTraceSerializer.serializeRequest(spans)!).toString('utf8'));
    expect(ours).toEqual(asSpecified(theirs));
    expect(JSON.stringify(ours)).toContain('{"key":"v.big","value":{"intValue":"1152921504606846976"}}');
  });

  it('write JSON the store reader reads as the spans were', () => {
    const stored = fromRequest(JSON.parse(encodeTraceRequestJson(spans)));
    const root = stored.find(span => span.name === 'root ü')!;
    const source = spans.find(span => span.name === 'root ü')!;
    expect(root.attributes['v.long']).toBe(long);
    expect(root.attributes['v.big']).toBe(2 ** 60);
    expect(root.attributes['v.ints']).toEqual([1, -2, 300_000]);
    expect(root.parentSpanId).toBe('b7ad6b7169203331');
    expect(root.startMs).toBeCloseTo(source.startTime[0] * 1000 + source.startTime[1] / 1e6, 3);
  });

  it('write the doubles JSON has no number for as the protobuf JSON mapping names them', () => {
    const [span] = spans;
    const odd = plain(span, {attributes: {nan: NaN, up: Infinity, down: -Infinity}, events: [], links: []});
    const values = JSON.parse(encodeTraceRequestJson([odd])).resourceSpans[0].scopeSpans[0].spans[0].attributes;
    expect(values).toEqual([
      {key: 'nan', value: {doubleValue: 'NaN'}},
      {key: 'up', value: {doubleValue: 'Infinity'}},
      {key: 'down', value: {doubleValue: '-Infinity'}},
    ]);
    expect(decoded(encodeTraceRequest([odd]))).toEqual(decoded(traceSerializers().ProtobufTraceSerializer.serializeRequest([odd])!));
  });

  it('write the same request from spans encoded when they ended as from the spans, each encoding its own way', () => {
    // Every other span encoded already, as an export queue with an encoder holds them: grouping and order stay.
    const mixed = (encode: (span: ReadableSpan) => Uint8Array) =>
      spans.map((span, index) => (index % 2 === 0 ? new EncodedSpan(encode(span), span.resource, span.instrumentationScope) : span)) as ReadableSpan[];
    expect(Buffer.from(encodeTraceRequest(mixed(encodeSpan)))).toEqual(Buffer.from(encodeTraceRequest(spans)));
    expect(encodeTraceRequestJson(mixed(encodeSpanJson))).toBe(encodeTraceRequestJson(spans));
    const line = encodeTraceRequestJsonBytes(mixed(encodeSpanJson), true);
    expect(line.toString('utf8')).toBe(`${encodeTraceRequestJson(spans)}\n`);
    expect(decoded(encodeTraceRequest(mixed(encodeSpan)))).toEqual(decoded(traceSerializers().ProtobufTraceSerializer.serializeRequest(spans)!));
  });

  it('write an empty request for an empty batch', () => {
    expect(encodeTraceRequest([]).length).toBe(0);
    expect(JSON.parse(encodeTraceRequestJson([]))).toEqual({resourceSpans: []});
  });
});
