'use strict';

/*
 * What the environment costs once per worker, before the first test: loading its modules and building the pipeline.
 * Each step is timed in order in a fresh process (a step's time excludes modules an earlier step loaded), in
 * several processes; the median of each step is reported.
 *
 *   node bench/startup.js [--processes N] [--json]
 */

const {execFileSync} = require('node:child_process');
const {join} = require('node:path');

const BUILD = join(__dirname, '..', 'build');

const ROOT = join(__dirname, '..');

const STEPS = [
  ['jest-environment-node (Jest loads it anyway)', () => require('jest-environment-node')],
  ['build/index.js: the environment, @opentelemetry/api, core, resources, sdk-trace, context-async-hooks', () => require(join(BUILD, 'index.js'))],
  ['@opentelemetry/instrumentation (require-in-the-middle…)', () => require('@opentelemetry/instrumentation')],
  ['@opentelemetry/instrumentation-http', () => require('@opentelemetry/instrumentation-http')],
  ['@opentelemetry/instrumentation-undici', () => require('@opentelemetry/instrumentation-undici')],
  ['build/otlp.js: the protobuf serializer (otlp-transformer)', () => require(join(BUILD, 'otlp.js'))],
  [
    'getPipeline(): provider, exporter, run context, patching http/undici',
    () => require(join(BUILD, 'telemetry.js')).getPipeline(require(join(BUILD, 'config.js')).loadConfig({}), ROOT),
  ],
];

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
  const ours = steps.slice(1).reduce((sum, step) => sum + step.ms, 0);
  if (argv.includes('--json')) {
    process.stdout.write(JSON.stringify({processes, steps, oursMs: Math.round(ours * 10) / 10}));
    return;
  }
  process.stdout.write(`median of ${processes} fresh processes, ms:\n`);
  for (const step of steps) process.stdout.write(`  ${String(step.ms).padStart(7)}  ${step.name}\n`);
  process.stdout.write(`  ${String(Math.round(ours * 10) / 10).padStart(7)}  the environment's own (all but the first)\n`);
}

if (process.argv.includes('--child')) child();
else main();
