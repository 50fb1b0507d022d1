'use strict';

const {existsSync, readFileSync, rmSync} = require('node:fs');
const {join} = require('node:path');
const {runJest} = require('./jest');

/*
 * The heap a long test file keeps: the suite run in band with node --expose-gc under the probe environment, which
 * forces a garbage collection every `every` tests and records the heap still used. Plain and traced (OTLP).
 */

async function heapSeries({suite, services, workDir, every}) {
  const series = {};
  for (const [name, base] of [['plain', 'node'], ['otel', 'otel']]) {
    const file = join(workDir, `heap-${name}.jsonl`);
    rmSync(file, {force: true});
    await runJest({
      config: suite.configs.probe,
      rootDir: suite.dir,
      cacheDirectory: join(workDir, 'cache', `heap-${name}`),
      args: ['--runInBand'],
      nodeArgs: ['--expose-gc'],
      env: {
        BENCH_SERVICE_URL: services.service.url,
        OTEL_EXPORTER_OTLP_ENDPOINT: services.receiver.url,
        BENCH_PROBE_BASE: base,
        BENCH_HEAP_EVERY: String(every),
        BENCH_HEAP_FILE: file,
      },
      expectedTests: suite.totalTests,
    });
    series[name] = existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').map(line => JSON.parse(line)) : [];
    rmSync(file, {force: true});
  }
  return series;
}

module.exports = {heapSeries};
