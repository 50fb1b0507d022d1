import {OtlpReceiver} from '../support/otlp-receiver';
import {spawnSync} from 'node:child_process';
import {createRequire} from 'node:module';
import {JEST, NODE, outcomes, runJest} from '../support/run-jest';
import {childrenOf, onlySpan, testSpans} from '../support/spans';

let receiver: OtlpReceiver;
beforeEach(async () => {
  receiver = await new OtlpReceiver().start();
});
afterEach(() => receiver.stop());

test('beside setupFiles, setupFilesAfterEnv, globalSetup, fake timers, jest.resetModules() and a subclass', async () => {
  const started = Date.now();
  const run = await runJest('compat', {args: ['--runInBand'], env: {OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url}});
  const finished = Date.now();
  expect(outcomes(run.results)).toEqual({
    'fake-timers.test.js › fake timers do not freeze span timing or export': 'passed',
    'reset-modules.test.js › jest.resetModules() keeps @opentelemetry/api connected': 'passed',
    'reset-modules.test.js › the custom environment, setupFiles and globalSetup all still apply': 'passed',
  });
  const tests = testSpans(receiver.spans);
  expect(tests).toHaveLength(3);
  for (const span of tests) {
    // Real clock, not the fake one (2001) nor frozen.
    expect(span.startMs).toBeGreaterThanOrEqual(started - 1);
    expect(span.endMs).toBeLessThanOrEqual(finished + 1);
    // The user's beforeEach from setupFilesAfterEnv is traced like any hook, under its test.
    const hook = onlySpan(childrenOf(receiver.spans, span), 'beforeEach');
    expect(childrenOf(receiver.spans, hook).map(child => child.name)).toEqual(['from setupFilesAfterEnv']);
  }
  const fake = onlySpan(tests, 'fake timers do not freeze span timing or export');
  expect(onlySpan(childrenOf(receiver.spans, fake), 'inside a fake timer')).toBeDefined();
  const reset = onlySpan(tests, 'jest.resetModules() keeps @opentelemetry/api connected');
  expect(reset.attributes['seen.active.span']).toBe(reset.spanId);
});

test('the test realm is the running Jest’s own jest-environment-node, also where that is not the one this package came with', async () => {
  // Plain Jest's default: the jest-environment-node of the Jest that runs (in the compatibility matrix, Jest 29's;
  // `node` would be resolved from the project, where this package's own is installed).
  const plain = await runJest('realm', {args: ['--runInBand', `--testEnvironment=${createRequire(JEST).resolve('jest-environment-node')}`]});
  const run = await runJest('realm', {args: ['--runInBand'], env: {OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url}});
  expect(Object.keys(outcomes(plain.results))).toHaveLength(2);
  expect(outcomes(run.results)).toEqual(outcomes(plain.results));
  expect(testSpans(receiver.spans)).toHaveLength(2);
});

test('a native ESM test file (--experimental-vm-modules) sees the test span through its own import', async () => {
  const run = await runJest('esm', {
    args: ['--runInBand'],
    env: {OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, NODE_OPTIONS: '--experimental-vm-modules --no-warnings'},
  });
  expect(outcomes(run.results)).toEqual({'esm.test.js › an ESM test sees the test span through its own @opentelemetry/api import': 'passed'});
  const span = onlySpan(testSpans(receiver.spans), 'an ESM test sees the test span through its own @opentelemetry/api import');
  expect(span.attributes['seen.active.span']).toBe(span.spanId);
  const children = childrenOf(receiver.spans, span);
  expect(children.map(child => child.name).sort()).toEqual(['GET', 'esm step']);
  expect(onlySpan(children, 'esm step').scope).toBe('esm');
});

// jest-environment-jsdom 30 (the one installed) requires Jest 30; the compatibility matrix also runs this file on Jest 29.
const jestMajor = Number(spawnSync(NODE, [JEST, '--version'], {encoding: 'utf8'}).stdout.trim().split('.')[0]);

(jestMajor >= 30 ? test : test.skip)('withOtel() adds tracing to another environment: jsdom', async () => {
  const run = await runJest('jsdom', {args: ['--runInBand'], env: {OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url}});
  expect(outcomes(run.results)).toEqual({'dom.test.js › renders in jsdom, traced': 'passed'});
  const span = onlySpan(testSpans(receiver.spans), 'renders in jsdom, traced');
  expect(span.attributes['seen.active.span']).toBe(span.spanId);
  expect(childrenOf(receiver.spans, span).map(child => child.name)).toEqual(['click pay']);
  expect(span.events.map(event => event.attributes['jest.console.message'])).toEqual(['rendered 1 button']);
});
