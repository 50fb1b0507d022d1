import {spawnSync} from 'node:child_process';
import {OtlpReceiver} from '../support/otlp-receiver';
import {JEST, NODE, ourWarnings, outcomes, runJest} from '../support/run-jest';
import {childrenOf, onlySpan, testSpans} from '../support/spans';

/*
 * Tracing on top of another environment without writing a module: the project's base environment named in the
 * options, the jsdom entry in a docblock, a custom environment named in a docblock's options; and the files that ran
 * on another environment, named by the reporter with the fix.
 */

let receiver: OtlpReceiver;
beforeEach(async () => {
  receiver = await new OtlpReceiver().start();
});
afterEach(() => receiver.stop());

// jest-environment-jsdom 30 (the one installed) requires Jest 30; the compatibility matrix also runs this file on Jest 29.
const jestMajor = Number(spawnSync(NODE, [JEST, '--version'], {encoding: 'utf8'}).stdout.trim().split('.')[0]);

(jestMajor >= 30 ? test : test.skip)('any environment traced by name, and the untraced files named with the fix', async () => {
  const run = await runJest('any-environment', {args: ['--maxWorkers=2'], env: {OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url}});
  expect(outcomes(run.results)).toEqual({
    'base-option.test.js › on the project environment named by baseEnvironment': 'passed',
    'custom-base.test.js › on a custom environment named in the docblock': 'passed',
    'docblock-entry.test.js › on the jsdom entry named in the docblock': 'passed',
    'untraced-jsdom.test.js › on plain jsdom': 'passed',
    'untraced-node.test.js › on plain node': 'passed',
  });
  const tests = testSpans(receiver.spans);
  expect(tests.map(span => span.name).sort()).toEqual([
    'on a custom environment named in the docblock',
    'on the jsdom entry named in the docblock',
    'on the project environment named by baseEnvironment',
  ]);
  const base = onlySpan(tests, 'on the project environment named by baseEnvironment');
  expect(base.attributes['seen.document']).toBe('hello');
  expect(childrenOf(receiver.spans, base).map(span => span.name)).toEqual(['inside jsdom']);
  expect(onlySpan(tests, 'on the jsdom entry named in the docblock').attributes['seen.document']).toBe('object');
  const custom = onlySpan(tests, 'on a custom environment named in the docblock');
  expect(custom.attributes).toMatchObject({'seen.custom': 'yes', 'seen.document': 'undefined'});

  const untraced = ourWarnings(run).filter(line => line.includes('ran untraced'));
  expect(untraced).toHaveLength(1);
  expect(untraced[0]).toContain('2 of 5 test files ran untraced, on an environment other than jest-environment-otel: untraced-jsdom.test.js, untraced-node.test.js.');
  expect(untraced[0]).toContain('testEnvironmentOptions.otel.baseEnvironment');
  expect(untraced[0]).toContain('@jest-environment otel/jsdom');
  expect(untraced[0]).toContain('testRunner: "jest-environment-otel/runner"');
});

(jestMajor >= 30 ? test : test.skip)('the test runner entry traces every file on whatever environment it has, and the environment’s own once', async () => {
  const run = await runJest('any-runner', {args: ['--maxWorkers=2'], env: {OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url}});
  expect(outcomes(run.results)).toEqual({
    'custom.test.js › on the project environment, untouched': 'passed',
    'jsdom.test.js › on the docblock environment, untouched': 'passed',
    'otel.test.js › on jest-environment-otel, traced once': 'passed',
  });
  const tests = testSpans(receiver.spans);
  expect(tests.map(span => span.name).sort()).toEqual([
    'on jest-environment-otel, traced once',
    'on the docblock environment, untouched',
    'on the project environment, untouched',
  ]);
  const custom = onlySpan(tests, 'on the project environment, untouched');
  expect(custom.attributes['seen.custom']).toBe('yes');
  expect(childrenOf(receiver.spans, custom).map(span => span.name)).toEqual(['inside the custom environment']);
  expect(custom.events.map(event => event.attributes['jest.console.message'])).toEqual(['from the custom environment']);
  const jsdom = onlySpan(tests, 'on the docblock environment, untouched');
  expect(jsdom.attributes).toMatchObject({'seen.document': 'hello', team: 'web'});
  expect(childrenOf(receiver.spans, jsdom).map(span => span.name)).toEqual(['beforeEach']);
  const once = onlySpan(tests, 'on jest-environment-otel, traced once');
  expect(childrenOf(receiver.spans, once).map(span => span.name)).toEqual(['only once']);
  expect(ourWarnings(run).filter(line => line.includes('ran untraced'))).toEqual([]);
});
