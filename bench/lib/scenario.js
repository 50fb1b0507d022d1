'use strict';

const {rmSync} = require('node:fs');
const {join} = require('node:path');
const {runJest} = require('./jest');
const {median} = require('./stats');
const {countStoredSpans} = require('./store-count');

/*
 * One comparison: a suite run under several configurations, each with its own fresh Jest cache folder, warmed by one
 * run. Then `pairs` rounds, alternating the order (a b c d, then d c b a…) so that a drift of the machine's speed
 * during the run weighs on every configuration alike. Ratios are taken within a round, against plain Jest of the
 * same round, and their median is reported.
 */

const STORE_DIR = '.jest-otel';

/**
 * The configurations compared (a–d), two for the ablation (e, f) and four for the instruction counts with workers (g;
 * h–j, the least an SDK-based tracer does: bench/lib/floor-environment.js); `services` holds the URLs the bench
 * started.
 */
function configurations(services) {
  return {
    plain: {key: 'a', label: 'jest-environment-node', config: 'node', env: {}},
    otlp: {key: 'b', label: 'otel → OTLP receiver', config: 'otel', env: {OTEL_EXPORTER_OTLP_ENDPOINT: services.receiver.url}},
    store: {key: 'c', label: 'otel → local store', config: 'otel', env: {}},
    down: {key: 'd', label: 'otel → collector down', config: 'otel', env: {OTEL_EXPORTER_OTLP_ENDPOINT: services.closedUrl}},
    uninstrumented: {
      key: 'e',
      label: 'otel → OTLP, http/fetch off',
      config: 'otelUninstrumented',
      env: {OTEL_EXPORTER_OTLP_ENDPOINT: services.receiver.url},
    },
    disabled: {key: 'g', label: 'otel loaded, OTEL_SDK_DISABLED=true', config: 'otel', env: {OTEL_SDK_DISABLED: 'true'}},
    floorPipeline: {
      key: 'h',
      label: 'SDK floor: pipeline, no spans',
      config: 'floor',
      env: {BENCH_FLOOR: 'pipeline', OTEL_EXPORTER_OTLP_ENDPOINT: services.receiver.url},
    },
    floorSpans: {
      key: 'i',
      label: 'SDK floor: test and hook spans → OTLP',
      config: 'floor',
      env: {BENCH_FLOOR: 'spans', OTEL_EXPORTER_OTLP_ENDPOINT: services.receiver.url},
    },
    floorUnexported: {
      key: 'j',
      label: 'SDK floor: test and hook spans, not exported',
      config: 'floor',
      env: {BENCH_FLOOR: 'unexported', OTEL_EXPORTER_OTLP_ENDPOINT: services.receiver.url},
    },
    released: {
      key: 'f',
      label: 'jest-environment-node, circus storages released, no tracing',
      config: 'released',
      env: {},
    },
  };
}

let runCounter = 0;

async function measure({name, suite, names, pairs, args = [], services, workDir, log}) {
  const all = configurations(services);
  const chosen = names.map(key => ({name: key, ...all[key]}));
  const runs = Object.fromEntries(names.map(key => [key, []]));
  const cacheOf = config => join(workDir, 'cache', `${name}-${config.name}`);
  for (const config of chosen) rmSync(cacheOf(config), {recursive: true, force: true});

  const once = async (config, measured) => {
    const runId = `bench-${process.pid}-${(runCounter += 1)}`;
    const run = {
      config: suite.configs[config.config],
      rootDir: suite.dir,
      cacheDirectory: cacheOf(config),
      args,
      env: {...config.env, BENCH_SERVICE_URL: services.service.url, JEST_OTEL_RUN_ID: runId},
      expectedTests: suite.totalTests,
    };
    services.receiver.take();
    const result = await runJest(run).catch(async error => {
      // build/ is rebuilt by `npm test`; a run that caught it half-written gets one more chance.
      log(`  ${name} ${config.key} failed, retrying once in 5 s: ${String(error.message).split('\n')[0]}`);
      await new Promise(resolve => setTimeout(resolve, 5_000));
      services.receiver.take();
      return runJest(run);
    });
    const received = services.receiver.take();
    const record = {wallMs: result.wallMs, cpuMs: result.cpuMs, peaks: result.peaks, received, warnings: result.warnings};
    if (config.name === 'store') record.stored = countStoredSpans(join(suite.dir, STORE_DIR, 'runs', runId));
    if (measured) runs[config.name].push(record);
    log(`  ${name} ${measured ? 'run ' : 'warm'} ${config.key} ${config.label.padEnd(38)} ${(result.wallMs / 1000).toFixed(2)} s  cpu ${(result.cpuMs / 1000).toFixed(2)} s  peak ${workerPeak(result.peaks)} MB`);
    return record;
  };

  const warmups = {};
  for (const config of chosen) warmups[config.name] = await once(config, false);
  for (let round = 0; round < pairs; round += 1) {
    const order = round % 2 === 0 ? chosen : [...chosen].reverse();
    for (const config of order) await once(config, true);
  }
  return summarize({name, suite, chosen, runs, warmups, pairs, args});
}

/** Peak RSS of the process that ran the tests: the busiest worker child, or jest itself when it ran in band. */
function workerPeak(peaks) {
  return peaks.workers.length > 0 ? Math.max(...peaks.workers) : peaks.main;
}

function summarize({name, suite, chosen, runs, warmups, pairs, args}) {
  const plain = runs.plain;
  const summary = {name, suite: {files: suite.files, tests: suite.tests, calls: suite.calls, totalTests: suite.totalTests}, args, pairs, configs: {}};
  for (const config of chosen) {
    const list = runs[config.name];
    const entry = {
      name: config.name,
      key: config.key,
      label: config.label,
      wallMs: list.map(run => run.wallMs),
      medianMs: median(list.map(run => run.wallMs)),
      cpuMs: list.map(run => run.cpuMs),
      medianCpuMs: median(list.map(run => run.cpuMs)),
      workerPeakMb: median(list.map(run => workerPeak(run.peaks))),
      mainPeakMb: median(list.map(run => run.peaks.main)),
      workers: median(list.map(run => run.peaks.workers.length)),
      warnings: [...new Set(list.flatMap(run => run.warnings))],
    };
    if (plain && config.name !== 'plain') {
      entry.ratios = list.map((run, index) => run.wallMs / plain[index].wallMs);
      entry.medianRatio = median(entry.ratios);
      entry.deltaMs = list.map((run, index) => run.wallMs - plain[index].wallMs);
      entry.medianDeltaMs = median(entry.deltaMs);
      entry.cpuRatios = list.map((run, index) => run.cpuMs / plain[index].cpuMs);
      entry.medianCpuRatio = median(entry.cpuRatios);
      entry.deltaPeakMb = entry.workerPeakMb - median(plain.map(run => workerPeak(run.peaks)));
    }
    if (config.name === 'otlp') entry.received = list[0]?.received ?? warmups.otlp.received;
    if (config.name === 'store') entry.stored = list[0]?.stored ?? warmups.store.stored;
    summary.configs[config.name] = entry;
  }
  if (runs.down && runs.otlp) {
    summary.downMinusUpMs = runs.down.map((run, index) => run.wallMs - runs.otlp[index].wallMs);
    summary.medianDownMinusUpMs = median(summary.downMinusUpMs);
  }
  return summary;
}

module.exports = {configurations, measure, workerPeak};
