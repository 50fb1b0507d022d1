'use strict';

const {mkdirSync, readFileSync, rmSync} = require('node:fs');
const {join} = require('node:path');
const {hasValgrind, summaryOf, VALGRIND} = require('./instructions');
const {runJest} = require('./jest');
const {configurations, measure} = require('./scenario');
const {median} = require('./stats');
const {generateUnitSuite} = require('./unit-suite');

/*
 * The unit-test suite (bench/lib/unit-suite.js): a library's own tests, many files of many tests of about a
 * millisecond, transformed by babel-jest or ts-jest with source maps. Two measurements:
 *
 *  - timed rounds (`unitSection`), plain against OTLP and the local store, with `-w 2`, as scenario.js times the default
 *    suite;
 *  - instructions counted by valgrind (`unitInstructionsSection`), in band, so that the jest process is the only one
 *    and runs every file: plain and traced, on one file of one test, one file of `tests` tests and `files` files of one
 *    test. Their differences give what tracing adds per test and per test file, apart from what it costs once per
 *    process (loading, the pipeline). Instructions are turned into time by the plain run's own rate: its CPU time
 *    outside valgrind (median of three runs) over its instruction count.
 */

async function unitSection({services, workDir, log, files, tests, pairs, workers, transforms}) {
  const results = [];
  for (const transform of transforms) {
    const suite = generateUnitSuite(join(workDir, 'suites', `unit-${transform}`), {files, tests, transform});
    for (const count of workers) {
      log(`unit suite (${transform === 'ts' ? 'ts-jest' : 'babel-jest'}): ${files} files × ${tests} tests, -w ${count}`);
      const summary = await measure({services, workDir, log, name: `unit-${transform}-w${count}`, suite, names: ['plain', 'otlp', 'store'], pairs, args: ['-w', String(count)]});
      results.push({...summary, transform});
    }
  }
  return results;
}

async function unitInstructionsSection({services, workDir, log, files, tests, rounds = 1, transforms}) {
  if (!hasValgrind()) return {skipped: 'valgrind is not installed'};
  const cache = join(workDir, 'cache', 'unit-instructions');
  rmSync(cache, {recursive: true, force: true});
  mkdirSync(cache, {recursive: true});
  const all = configurations(services);
  const chosen = ['plain', 'otlp'].map(name => ({name, ...all[name]}));
  const shapes = [
    {name: 'one', files: 1, tests: 1},
    {name: 'tests', files: 1, tests},
    {name: 'files', files, tests: 1},
  ];
  const results = [];
  for (const transform of transforms) {
    const rows = [];
    let rate;
    for (const shape of shapes) {
      const suite = generateUnitSuite(join(workDir, 'suites', `unit-instructions-${transform}-${shape.name}`), {...shape, transform});
      for (const config of chosen) {
        const run = {
          config: suite.configs[config.config],
          rootDir: suite.dir,
          cacheDirectory: join(cache, `${transform}-${shape.name}-${config.name}`),
          args: ['--runInBand'],
          env: {...config.env, BENCH_SERVICE_URL: services.service.url},
          expectedTests: suite.totalTests,
        };
        const cpu = [];
        for (let round = 0; round < 3; round += 1) cpu.push((await runJest(run)).cpuMs); // the first also fills the transform cache
        // Counted with V8's background threads off (`--single-threaded`: compilation and collection on the main thread,
        // in the same order every run): with them, counts of the 1,000-test file moved by up to 8 % between runs
        // (valgrind runs one thread at a time, so how much work they did depended on scheduling); without, by 0.5 %.
        // The median of the rounds.
        const counts = [];
        for (let round = 0; round < rounds; round += 1) {
          const out = join(cache, `cachegrind-${transform}-${shape.name}-${config.name}-${round}.out`);
          await runJest({...run, nodeArgs: ['--single-threaded'], wrapper: [...VALGRIND, `--cachegrind-out-file=${out}`]});
          counts.push(summaryOf(readFileSync(out, 'utf8')));
        }
        const instructions = median(counts);
        log(`  unit instructions (${transform}), ${shape.files} × ${shape.tests}, ${config.key}: ${(instructions / 1e9).toFixed(3)} G (${counts.map(count => (count / 1e9).toFixed(3)).join(', ')}), CPU ${median(cpu.slice(1)).toFixed(0)} ms outside valgrind`);
        rows.push({shape: shape.name, files: shape.files, tests: shape.tests, config: config.name, instructions, counts, cpuMs: median(cpu.slice(1))});
        if (shape.name === 'tests' && config.name === 'plain') rate = instructions / median(cpu.slice(1)) / 1000; // per µs
      }
    }
    const of = (shape, name) => rows.find(row => row.shape === shape && row.config === name)?.instructions ?? NaN;
    const added = shape => of(shape, 'otlp') - of(shape, 'plain');
    const perTest = (added('tests') - added('one')) / (tests - 1);
    const perFile = (added('files') - added('one')) / (files - 1) - 0; // each added file has one test: its test included
    results.push({
      transform,
      files,
      tests,
      rows,
      rounds,
      instructionsPerUs: rate,
      plainPerTest: (of('tests', 'plain') - of('one', 'plain')) / (tests - 1),
      addedPerTest: perTest,
      addedPerFile: perFile - perTest,
      addedOnce: added('one') - perTest - (perFile - perTest),
      ratio: of('tests', 'otlp') / of('tests', 'plain'),
    });
  }
  return results;
}

module.exports = {unitSection, unitInstructionsSection};
