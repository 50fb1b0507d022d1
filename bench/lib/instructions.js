'use strict';

const {execFileSync} = require('node:child_process');
const {mkdirSync, readFileSync, rmSync} = require('node:fs');
const {join} = require('node:path');
const {runJest} = require('./jest');
const {configurations} = require('./scenario');
const {generateSuite} = require('./suite');

/*
 * Machine instructions executed by a run, counted by valgrind (cachegrind without cache simulation): unlike wall or
 * CPU time they do not move with what else a shared machine is doing (repeated runs agree within about 0.5 %), so
 * they show changes of a few percent that the timed rounds cannot resolve. One file run in band (the jest process
 * runs the tests and is the only process counted), plain and traced, with 1 test and with `tests` tests: the
 * difference gives the tracing's cost per test and its fixed cost (loading, the pipeline, one file), in instructions.
 * A run under valgrind is 30–50 times slower; about 40 s each here. Instruction counts are not time: code that runs
 * cold (interpreted) costs more instructions per operation than code V8 has optimized.
 */

const VALGRIND = ['valgrind', '--tool=cachegrind', '--cache-sim=no', '--branch-sim=no', '--smc-check=all-non-file'];

function hasValgrind() {
  try {
    execFileSync('valgrind', ['--version'], {stdio: 'ignore'});
    return true;
  } catch {
    return false;
  }
}

async function instructionsSection({services, workDir, log, tests: asked}) {
  const tests = Math.max(2, asked);
  if (!hasValgrind()) return {skipped: 'valgrind is not installed'};
  // Under the bench's suites and cache folders, which it deletes at the end unless --keep is given.
  const cache = join(workDir, 'cache', 'instructions');
  rmSync(cache, {recursive: true, force: true});
  mkdirSync(cache, {recursive: true});
  const all = configurations(services);
  const chosen = ['plain', 'otlp', 'uninstrumented'].map(name => ({name, ...all[name]}));
  const rows = [];
  for (const count of [1, tests]) {
    const suite = generateSuite(join(workDir, 'suites', `instructions-${count}`), {files: 1, tests: count, calls: 1});
    for (const config of chosen) {
      if (config.name === 'uninstrumented' && count === 1) continue;
      const run = {
        config: suite.configs[config.config],
        rootDir: suite.dir,
        cacheDirectory: join(cache, `${count}-${config.name}`),
        args: ['--runInBand'],
        env: {...config.env, BENCH_SERVICE_URL: services.service.url},
        expectedTests: count,
      };
      await runJest(run); // fills Jest's transform cache: the counted run does not transform
      const out = join(cache, `cachegrind-${count}-${config.name}.out`);
      const counted = await runJest({...run, wrapper: [...VALGRIND, `--cachegrind-out-file=${out}`]});
      const instructions = Number(/^summary:\s+(\d+)/m.exec(readFileSync(out, 'utf8'))?.[1]);
      log(`  instructions, 1 file × ${count} tests, ${config.key}: ${(instructions / 1e9).toFixed(3)} G (${(counted.wallMs / 1000).toFixed(0)} s under valgrind)`);
      rows.push({tests: count, config: config.name, label: `${config.key} · ${config.label}`, instructions});
    }
  }
  const of = (count, name) => rows.find(row => row.tests === count && row.config === name)?.instructions ?? NaN;
  const perTest = (of(tests, 'otlp') - of(tests, 'plain') - (of(1, 'otlp') - of(1, 'plain'))) / (tests - 1);
  return {
    tests,
    rows,
    ratio: of(tests, 'otlp') / of(tests, 'plain'),
    plainPerTest: (of(tests, 'plain') - of(1, 'plain')) / (tests - 1),
    tracingPerTest: perTest,
    tracingFixed: of(1, 'otlp') - of(1, 'plain') - perTest,
    instrumentationsPerTest: (of(tests, 'otlp') - of(tests, 'uninstrumented')) / tests,
  };
}

module.exports = {instructionsSection};
