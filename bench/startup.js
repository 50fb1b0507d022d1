'use strict';

/*
 * What the environment costs once per worker, before the first test: loading its modules and building the pipeline.
 * Each step is timed in order in a fresh process (a step's time excludes modules an earlier step loaded), in
 * several processes; the median of each step is reported. The package is loaded as it is published: build/index.js,
 * the single-file build (scripts/bundle.js).
 *
 *   node bench/startup.js [--processes N] [--json]
 */

const {execFileSync} = require('node:child_process');
const {join} = require('node:path');

const BUILD = join(__dirname, '..', 'build');

const ROOT = join(__dirname, '..');

const CONFIG = {
  projectConfig: {rootDir: ROOT, cacheDirectory: join(ROOT, 'bench', '.work', 'cache', 'startup'), testEnvironmentOptions: {}, globals: {}, fakeTimers: {}, customExportConditions: ['node', 'node-addons']},
  globalConfig: {},
};
const CONTEXT = {console, docblockPragmas: {}, testPath: join(ROOT, 'startup.test.js')};
const instance = file => () => new (require(file).default)(CONFIG, CONTEXT);

const STEPS = [
  ['jest-environment-node (Jest loads it anyway)', () => require('jest-environment-node')],
  ['a jest-environment-node instance, the first (its vm context; Jest makes one per file anyway)', instance('jest-environment-node')],
  ['a jest-environment-node instance, the next ones', instance('jest-environment-node')],
  ['build/index.js: the environment with the API, SDK, resources and instrumentations, one file', () => require(join(BUILD, 'index.js'))],
  ['the first traced instance: the pipeline (provider, exporter, run context, patching http/undici), the suite span', instance(join(BUILD, 'index.js'))],
];
/** The environment's own cost: loading it, and its first instance less what a plain (not first) instance costs. */
const ownMs = steps => steps[3].ms + steps[4].ms - steps[2].ms;

function child() {
  const {performance} = require('node:perf_hooks');
  const times = [];
  for (const [, step] of STEPS) {
    const started = performance.now();
    step();
    times.push(performance.now() - started);
  }
  process.stdout.write(JSON.stringify(times));
}

function main() {
  const argv = process.argv.slice(2);
  const at = argv.indexOf('--processes');
  const processes = at === -1 ? 7 : Number(argv[at + 1]);
  const runs = [];
  for (let index = 0; index < processes; index += 1) {
    const output = execFileSync(process.execPath, [__filename, '--child'], {
      cwd: ROOT,
      env: {...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9/'},
      encoding: 'utf8',
    });
    runs.push(JSON.parse(output));
  }
  const median = values => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const steps = STEPS.map(([name], index) => ({name, ms: Math.round(median(runs.map(run => run[index])) * 10) / 10}));
  const ours = ownMs(steps);
  if (argv.includes('--json')) {
    process.stdout.write(JSON.stringify({processes, steps, oursMs: Math.round(ours * 10) / 10}));
    return;
  }
  process.stdout.write(`median of ${processes} fresh processes, ms:\n`);
  for (const step of steps) process.stdout.write(`  ${String(step.ms).padStart(7)}  ${step.name}\n`);
  process.stdout.write(`  ${String(Math.round(ours * 10) / 10).padStart(7)}  the environment's own: loading it, and its first instance less a plain one\n`);
}

if (process.argv.includes('--child')) child();
else main();
