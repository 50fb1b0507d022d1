#!/usr/bin/env node
/*
 * `npm run demo`: runs the example suite (example/suite) traced by this environment, with the reporter, which prints
 * the trace of each failed test and writes the HTML timeline; then says where the traces and the timeline are. With no OTLP endpoint set, spans go to the local trace store
 * (example/.jest-otel); with OTEL_EXPORTER_OTLP_ENDPOINT set they also go to that backend.
 */
const {spawnSync} = require('node:child_process');
const {join, relative} = require('node:path');
const {latestRun, readRun} = require('../build/shared/store-read.js');

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
console.log(`\nTraced ${tests.length} tests in ${spans.length} spans.`);
console.log(`Traces of this run: ${relative(process.cwd(), run)}/ (OTLP JSON lines, one file per Jest worker)`);
console.log(`Timeline of this run: ${relative(process.cwd(), join(storeDir, 'report.html'))} (open it in a browser)`);
console.log('\nOne test fails on purpose: the third party answered 429 Rate Exceeded; its trace, above, shows the call.');
console.log('To see the traces in Jaeger: OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4318 npm run demo');
process.exit(jest.status === null ? 1 : 0);
