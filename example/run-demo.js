#!/usr/bin/env node
/*
 * `npm run demo`: runs the example suite (example/suite) traced by this environment, then says where the traces went
 * and shows the trace of each failed test. With no OTLP endpoint set, spans go to the local trace store
 * (example/.jest-otel); with OTEL_EXPORTER_OTLP_ENDPOINT set they also go to that backend.
 */
const {spawnSync} = require('node:child_process');
const {join, relative} = require('node:path');
const {latestRun, readRun} = require('../build/store-read.js');

const root = join(__dirname, '..');
const storeDir = join(__dirname, '.jest-otel');
const env = {...process.env};
if (env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) env.OTEL_TRACES_EXPORTER ??= 'otlp,store';
// A seed with which the randomly flaky /recommendations endpoint answers 200: this demo shows one failure, always the
// same. `npm run demo:flaky` is the one that lets it fail.
env.DEMO_SEED ??= 'example';

const jest = spawnSync(process.execPath, [join(root, 'node_modules', 'jest', 'bin', 'jest.js'), '--config', join(__dirname, 'jest.config.js')], {
  cwd: root,
  env,
  stdio: 'inherit',
});

const run = latestRun(storeDir);
if (!run) {
  console.error('\nNo traces were written to the local store. Is OTEL_SDK_DISABLED or OTEL_TRACES_EXPORTER=none set?');
  process.exit(1);
}
const spans = readRun(run);
const tests = spans.filter(span => span.attributes['jest.test.status'] !== undefined);
const failed = tests.filter(span => span.attributes['jest.test.status'] === 'fail');
const byParent = new Map();
for (const span of spans) {
  if (!span.parentSpanId) continue;
  if (!byParent.has(span.parentSpanId)) byParent.set(span.parentSpanId, []);
  byParent.get(span.parentSpanId).push(span);
}

const describe = span => {
  const status = span.attributes['http.response.status_code'];
  const url = span.attributes['url.full'];
  const ms = Math.round(span.endMs - span.startMs);
  if (url) return `${span.attributes['http.request.method'] ?? span.name} ${url} → ${status ?? 'no response'} (${ms} ms)`;
  return `${span.name}${span.status.code === 2 ? ` ✗ ${span.status.message ?? ''}` : ''} (${ms} ms)`;
};
const printTree = (span, indent) => {
  for (const child of (byParent.get(span.spanId) ?? []).sort((a, b) => a.startMs - b.startMs)) {
    console.log(`${indent}└ ${describe(child)}`);
    printTree(child, `${indent}  `);
  }
};

console.log(`\nTraced ${tests.length} tests in ${spans.length} spans.`);
console.log(`Traces of this run: ${relative(process.cwd(), run)}/ (OTLP JSON lines, one file per Jest worker)`);
for (const test of failed) {
  console.log(`\n✗ ${test.name}  (trace ${test.traceId})`);
  console.log(`  ${String(test.status.message ?? '').split('\n')[0]}`);
  printTree(test, '  ');
}
console.log('\nOne test fails on purpose: the third party answered 429 Rate Exceeded, and its trace shows it.');
console.log('To see the traces in Jaeger: OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4318 npm run demo');
process.exit(jest.status === null ? 1 : 0);
