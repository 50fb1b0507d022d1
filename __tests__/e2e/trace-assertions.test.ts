import {outcomes, runJest, type JestRun} from '../support/run-jest';

/*
 * The trace assertions fixture: a test file starts orders-api in a child process (the OpenTelemetry Node.js SDK,
 * exporting OTLP/protobuf to the run's receiver) and checks its trace with jest-environment-otel/expect. The passing
 * tests must pass and the failing ones fail, in band and with two workers, each failure's message showing the trace
 * as a tree; without a receiver, a test's own spans are still checked and a selector about a service fails at once
 * saying why.
 */

const PASSING = {
  'passing.test.js › orders-api made a POST /payments call that answered 201, and nothing failed': 'passed',
  'passing.test.js › the search call was retried once': 'passed',
  'passing.test.js › the test’s own spans: its fetch call and a span of its own': 'passed',
  'own.test.js › own: a span of the test itself': 'passed',
};
const FAILING = {
  'failing.test.js › expects the payment to answer 200': 'failed',
  'failing.test.js › expects no error in the trace': 'failed',
  'failing.test.js › expects the search call to be made once': 'failed',
  'failing.test.js › expects a search for sandals': 'failed',
  'own.test.js › own: expects a span of a service that was never called': 'failed',
};

/** The failure message of one test, colour codes removed. */
function failureOf(run: JestRun, title: string): string {
  for (const file of run.results.testResults) {
    const test = file.assertionResults.find(result => result.fullName === title) as {failureMessages?: string[]} | undefined;
    if (test) return (test.failureMessages ?? []).join('\n').replace(/\u001b\[\d+m/g, '');
  }
  throw new Error(`no test "${title}" in the run:\n${run.stderr}`);
}

describe.each([['--runInBand'], ['--maxWorkers=2']])('with jest %s', mode => {
  let run: JestRun;
  beforeAll(async () => {
    run = await runJest('trace-assertions', {args: [mode]});
  });

  test('the passing assertions pass and the failing ones fail; nothing else changes', () => {
    expect(outcomes(run.results)).toEqual({...PASSING, ...FAILING});
    expect(run.code).toBe(1);
    expect(run.stderr).not.toMatch(/not exported|dropped|still sending|internal error/);
  });

  test('a span that is not there: the selector, how long it waited, the nearest spans and why, and the trace as a tree', () => {
    const message = failureOf(run, 'expects the payment to answer 200');
    expect(message).toContain('expect(trace).toHaveSpan(selector)');
    expect(message).toContain('Expected: a span matching {"name": "POST /payments", "service": "orders-api", "status": 200}');
    expect(message).toMatch(/Received: none of the 5 spans of trace [0-9a-f]{32} \(waited 2\.\d\d s, the longest it may: timeoutMillis: 2000\)/);
    expect(message).toMatch(/Nearest:\n {2}POST \/payments → 201 \(\d+ ms, client\) · orders-api: status is 201\n/);
    expect(message).toContain("Spans of services: orders-api 4, from the run's receiver");
    expect(message).toMatch(
      new RegExp(
        [
          ' {2}POST /orders → 201 \\(\\d+ ms, client\\)',
          ' {2}└ POST /orders → 201 \\(\\d+ ms, server\\) · orders-api',
          ' {4}├ POST /payments → 201 \\(\\d+ ms, client\\) · orders-api',
          ' {4}│ └ POST /payments → 201 \\(\\d+ ms, server\\) · orders-api',
          ' {4}└ INSERT orders \\(\\d+ ms\\) · orders-api',
        ].join('\n'),
      ),
    );
  });

  test('.not: the matching spans marked in the tree, which waited for the service’s spans; secrets in them redacted', () => {
    const message = failureOf(run, 'expects no error in the trace');
    expect(message).toContain('expect(trace).not.toHaveSpan(selector)');
    expect(message).toContain('Expected: no span matching {"status": "error"}');
    expect(message).toMatch(/Received: 3 of the 3 spans of trace [0-9a-f]{32} \(waited (\d+ ms|\d\.\d\d s), until no span had ended or arrived for 1\.00 s\), marked ◀/);
    expect(message).toMatch(/└ ✗ charge card \(\d+ ms\) · orders-api: upstream https:\/\/REDACTED:REDACTED@pay\.example\/charge\?api_key=REDACTED failed {2}◀/);
    expect(message).not.toMatch(/hunter2|k3y/);
  });

  test('a count: the retried call, both attempts marked', () => {
    const message = failureOf(run, 'expects the search call to be made once');
    expect(message).toContain('Expected: 1 span matching {"kind": "client", "name": "GET /_search", "service": "orders-api"}');
    expect(message).toMatch(/Received: 2 of the 6 spans/);
    expect(message).toMatch(/├ ✗ GET \/_search → 500 \(\d+ ms, client\) · orders-api {2}◀\n.*│ └ ✗ GET \/_search → 500 \(\d+ ms, server\) · orders-api\n.*└ GET \/_search → 200 \(\d+ ms, client\) · orders-api {2}◀/);
  });

  test('an attribute that differs is shown redacted', () => {
    const message = failureOf(run, 'expects a search for sandals');
    expect(message).toMatch(/GET \/_search → 200 \(\d+ ms, client\) · orders-api: attribute url\.full is "http:\/\/127\.0\.0\.1:\d+\/_search\?q=boots&token=REDACTED"/);
    expect(message).not.toContain('s3cr3t');
  });
});

test('without a receiver, the test’s own spans are checked, and a selector about a service fails at once, saying why', async () => {
  const run = await runJest('trace-assertions', {args: ['own.test.js', '--runInBand', '--reporters=default']});
  expect(outcomes(run.results)).toEqual({
    'own.test.js › own: a span of the test itself': 'passed',
    'own.test.js › own: expects a span of a service that was never called': 'failed',
  });
  const message = failureOf(run, 'own: expects a span of a service that was never called');
  expect(message).toContain('Received: nothing to check, the selector is about spans of another service, and no receiver runs in this run');
  // At once: not after its 500 ms wait.
  const duration = (run.results.testResults[0] as {assertionResults: Array<{duration?: number}>}).assertionResults[1].duration;
  expect(duration).toBeLessThan(400);
});

test('with tracing off, an assertion cannot be decided: it fails, saying so, and does not wait', async () => {
  const run = await runJest('trace-assertions', {args: ['own.test.js', '--runInBand', '--reporters=default'], env: {OTEL_SDK_DISABLED: 'true'}});
  expect(outcomes(run.results)).toEqual({
    'own.test.js › own: a span of the test itself': 'failed',
    'own.test.js › own: expects a span of a service that was never called': 'failed',
  });
  expect(failureOf(run, 'own: a span of the test itself')).toContain('Received: nothing to check, tracing is off for this test file (OTEL_SDK_DISABLED, otel.disabled or exporter "none")');
  expect(run.wallMs).toBeLessThan(20_000);
});
