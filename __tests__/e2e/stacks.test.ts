import {OtlpReceiver} from '../support/otlp-receiver';
import {runJest} from '../support/run-jest';
import {exceptions} from '../support/spans';

/*
 * Jest's terminal output filters stack frames, its `--json` results do not: `failureMessages`, what CI reporters
 * (jest-junit…) read, hold each error's raw stack. Those, the file's message and the spans' exception stacks must be
 * what jest-environment-node gives, character for character. The "stacks" fixture fails in every shape whose stack
 * passes through the function circus calls: sync and async tests, `done`, hooks, causes, concurrent tests.
 */

interface JsonResults {
  testResults: Array<{failureMessage?: string | null; assertionResults: Array<{fullName: string; failureMessages: string[]}>}>;
}

function failures(results: JsonResults) {
  return results.testResults.map(file => ({
    file: file.failureMessage,
    tests: Object.fromEntries(file.assertionResults.map(test => [test.fullName, test.failureMessages])),
  }));
}

test('--json failure messages and exported exception stacks are exactly those without the environment', async () => {
  const receiver = await new OtlpReceiver().start();
  try {
    const traced = await runJest('stacks', {args: ['--runInBand'], env: {OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.tracesUrl}});
    const plain = await runJest('stacks', {args: ['--runInBand', '--testEnvironment=node']});
    const tracedFailures = failures(traced.results as unknown as JsonResults);
    const plainFailures = failures(plain.results as unknown as JsonResults);
    expect(Object.keys(plainFailures[0].tests)).toHaveLength(7);
    expect(plainFailures[0].tests['an assertion fails'][0]).toMatch(/\n {4}at /);
    expect(tracedFailures).toEqual(plainFailures);

    // The exception event of each failed test has the stack of its first failure message.
    const messages = plainFailures[0].tests;
    const failed = receiver.spans.filter(span => span.status.code === 'ERROR' && !span.attributes['jest.hook.type'] && messages[String(span.attributes['test.case.name'])]?.length);
    expect(failed.map(span => span.attributes['test.case.name']).sort()).toEqual(Object.keys(messages).filter(name => messages[name].length).sort());
    for (const span of failed) {
      const stack = String(exceptions(span)[0]['exception.stacktrace']);
      expect(messages[String(span.attributes['test.case.name'])][0].startsWith(stack)).toBe(true);
    }
  } finally {
    await receiver.stop();
  }
});
