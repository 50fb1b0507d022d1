'use strict';

/*
 * Micro-benchmark of the per-event hot path: SuiteRecorder (build/recorder.js) fed synthetic circus events, with a
 * real TracerProvider and an exporter that drops everything. One "test" is what circus dispatches for a passing
 * test with one beforeEach hook: test_start, test_started, hook_start, (hook fn), hook_success, test_fn_start,
 * (test fn), test_fn_success, test_done. Test objects are made as circus makes them, each with its own `asyncError`
 * whose stack nobody has read yet, and outside the timed part.
 *
 *   node bench/micro.js [--tests N] [--json]
 */

const {performance} = require('node:perf_hooks');
const {join} = require('node:path');
const {BatchSpanProcessor, TracerProvider} = require('@opentelemetry/sdk-trace');
const {resourceFromAttributes} = require('@opentelemetry/resources');

const BUILD = join(__dirname, '..', 'build');
const {SuiteRecorder} = require(join(BUILD, 'environment', 'recorder.js'));
const {RedactingSpanProcessor} = require(join(BUILD, 'pipeline', 'redact.js'));
const {SpanLedger} = require(join(BUILD, 'pipeline', 'ledger.js'));
const spans = require(join(BUILD, 'environment', 'spans.js'));

const TEST_PATH = '/project/__tests__/checkout.test.js';
const BATCH = 1_000;
const REPEATS = 7;

const noopExporter = {
  export: (_spans, done) => done({code: 0}),
  shutdown: () => Promise.resolve(),
  forceFlush: () => Promise.resolve(),
};

function provider(withPackageProcessors) {
  const batch = new BatchSpanProcessor({exporter: noopExporter, maxQueueSize: 131_072, maxExportBatchSize: 2_048, scheduledDelayMillis: 1_000});
  const processors = withPackageProcessors ? [new RedactingSpanProcessor(), new SpanLedger(), batch] : [batch];
  return new TracerProvider({resource: resourceFromAttributes({'service.name': 'bench'}), spanProcessors: processors});
}

// Circus's shapes (jest-circus makeDescribe / makeTest / add_hook), with only the fields the recorder reads and a few
// it does not.
const root = {type: 'describeBlock', name: 'ROOT_DESCRIBE_BLOCK', parent: undefined, children: [], hooks: [], tests: []};
const block = {type: 'describeBlock', name: 'checkout', parent: root, children: [], hooks: [], tests: []};
const hook = {type: 'beforeEach', parent: block, asyncError: new Error('hook'), fn: () => undefined, seenDone: false, timeout: undefined};

function makeTest(index) {
  return {
    type: 'test', asyncError: new Error(), concurrent: false, duration: null, errors: [], failing: false,
    fn: () => undefined, invocations: 1, mode: undefined, name: `adds item ${index} to the cart`, numPassingAsserts: 0,
    parent: block, retryReasons: [], seenDone: false, startedAt: null, status: null, timeout: undefined,
    unhandledRejectionErrorByPromise: new Map(),
  };
}

/** Dispatches one test's events to `handle` (or none when `handle` is undefined) and calls its fns as circus does. */
function runTest(handle, state, test) {
  state.currentlyRunningTest = test;
  handle?.({name: 'test_start', test}, state);
  handle?.({name: 'test_started', test}, state);
  handle?.({name: 'hook_start', hook}, state);
  hook.fn.call({});
  handle?.({name: 'hook_success', hook, test}, state);
  handle?.({name: 'test_fn_start', test}, state);
  test.fn.call({});
  handle?.({name: 'test_fn_success', test}, state);
  test.duration = 1;
  handle?.({name: 'test_done', test}, state);
  state.currentlyRunningTest = null;
}

const nextTurn = () => new Promise(resolve => setImmediate(resolve));

/**
 * ns per test of `body(tests)` over `count` tests: the best of REPEATS passes (the least disturbed by the rest of a
 * shared machine). Tests are made outside the clock, and between batches the event loop turns (outside the clock
 * too) so that the batch span processor exports, as it would between tests.
 */
async function timePerTest(count, body, {stackRead = false} = {}) {
  let best = Infinity;
  for (let repeat = 0; repeat < REPEATS; repeat += 1) {
    let elapsed = 0;
    for (let done = 0; done < count; done += BATCH) {
      const tests = Array.from({length: BATCH}, (_, index) => makeTest(done + index));
      if (stackRead) for (const test of tests) void test.asyncError.stack;
      await nextTurn();
      const started = performance.now();
      body(tests);
      elapsed += performance.now() - started;
    }
    best = Math.min(best, (elapsed * 1e6) / count);
  }
  return best;
}

function recorderCase(withPackageProcessors) {
  const tracer = provider(withPackageProcessors).getTracer('bench');
  return tests => {
    const recorder = new SuiteRecorder(tracer, {testPath: TEST_PATH, suiteName: '__tests__/checkout.test.js', commonAttributes: {'jest.run.id': 'abc', 'jest.worker.id': '1'}});
    const state = {currentlyRunningTest: null, unhandledErrors: []};
    const handle = (event, current) => recorder.handle(event, current);
    for (const test of tests) runTest(handle, state, test);
    recorder.handle({name: 'run_finish'}, state);
    recorder.finish();
  };
}

async function main() {
  const argv = process.argv.slice(2);
  const at = argv.indexOf('--tests');
  const count = Math.max(BATCH, Math.round(Number(at === -1 ? 50_000 : argv[at + 1]) / BATCH) * BATCH);
  const bareTracer = provider(false).getTracer('bench');
  const cases = {
    'circus events alone (no recorder)': tests => {
      const state = {currentlyRunningTest: null};
      for (const test of tests) runTest(undefined, state, test);
    },
    'SDK only: two spans (startSpan + end), no attributes': tests => {
      for (let index = 0; index < tests.length; index += 1) {
        bareTracer.startSpan('test').end();
        bareTracer.startSpan('hook').end();
      }
    },
    'testAttributes() (reads asyncError.stack)': tests => {
      for (const test of tests) spans.testAttributes(test, TEST_PATH);
    },
    'testFullName() + hookSpanName() + describePath()': tests => {
      for (const test of tests) {
        spans.testFullName(test);
        spans.hookSpanName(hook);
        spans.describePath(test.parent);
      }
    },
    'recorder, test + beforeEach, BatchSpanProcessor(no-op)': recorderCase(false),
    'recorder, test + beforeEach, + redaction and ledger processors': recorderCase(true),
    'the same, asyncError.stack already formatted (outside the clock)': recorderCase(true),
  };
  const options = name => ({stackRead: name.startsWith('the same, asyncError.stack already formatted')});
  // Warm up every case (JIT), then measure.
  for (const [name, body] of Object.entries(cases)) await timePerTest(Math.min(count, 20_000), body, options(name));
  const results = {};
  for (const [name, body] of Object.entries(cases)) results[name] = Math.round(await timePerTest(count, body, options(name)));
  if (argv.includes('--json')) {
    process.stdout.write(JSON.stringify({tests: count, passes: REPEATS, nsPerTest: results}));
    return;
  }
  process.stdout.write(`${count} tests, best of ${REPEATS} passes, ns per test:\n`);
  for (const [name, ns] of Object.entries(results)) process.stdout.write(`  ${String(ns).padStart(8)}  ${name}\n`);
}

main().catch(error => {
  process.stderr.write(`${error.stack}\n`);
  process.exitCode = 1;
});
