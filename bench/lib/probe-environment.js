'use strict';

const {appendFileSync, writeFileSync} = require('node:fs');
const {join} = require('node:path');
const {performance} = require('node:perf_hooks');

/*
 * A test environment for measurements that the timed comparisons must not pay for. Its base class is chosen by
 * BENCH_PROBE_BASE: `node` (plain jest-environment-node), `otel` (this package, the default) or `released` (plain,
 * with only the circus storage release). It
 *  - adds up the time of each lifecycle method per worker and writes it to $BENCH_TIMINGS_DIR/timings-<pid>.json
 *    when the worker exits;
 *  - with BENCH_HEAP_EVERY=N (and node --expose-gc), every N finished tests forces a garbage collection and appends
 *    the heap still in use to $BENCH_HEAP_FILE: what the run keeps, as opposed to the peak RSS, which also counts
 *    garbage not yet collected.
 */

const BASES = {
  node: () => require('jest-environment-node').default,
  otel: () => require(join(__dirname, '..', '..', 'build', 'index.js')).default,
  released: () => require('./released-environment.js'),
};
const Base = (BASES[process.env.BENCH_PROBE_BASE] ?? BASES.otel)();
const heapEvery = Number(process.env.BENCH_HEAP_EVERY ?? 0);

const totals = {files: 0, firstConstructorMs: 0, constructorMs: 0, setupMs: 0, handleTestEventMs: 0, events: 0, tests: 0, teardownMs: 0};
/** handleTestEvent's time per circus event name. */
const eventMs = {};
let testsDone = 0;

process.once('exit', () => {
  if (!process.env.BENCH_TIMINGS_DIR) return;
  writeFileSync(join(process.env.BENCH_TIMINGS_DIR, `timings-${process.pid}.json`), JSON.stringify({...totals, eventMs}));
});

function sampleHeap() {
  if (typeof global.gc !== 'function' || !process.env.BENCH_HEAP_FILE) return;
  global.gc();
  appendFileSync(process.env.BENCH_HEAP_FILE, `${JSON.stringify({tests: testsDone, heapUsedMb: process.memoryUsage().heapUsed / 1024 / 1024})}\n`);
}

module.exports = class ProbeEnvironment extends Base {
  constructor(config, context) {
    const started = performance.now();
    super(config, context);
    const ms = performance.now() - started;
    if (totals.files === 0) totals.firstConstructorMs = ms;
    totals.constructorMs += ms;
    totals.files += 1;
  }

  async setup() {
    const started = performance.now();
    await super.setup();
    totals.setupMs += performance.now() - started;
  }

  async teardown() {
    const started = performance.now();
    await super.teardown();
    totals.teardownMs += performance.now() - started;
  }

  handleTestEvent(event, state) {
    const started = performance.now();
    const result = super.handleTestEvent?.(event, state);
    const ms = performance.now() - started;
    totals.handleTestEventMs += ms;
    eventMs[event.name] = (eventMs[event.name] ?? 0) + ms;
    totals.events += 1;
    if (event.name === 'test_done') totals.tests += 1;
    if (heapEvery > 0 && event.name === 'test_done' && (testsDone += 1) % heapEvery === 0) sampleHeap();
    return result;
  }
};
