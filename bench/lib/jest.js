'use strict';

const {spawn} = require('node:child_process');
const {readFileSync, rmSync} = require('node:fs');
const {dirname, join, resolve} = require('node:path');
const {sampleMemory} = require('./memory');

/*
 * One real `jest` process on a generated suite: the repository's Jest (or the one `--jest` names), a given config and cache folder, `--ci`. Its
 * wall time is measured from spawn to exit; its memory by sampling /proc; its CPU time (user + system, jest and its
 * workers) from what the kernel adds to this process's children's times when it is reaped, which depends less on
 * other load of a shared machine than wall time does. A run that does not pass every test throws: a benchmark of
 * failing tests measures nothing.
 */

const JEST_BIN = join(__dirname, '..', '..', 'node_modules', 'jest', 'bin', 'jest.js');
let jestBin = JEST_BIN;

/** Runs every later jest process with the Jest of this `jest/bin/jest.js` (`--jest`), e.g. the matrix's Jest 29. */
function useJest(bin) {
  jestBin = resolve(bin);
}

/** The `jest/bin/jest.js` the bench runs. */
function jestBinary() {
  return jestBin;
}

/** The bench's own environment without any OTEL_*, JEST_* or CI variable that would change what is measured. */
function cleanEnv(extra) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    // JEST_OTEL_CODE_CACHE is passed on: `JEST_OTEL_CODE_CACHE=off npm run bench` measures without the code cache.
    if (key !== 'JEST_OTEL_CODE_CACHE' && /^(OTEL_|JEST_|TRACEPARENT$|TRACESTATE$|CI$|GITHUB_|GITLAB_|BUILDKITE|CIRCLE|TRAVIS|JENKINS|BUILD_)/.test(key)) continue;
    env[key] = value;
  }
  return {...env, NO_COLOR: '1', FORCE_COLOR: '0', ...extra};
}

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** CPU time (ms) of this process's children that have exited and been waited for: cutime + cstime of /proc/self/stat. */
function reapedChildrenCpuMs() {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) * TICK_MS;
}

/**
 * @param {object} run
 * @param {string} run.config  jest config file
 * @param {string} run.rootDir the suite's folder
 * @param {string} run.cacheDirectory
 * @param {string[]} [run.args] more jest flags (-w 2, --runInBand…)
 * @param {string[]} [run.nodeArgs] flags for node itself (--cpu-prof…)
 * @param {string[]} [run.wrapper] a command that runs node (valgrind and its flags): the command line is prefixed
 * @param {Record<string, string>} [run.env]
 * @param {number} run.expectedTests
 */
async function runJest(run) {
  const output = join(dirname(run.cacheDirectory), `result-${process.pid}-${Date.now()}.json`);
  const args = [
    ...(run.nodeArgs ?? []),
    jestBin,
    '--ci',
    '--config', run.config,
    '--rootDir', run.rootDir,
    '--cacheDirectory', run.cacheDirectory,
    '--json', '--outputFile', output,
    ...(run.args ?? []),
  ];
  const cpuBefore = reapedChildrenCpuMs();
  const started = process.hrtime.bigint();
  const [command, ...commandArgs] = [...(run.wrapper ?? []), process.execPath, ...args];
  const child = spawn(command, commandArgs, {cwd: run.rootDir, env: cleanEnv(run.env), stdio: ['ignore', 'ignore', 'pipe']});
  const memory = sampleMemory(child.pid);
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', chunk => (stderr = (stderr + chunk).slice(-200_000)));
  const code = await new Promise(resolve => child.on('exit', resolve));
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const peaks = memory.stop();
  const cpuMs = reapedChildrenCpuMs() - cpuBefore;
  let results;
  try {
    results = JSON.parse(readFileSync(output, 'utf8'));
  } catch {
    throw new Error(`jest wrote no results (exit ${code}):\n${stderr.slice(-4000)}`);
  } finally {
    rmSync(output, {force: true});
  }
  if (code !== 0 || results.numPassedTests !== run.expectedTests) {
    throw new Error(`jest exited ${code} with ${results.numPassedTests} of ${run.expectedTests} tests passed:\n${stderr.slice(-4000)}`);
  }
  const warnings = stderr.split('\n').filter(line => line.startsWith('[jest-environment-otel]'));
  return {wallMs, cpuMs, peaks, warnings, stderr};
}

module.exports = {runJest, JEST_BIN, jestBinary, useJest};
