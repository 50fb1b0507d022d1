#!/usr/bin/env node
/*
 * `npm run demo:flaky`: runs the example suite (example/suite) five times into a fresh local trace store, each run
 * with its own DEMO_SEED so that the randomly flaky /recommendations endpoint answers differently from run to run
 * (and the same way again for the same seeds), then ranks the flaky tests with `jest-otel flaky example/.jest-otel`.
 * DEMO_SEED=<word> npm run demo:flaky draws other answers.
 */
const {spawnSync} = require('node:child_process');
const {existsSync, rmSync} = require('node:fs');
const {dirname, join} = require('node:path');

const RUNS = 5;
const root = join(__dirname, '..');
const storeDir = join(__dirname, '.jest-otel');
const seed = process.env.DEMO_SEED || 'demo';
const env = {...process.env};
// Runs are compared by the commit they ran (read from the git checkout). Outside a checkout they would have no
// revision, and runs of unknown revision are never compared with each other: give them one.
if (!insideGitCheckout(root)) env.OTEL_RESOURCE_ATTRIBUTES = [env.OTEL_RESOURCE_ATTRIBUTES, 'vcs.ref.head.revision=example'].filter(Boolean).join(',');

rmSync(storeDir, {recursive: true, force: true});
console.log(`Running the example suite ${RUNS} times into a fresh store, ${storeDir.slice(root.length + 1)}/:`);
for (let run = 1; run <= RUNS; run += 1) {
  const runSeed = `${seed}-${run}`;
  const jest = spawnSync(
    process.execPath,
    [join(root, 'node_modules', 'jest', 'bin', 'jest.js'), '--config', join(__dirname, 'jest.config.js'), '--json'],
    {cwd: root, env: {...env, DEMO_SEED: runSeed}, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024},
  );
  let summary;
  try {
    const results = JSON.parse(jest.stdout);
    summary = `${results.numPassedTests} passed, ${results.numFailedTests} failed`;
  } catch {
    process.stderr.write(jest.stderr);
    console.error(`run ${run}: Jest did not report its results (exit code ${jest.status})`);
    process.exit(1);
  }
  console.log(`  run ${run} of ${RUNS} (DEMO_SEED=${runSeed}): ${summary}`);
}

console.log('\n$ jest-otel flaky example/.jest-otel\n');
const report = spawnSync(process.execPath, [join(root, 'build', 'cli.js'), 'flaky', join('example', '.jest-otel')], {cwd: root, env, stdio: 'inherit'});
process.exit(report.status ?? 1);

function insideGitCheckout(dir) {
  for (; ; dir = dirname(dir)) {
    if (existsSync(join(dir, '.git'))) return true;
    if (dirname(dir) === dir) return false;
  }
}
