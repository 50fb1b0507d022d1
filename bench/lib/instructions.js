'use strict';

const {execFileSync} = require('node:child_process');
const {mkdirSync, readFileSync, readdirSync, rmSync} = require('node:fs');
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
 *
 * The same with two workers (`workersSection`): a suite of more than 20 files (Jest runs 20 or fewer fast files in band
 * whatever `-w` says) with `-w 2`, valgrind following every child process, so that the count covers the jest process
 * and both workers: a noise-free figure for the case the timed rounds find hardest to measure, and, with tracing
 * loaded but disabled and with the HTTP and fetch tracing off, where its cost goes. Beside them the floor
 * (bench/lib/floor-environment.js): the SDK's test and hook spans alone, exported and not, against the same pipeline
 * making no span — what any tracer built on the OpenTelemetry SDK pays per test before it does anything else.
 */

const VALGRIND = ['valgrind', '--tool=cachegrind', '--cache-sim=no', '--branch-sim=no', '--smc-check=all-non-file'];

/** The instruction count of one cachegrind output file. */
const summaryOf = text => Number(/^summary:\s+(\d+)/m.exec(text)?.[1] ?? NaN);

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
      const instructions = summaryOf(readFileSync(out, 'utf8'));
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

const WORKER_FILES = 24;

/** Instructions of one run of `run`, summed over the jest process and every process it started (its workers). */
async function countWithChildren(run, outDir) {
  rmSync(outDir, {recursive: true, force: true});
  mkdirSync(outDir, {recursive: true});
  await runJest({...run, wrapper: [...VALGRIND, '--trace-children=yes', `--cachegrind-out-file=${join(outDir, '%p.out')}`]});
  let total = 0;
  let workers = 0;
  const files = readdirSync(outDir);
  for (const file of files) {
    const text = readFileSync(join(outDir, file), 'utf8');
    const instructions = summaryOf(text);
    total += instructions;
    if (/^cmd:.*processChild/m.test(text)) workers += instructions;
  }
  return {total, workers, processes: files.length};
}

async function workersSection({services, workDir, log, tests: perFile}) {
  if (!hasValgrind()) return {skipped: 'valgrind is not installed'};
  const cache = join(workDir, 'cache', 'instructions-workers');
  rmSync(cache, {recursive: true, force: true});
  mkdirSync(cache, {recursive: true});
  const suite = generateSuite(join(workDir, 'suites', 'instructions-workers'), {files: WORKER_FILES, tests: perFile, calls: 1});
  const all = configurations(services);
  const chosen = ['plain', 'disabled', 'uninstrumented', 'otlp', 'floorPipeline', 'floorSpans', 'floorUnexported'].map(name => ({name, ...all[name]}));
  const rows = [];
  for (const config of chosen) {
    const run = {
      config: suite.configs[config.config],
      rootDir: suite.dir,
      cacheDirectory: join(cache, config.name),
      args: ['-w', '2'],
      env: {...config.env, BENCH_SERVICE_URL: services.service.url},
      expectedTests: suite.totalTests,
    };
    await runJest(run);
    const counted = await countWithChildren(run, join(cache, `cachegrind-${config.name}`));
    log(`  instructions, ${WORKER_FILES} files × ${perFile} tests, -w 2, ${config.key}: ${(counted.total / 1e9).toFixed(3)} G in ${counted.processes} processes, workers ${(counted.workers / 1e9).toFixed(3)} G`);
    rows.push({config: config.name, label: `${config.key} · ${config.label}`, ...counted});
  }
  const of = name => rows.find(row => row.config === name) ?? {total: NaN, workers: NaN};
  const tests = suite.totalTests;
  return {
    files: WORKER_FILES,
    tests: perFile,
    rows,
    ratio: of('otlp').total / of('plain').total,
    workersRatio: of('otlp').workers / of('plain').workers,
    plainPerTest: of('plain').workers / tests,
    tracingPerTest: (of('otlp').workers - of('plain').workers) / tests,
    loadedPerTest: (of('disabled').workers - of('plain').workers) / tests,
    instrumentationsPerTest: (of('otlp').workers - of('uninstrumented').workers) / tests,
    floorSpansPerTest: (of('floorSpans').workers - of('floorPipeline').workers) / tests,
    floorUnexportedPerTest: (of('floorUnexported').workers - of('floorPipeline').workers) / tests,
  };
}

module.exports = {instructionsSection, workersSection, hasValgrind, summaryOf, VALGRIND};
