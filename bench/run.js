'use strict';

/*
 * `npm run bench`: the cost of tracing a Jest suite with this environment, against plain jest-environment-node, on a
 * generated suite of integration tests. See BENCHMARKS.md for what it measures and the latest numbers;
 * `npm run bench -- --help` for the flags.
 */

const {execFileSync} = require('node:child_process');
const {mkdirSync, rmSync, writeFileSync} = require('node:fs');
const {join} = require('node:path');
const {parseArgs} = require('./lib/args');
const {heapSeries} = require('./lib/heap');
const {instructionsSection, workersSection} = require('./lib/instructions');
const {buildFingerprint, machine} = require('./lib/machine');
const {profileSection} = require('./lib/profile');
const {receiverSection} = require('./lib/receiver-flood');
const {renderReport} = require('./lib/report');
const {measure} = require('./lib/scenario');
const {closedPortUrl, startReceiver, startService} = require('./lib/services');
const {JEST_BIN, jestBinary, useJest} = require('./lib/jest');
const {generateSuite} = require('./lib/suite');
const {unitInstructionsSection, unitSection} = require('./lib/unit');

const WORK = join(__dirname, '.work');

function log(line) {
  process.stderr.write(`${line}\n`);
}

function runScript(script, args) {
  return JSON.parse(execFileSync(process.execPath, [join(__dirname, script), ...args, '--json'], {encoding: 'utf8'}));
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  if (options.jest) useJest(options.jest);
  const started = Date.now();
  mkdirSync(WORK, {recursive: true});
  const services = {service: await startService(), receiver: await startReceiver(), closedUrl: await closedPortUrl()};
  const suites = join(WORK, 'suites');
  const jestVersion = execFileSync(process.execPath, [jestBinary(), '--version'], {encoding: 'utf8'}).trim();
  log(`jest ${jestVersion} (${jestBinary()})`);
  // The Jest's own path only where it is not the repository's.
  const jest = {version: jestVersion, bin: jestBinary() === JEST_BIN ? undefined : jestBinary()};
  const results = {options, jest, machine: machine(), startedAt: new Date(started).toISOString(), build: {atStart: buildFingerprint()}};
  const has = section => options.sections.includes(section);
  const common = {services, workDir: WORK, log};
  try {
    const suite = generateSuite(join(suites, 'default'), {files: options.files, tests: options.tests, calls: options.calls});
    if (has('unit')) {
      results.unit = await unitSection({...common, files: options.unitFiles, tests: options.unitTests, pairs: options.pairs, workers: [2], transforms: options.unitTransforms});
    }
    if (has('unit-instructions')) {
      log('unit-test suite: instructions counted by valgrind, in band');
      results.unitInstructions = await unitInstructionsSection({...common, files: options.unitInstructionFiles, tests: options.unitInstructionTests, rounds: options.unitInstructionRounds, transforms: options.unitTransforms});
    }
    if (has('suite')) {
      results.suite = [];
      for (const workers of options.workers) {
        log(`suite: ${suite.files} files × ${suite.tests} tests, -w ${workers}`);
        const names = ['plain', 'otlp', 'store', 'down'];
        results.suite.push(await measure({...common, name: `suite-w${workers}`, suite, names, pairs: options.pairs, args: ['-w', String(workers)]}));
      }
    }
    if (has('ablation')) {
      log('ablation: the default suite without the HTTP and fetch instrumentations, and plain Jest with only the storage release, -w 1');
      const names = ['plain', 'otlp', 'uninstrumented', 'released'];
      results.ablation = await measure({...common, name: 'ablation', suite, names, pairs: options.pairs, args: ['-w', '1']});
    }
    if (has('scaling')) {
      results.scaling = [];
      for (const tests of options.scalingTests) {
        for (const calls of options.scalingCalls) {
          const cell = generateSuite(join(suites, `scaling-${tests}-${calls}`), {files: options.scalingFiles, tests, calls});
          log(`scaling: ${cell.files} files × ${tests} tests × ${calls} calls, -w 1`);
          results.scaling.push(await measure({...common, name: `scaling-${tests}-${calls}`, suite: cell, names: ['plain', 'otlp'], pairs: options.scalingPairs, args: ['-w', '1']}));
          rmSync(cell.dir, {recursive: true, force: true});
        }
      }
    }
    if (has('big')) {
      const big = generateSuite(join(suites, 'big'), {files: 1, tests: options.bigFile, calls: 1});
      log(`one file of ${options.bigFile} tests`);
      results.big = await measure({...common, name: 'big', suite: big, names: ['plain', 'otlp'], pairs: options.bigPairs});
      log('  heap kept by the same file, after forced garbage collections');
      results.bigHeap = await heapSeries({...common, suite: big, every: Math.max(1, Math.floor(options.bigFile / 5))});
    }
    if (has('micro')) {
      log('micro-benchmark of the recorder');
      results.micro = runScript('micro.js', ['--tests', String(options.microTests)]);
    }
    if (has('profile')) {
      log('startup cost, CPU profile and lifecycle timings');
      results.startup = runScript('startup.js', []);
      results.profile = await profileSection({...common, suite});
    }
    if (has('instructions')) {
      log('instructions counted by valgrind, one file in band');
      results.instructions = await instructionsSection({...common, tests: options.instructionTests});
      if (options.quick) {
        log('instructions with two workers: left out of a quick run (about 20 minutes under valgrind)');
      } else {
        log(`instructions counted by valgrind, ${options.tests} tests per file, two workers`);
        results.instructionsWorkers = await workersSection({...common, tests: options.tests});
      }
    }
    if (has('receiver')) {
      log(`receiver: ${options.receiverSpans} spans from a service in another process during a run, against the same run without them, -w 2`);
      results.receiver = await receiverSection({workDir: WORK, log, spans: options.receiverSpans, pairs: options.receiverPairs});
    }
  } finally {
    await services.service.close();
    await services.receiver.close();
    if (!options.keep) {
      rmSync(suites, {recursive: true, force: true});
      rmSync(join(WORK, 'cache'), {recursive: true, force: true});
    }
  }
  results.durationS = Math.round((Date.now() - started) / 1000);
  results.build.atEnd = buildFingerprint();
  const stamp = results.startedAt.replace(/[:.]/g, '-');
  const resultsDir = join(WORK, 'results');
  mkdirSync(resultsDir, {recursive: true});
  const report = renderReport(results);
  writeFileSync(join(resultsDir, `${stamp}.json`), JSON.stringify(results, null, 2));
  writeFileSync(join(resultsDir, `${stamp}.md`), report);
  process.stdout.write(`${report}\n`);
  log(`done in ${results.durationS} s; results in ${join(resultsDir, stamp)}.{md,json}`);
}

main().catch(error => {
  process.stderr.write(`bench failed: ${error.stack ?? error}\n`);
  process.exitCode = 1;
});
