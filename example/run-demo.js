#!/usr/bin/env node
/*
 * `npm run demo`: runs the example suite (example/suite) traced by this environment, with the reporter, which prints
 * the trace of each failed test and writes the HTML timeline; then says where the traces and the timeline are, and
 * what to look at in them. The suite's global setup starts the service under test (example/services/shop-api.js) and
 * its dependencies, each a process of its own traced by OpenTelemetry's SDK, sending to the run's receiver. With no
 * OTLP endpoint set, spans go to the local trace store (example/.jest-otel); with OTEL_EXPORTER_OTLP_ENDPOINT set the
 * tests' spans also go to that backend.
 */
const {spawnSync} = require('node:child_process');
const {join, relative} = require('node:path');
const {buildTimeline} = require('../build/report/model.js');
const {describeSpan} = require('../build/report/terminal.js');
const {latestRun, readRun} = require('../build/shared/store-read.js');

const SUITE_SERVICE = require('./jest.config.js').testEnvironmentOptions.otel.serviceName;
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
const model = buildTimeline(spans);
const attempts = model.tests.reduce((sum, test) => sum + test.attempts.length, 0);
const byService = new Map();
for (const span of spans) {
  const service = span.resource['service.name'];
  if (service !== SUITE_SERVICE) byService.set(service, (byService.get(service) ?? 0) + 1);
}
const received = [...byService.values()].reduce((sum, count) => sum + count, 0);
const services = [...byService].map(([service, count]) => `${service} ${count}`).join(', ');

const here = path => relative(process.cwd(), path) || '.';
console.log(`\nTraced ${model.tests.length} tests (${attempts} attempts) in ${spans.length} spans, ${received} of them sent by the services under test${services ? ` (${services})` : ''}.`);
console.log(`Traces of this run: ${here(run)}/ (OTLP JSON lines: one file per Jest worker, received-<pid>.jsonl from the services)`);
console.log(`Timeline of this run: ${here(join(storeDir, 'report.html'))} (open it in a browser)`);
console.log('\nWhat to look at:');
for (const line of storyLines(model)) console.log(`  ${line}`);
if (received === 0) console.log('  The services sent no spans: was the receiver turned off, or its port unreachable?');
console.log('\nTo see the tests’ traces in Jaeger: OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4318 npm run demo');
process.exit(jest.status === null ? 1 : 0);

/** One line per test worth a look, said from what the run stored. */
function storyLines(timeline) {
  const lines = [];
  const serviceOf = span => timeline.resources[span.resource]?.['service.name'];
  const calls = (span, found = []) => {
    if (span.http && (span.error || span.flagged) && span.kind === 'client') found.push(span);
    for (const child of span.children) calls(child, found);
    return found;
  };
  const label = span => describeSpan({...span, error: false, flagged: false}).replace(/ \(.*$/, '');
  const named = span => `${label(span)}${serviceOf(span) && serviceOf(span) !== SUITE_SERVICE ? ` in ${serviceOf(span)}` : ''}`;
  // A failed call followed by the same call that succeeded: `…, retried → 200`.
  const retried = (span, parent) => {
    const again = parent?.children.find(sibling => sibling.offsetMs > span.offsetMs && !sibling.error && !sibling.flagged && sibling.http?.method === span.http.method && sibling.http?.target === span.http.target);
    return again ? `${named(span)}, retried → ${again.http.statusCode}` : named(span);
  };
  const parentOf = (root, span) => (root.children.includes(span) ? root : root.children.map(child => parentOf(child, span)).find(Boolean));
  for (const test of timeline.tests) {
    const last = test.attempts[test.attempts.length - 1];
    if (test.status === 'fail') {
      const failing = calls(last.root).at(-1);
      lines.push(`✗ ${test.name}: fails on purpose${failing ? `; the call that failed it, ${named(failing)}, is selected when the page opens` : ''}`);
    } else if (test.status === 'flaky') {
      lines.push(`↻ ${test.name}: flaky, failed then passed on its retry (jest.retryTimes): ${test.attempts.length} attempts, each its own trace`);
    } else if (test.status === 'pass' && test.failedCalls) {
      lines.push(`! ${test.name}: passed, though calls inside it failed (marked in the list): ${calls(last.root).map(span => retried(span, parentOf(last.root, span))).join('; ')}`);
    }
  }
  const skipped = timeline.tests.filter(test => test.status === 'skip').map(test => `○ ${test.name}`);
  const todo = timeline.tests.filter(test => test.status === 'todo').map(test => `✎ ${test.name}`);
  if (skipped.length + todo.length > 0) lines.push(`${[...skipped, ...todo].join(', ')}: listed with their outcome, not run`);
  return lines;
}
