import {unusedPort} from '../support/ports';
import {OtlpReceiver} from '../support/otlp-receiver';
import {SMALL_OUTCOMES, ourWarnings, outcomes, runJest} from '../support/run-jest';
import {testSpans} from '../support/spans';

/*
 * Tracing problems never change a test's outcome or hang a run: bad configuration, a collector that is not there.
 * The "small" fixture has three tests, one failing on purpose.
 */

test('a collector that is not there: same outcomes, no hang, one warning naming the endpoint', async () => {
  const endpoint = `http://127.0.0.1:${await unusedPort()}`;
  const run = await runJest('small', {args: ['--runInBand'], env: {OTEL_EXPORTER_OTLP_ENDPOINT: endpoint}});
  expect(outcomes(run.results)).toEqual(SMALL_OUTCOMES);
  expect(run.code).toBe(1);
  const found = ourWarnings(run);
  // At once: the endpoint and the error. At exit: how many spans that cost, and why.
  expect(found).toHaveLength(2);
  expect(found[0]).toContain(`could not export spans to ${endpoint}/v1/traces: connect ECONNREFUSED`);
  expect(found[1]).toMatch(new RegExp(`^\\[jest-environment-otel\\] 6 of 6 spans were not exported to ${endpoint}/v1/traces: 6 in exports that failed \\(connect ECONNREFUSED`));
  expect(run.stderr).not.toContain('did not exit one second');
  // Generous: the time budget itself is measured by the benchmark, not here.
  expect(run.wallMs).toBeLessThan(20_000);
});

test('malformed OTEL_* values: one clear message each, naming the variable; spans still exported', async () => {
  const receiver = await new OtlpReceiver().start();
  try {
    const run = await runJest('small', {
      args: ['--runInBand'],
      env: {
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.tracesUrl,
        OTEL_EXPORTER_OTLP_HEADERS: 'no-equals-sign',
        OTEL_EXPORTER_OTLP_TIMEOUT: 'soon',
        OTEL_RESOURCE_ATTRIBUTES: 'team=payments,=orphan',
        OTEL_SDK_DISABLED: 'maybe',
      },
    });
    expect(outcomes(run.results)).toEqual(SMALL_OUTCOMES);
    const found = ourWarnings(run);
    expect(found).toHaveLength(4);
    for (const name of ['OTEL_EXPORTER_OTLP_HEADERS', 'OTEL_EXPORTER_OTLP_TIMEOUT', 'OTEL_RESOURCE_ATTRIBUTES', 'OTEL_SDK_DISABLED']) {
      expect(found.filter(line => line.includes(name))).toHaveLength(1);
    }
    expect(testSpans(receiver.spans)).toHaveLength(3);
  } finally {
    await receiver.stop();
  }
});

test('a malformed endpoint is named, and the run goes on untraced by it', async () => {
  const run = await runJest('small', {args: ['--runInBand'], env: {OTEL_EXPORTER_OTLP_ENDPOINT: 'localhost:4318', OTEL_TRACES_EXPORTER: 'otlp'}});
  expect(outcomes(run.results)).toEqual(SMALL_OUTCOMES);
  const found = ourWarnings(run);
  expect(found[0]).toMatch(/OTEL_EXPORTER_OTLP_ENDPOINT="localhost:4318" is not valid: expected an http:\/\/ or https:\/\/ URL/);
  expect(run.stderr).not.toContain('did not exit one second');
});

test('unknown and mistyped options in testEnvironmentOptions are named with what was expected', async () => {
  const run = await runJest('small', {
    args: ['--runInBand', '--testEnvironmentOptions', JSON.stringify({otel: {servicename: 'x', console: 'yes', exporter: 'none'}})],
  });
  expect(outcomes(run.results)).toEqual(SMALL_OUTCOMES);
  const found = ourWarnings(run);
  expect(found).toHaveLength(2);
  expect(found[0]).toContain('testEnvironmentOptions.otel.servicename is not an option — did you mean serviceName?');
  expect(found[1]).toContain('testEnvironmentOptions.otel.console must be true, false, "events" or "logs"; got "yes"');
});

test('OTEL_SDK_DISABLED=true: nothing exported, globals still usable, same outcomes', async () => {
  const receiver = await new OtlpReceiver().start();
  try {
    const run = await runJest('small', {args: ['--runInBand'], env: {OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url}});
    expect(outcomes(run.results)).toEqual(SMALL_OUTCOMES);
    expect(receiver.requests).toHaveLength(0);
    expect(ourWarnings(run)).toEqual([]);
  } finally {
    await receiver.stop();
  }
});

test('failing tests show the same stacks as without the environment: no frames of ours', async () => {
  const args = ['--runInBand', '--testPathPatterns', 'failures'];
  const run = await runJest('core', {args});
  const plain = await runJest('core', {args: [...args, '--testEnvironment=node']});
  const stackOf = (text: string) => text.split('\n').filter(line => /^\s+at /.test(line));
  expect(stackOf(run.stderr).length).toBeGreaterThan(0);
  expect(stackOf(run.stderr)).toEqual(stackOf(plain.stderr));
});

test('with several workers, the collector failure is still named once per run; each worker counts its own losses', async () => {
  const endpoint = `http://127.0.0.1:${await unusedPort()}`;
  const run = await runJest('core', {args: ['--maxWorkers=2'], env: {OTEL_EXPORTER_OTLP_ENDPOINT: endpoint}});
  const found = ourWarnings(run);
  expect(found.filter(line => line.includes('could not export spans to'))).toHaveLength(1);
  const losses = found.filter(line => / spans? w(?:ere|as) not exported to /.test(line));
  expect(losses.length).toBeGreaterThanOrEqual(2);
  expect(found).toHaveLength(1 + losses.length);
  expect(run.stderr).not.toContain('did not exit one second');
});
