#!/usr/bin/env node
'use strict';

/*
 * What serializing costs per span: OpenTelemetry's serializers against the package's own encoders
 * (src/pipeline/encode-protobuf.ts, encode-json.ts), on batches of test spans as the recorder makes them (the
 * package's span records, a test's attributes, the resource of a CI run), and gzip of the protobuf body. Uses build/:
 * `npm run build && node bench/serialize.js [--spans 100] [--rounds 15] [--iterations 200]`.
 * Prints each case's fastest round, in µs per span, and the bytes per span: the cost once the code is optimized. A
 * test file's one export mostly runs it before it is (100 spans): that cost is the one `npm run bench -- --only
 * unit-instructions` counts.
 */

const {performance} = require('node:perf_hooks');
const {gzipSync} = require('node:zlib');
const {join} = require('node:path');
const {SpanKind, ROOT_CONTEXT, trace} = require('@opentelemetry/api');
const {resourceFromAttributes} = require('@opentelemetry/resources');

const build = join(__dirname, '..', 'build', 'pipeline');
const {SpanMaker} = require(join(build, 'record-span.js'));
const {encodeSpan, encodeTraceRequest} = require(join(build, 'encode-protobuf.js'));
const {encodeSpanJson, encodeTraceRequestJsonBytes} = require(join(build, 'encode-json.js'));
const {traceSerializers} = require(join(build, 'serializers.js'));

const flag = (name, fallback) => {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? fallback : Number(process.argv[at + 1]);
};
const SPANS = flag('spans', 100);
const ROUNDS = flag('rounds', 15);
const ITERATIONS = flag('iterations', 200);

const resource = resourceFromAttributes({
  'service.name': 'jest',
  'telemetry.sdk.name': 'opentelemetry',
  'telemetry.sdk.language': 'nodejs',
  'telemetry.sdk.version': '3.1.1',
  'process.pid': 4242,
  'process.runtime.name': 'nodejs',
  'process.runtime.version': '22.23.3',
  'host.name': 'ci-runner-7',
  'host.arch': 'amd64',
  'os.type': 'linux',
  'vcs.repository.url.full': 'https://github.com/example/library',
  'vcs.ref.head.name': 'main',
  'vcs.ref.head.revision': '3716fbd0c9a7e1f2b4d5e6f708192a3b4c5d6e7f',
  'cicd.pipeline.name': 'test',
  'cicd.pipeline.run.id': '1234567890',
  'jest.run.id': '2026-12-02T00-33-33-976Z-8f3a',
  'jest.worker.id': 1,
});

function batch() {
  const spans = [];
  const processor = {onStart() {}, onEnd: span => spans.push(span), forceFlush: async () => {}, shutdown: async () => {}};
  const maker = new SpanMaker({resource, scope: {name: 'jest-environment-otel', version: '0.1.0'}, processors: [processor]});
  const file = maker.start('test file: src/datetime/format.test.js', SpanKind.INTERNAL, {'code.file.path': 'src/datetime/format.test.js', 'test.suite.name': 'src/datetime/format.test.js'}, [], ROOT_CONTEXT);
  const parent = trace.setSpan(ROOT_CONTEXT, file);
  for (let index = 1; index < SPANS; index += 1) {
    const span = maker.start(`test: DateTime#toFormat formats token ${index}`, SpanKind.INTERNAL, {
      'test.case.name': `DateTime#toFormat formats token ${index}`,
      'jest.test.title': `formats token ${index}`,
      'jest.describe.path': ['DateTime#toFormat'],
      'code.file.path': 'src/datetime/format.test.js',
      'code.line.number': 10 + index,
      'code.column.number': 3,
    }, [], parent);
    span.put('test.case.result.status', 'pass');
    span.put('jest.test.retry', 0);
    span.end();
  }
  file.end();
  return spans;
}

/** The fastest round of each case, the cases taking turns in every round: other work on the machine only slows. */
function perSpan(cases, spans) {
  const best = cases.map(() => Infinity);
  for (let round = 0; round < ROUNDS; round += 1) {
    cases.forEach(([, fn], index) => {
      const start = performance.now();
      for (let i = 0; i < ITERATIONS; i += 1) fn(spans);
      best[index] = Math.min(best[index], ((performance.now() - start) * 1000) / ITERATIONS / spans.length);
    });
  }
  return best;
}

const {ProtobufTraceSerializer, JsonTraceSerializer} = traceSerializers();
const gzipped = level => spans => gzipSync(encodeTraceRequest(spans), {level});
/** Each case: its name, what it does to a batch, the bytes it gives. */
const cases = [
  ['protobuf, OpenTelemetry serializer', spans => ProtobufTraceSerializer.serializeRequest(spans), out => out.length],
  ['protobuf, own encoder', spans => encodeTraceRequest(spans), out => out.length],
  ['JSON line, OpenTelemetry serializer (bytes, then the text the store appends)', spans => Buffer.from(JsonTraceSerializer.serializeRequest(spans)).toString('utf8'), out => Buffer.byteLength(out)],
  ['JSON line, own encoder (the bytes the store appends)', spans => encodeTraceRequestJsonBytes(spans, true), out => out.length],
  // What an export queue with an encoder does instead: each span encoded as it ends, the request put together later.
  ['protobuf, own encoder, each span as it ends', spans => spans.map(encodeSpan), out => out.reduce((sum, bytes) => sum + bytes.length, 0)],
  ['JSON, own encoder, each span as it ends', spans => spans.map(encodeSpanJson), out => out.reduce((sum, bytes) => sum + bytes.length, 0)],
  ['own protobuf encoder + gzip (level 6, the default)', gzipped(6), out => out.length],
  ['own protobuf encoder + gzip level 1', gzipped(1), out => out.length],
];

const spans = batch();
const times = perSpan(cases, spans);
console.log(`${SPANS} spans a batch, ${ROUNDS} rounds of ${ITERATIONS} batches, Node ${process.version}`);
console.log('| step | µs per span (fastest round) | bytes per span |');
console.log('| --- | --- | --- |');
cases.forEach(([name, fn, size], index) => console.log(`| ${name} | ${times[index].toFixed(2)} | ${Math.round(size(fn(spans)) / SPANS)} |`));
