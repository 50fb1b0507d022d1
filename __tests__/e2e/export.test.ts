import {OtlpReceiver, type Fault} from '../support/otlp-receiver';
import {SMALL_OUTCOMES, ourWarnings, outcomes, runJest, type JestRun} from '../support/run-jest';
import {testSpans} from '../support/spans';

/*
 * A collector that fails, throttles, resets or answers slowly: real Jest runs against a fault-injecting receiver.
 * The "small" fixture ends 6 spans (2 suites, 3 tests, 1 user span) in two test files, exported at each file's
 * teardown.
 */

let receiver: OtlpReceiver;
beforeEach(async () => {
  receiver = await new OtlpReceiver().start();
});
afterEach(() => receiver.stop());

async function runWith(faults: Fault[], options: Record<string, unknown> = {}): Promise<JestRun> {
  receiver.faults.push(...faults);
  const args = ['--runInBand'];
  if (Object.keys(options).length > 0) args.push('--testEnvironmentOptions', JSON.stringify({otel: options}));
  return runJest('small', {args, env: {OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url}});
}

test.each<[string, Fault[]]>([
  ['503 three times', [{status: 503}, {status: 503}, {status: 503}]],
  ['500 twice', [{status: 500}, {status: 500}]],
  ['a reset connection', [{reset: true}]],
  ['429 without Retry-After', [{status: 429}]],
])('a collector that answers %s and then recovers receives every span, silently', async (_, faults) => {
  const run = await runWith(faults);
  expect(outcomes(run.results)).toEqual(SMALL_OUTCOMES);
  expect(receiver.spans).toHaveLength(6);
  expect(receiver.log.map(entry => entry.fault)).toEqual([...faults, undefined, undefined]);
  expect(ourWarnings(run)).toEqual([]);
});

test('429 with Retry-After is retried after the time it asks for', async () => {
  const run = await runWith([{status: 429, retryAfter: '1'}]);
  expect(receiver.spans).toHaveLength(6);
  // The retry is the later request with the same body; another file's export may arrive in between.
  const retry = receiver.log.findIndex((entry, index) => index > 0 && entry.body.equals(receiver.log[0].body));
  expect(retry).toBeGreaterThan(0);
  expect(receiver.log[retry].at - receiver.log[0].at).toBeGreaterThanOrEqual(950);
  expect(ourWarnings(run)).toEqual([]);
});

test('a non-retryable answer is not retried, is reported once, and the loss is counted at exit', async () => {
  const run = await runWith([{status: 400}]);
  expect(outcomes(run.results)).toEqual(SMALL_OUTCOMES);
  const found = ourWarnings(run);
  expect(found).toHaveLength(2);
  expect(found[0]).toContain(`could not export spans to ${receiver.tracesUrl}: the collector answered HTTP 400`);
  // The first file's export was refused; the second file's went through.
  const lost = 6 - receiver.spans.length;
  expect([2, 4]).toContain(lost);
  expect(found[1]).toContain(`${lost} of 6 spans were not exported to ${receiver.tracesUrl}: ${lost} in exports that failed (the collector answered HTTP 400)`);
  expect(receiver.log.map(entry => entry.fault)).toEqual([{status: 400}, undefined]);
});

test('a collector slower than the budget cannot stall the run: teardown waits flushTimeoutMillis, then moves on', async () => {
  const slow = Array.from({length: 20}, () => ({delayMs: 4_000}));
  const run = await runWith(slow, {flushTimeoutMillis: 300, exportTimeoutMillis: 3_000});
  expect(outcomes(run.results)).toEqual(SMALL_OUTCOMES);
  const found = ourWarnings(run);
  expect(found[0]).toContain('exporting spans took longer than 300 ms');
  // The unanswered exports do not keep Jest alive past the run: their spans are counted when it exits.
  expect(found.at(-1)).toBe(`[jest-environment-otel] 6 of 6 spans were not exported to ${receiver.tracesUrl}: 6 still waiting for export when the process exited.`);
  expect(run.stderr).not.toContain('did not exit one second');
  // Generous bound: two files × (300 ms teardown budget) plus Jest itself, far below the collector's 4 s answers.
  expect(run.wallMs).toBeLessThan(15_000);
});

test.each([['--runInBand'], ['--maxWorkers=2']])(
  'teardown does not wait for the collector, yet every export is answered before the worker exits (%s)',
  async workers => {
    // 60 ms per answer: below the "slow collector" threshold, so every file's export runs in the background.
    receiver.faults.push(...Array.from({length: 10}, () => ({delayMs: 60})));
    const run = await runJest('small', {args: [workers], env: {OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url}});
    expect(outcomes(run.results)).toEqual(SMALL_OUTCOMES);
    expect(receiver.spans).toHaveLength(6);
    // A worker that exited with an export unanswered would count its spans as lost, in a warning.
    expect(ourWarnings(run)).toEqual([]);
    expect(run.stderr).not.toMatch(/failed to exit gracefully|did not exit one second/);
  },
);

test('no span is lost in a test file of 100,000 spans', async () => {
  // A machine shared with other jobs may need more than the default 5 s to serialize and receive them all.
  const options = JSON.stringify({otel: {flushTimeoutMillis: 30_000, exportTimeoutMillis: 30_000}});
  const run = await runJest('volume', {args: ['--runInBand', '--testEnvironmentOptions', options], env: {OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url}});
  expect(run.results.numPassedTests).toBe(1);
  expect(ourWarnings(run)).toEqual([]);
  expect(receiver.spans.filter(span => span.name === 'step')).toHaveLength(100_000);
  expect(testSpans(receiver.spans)).toHaveLength(1);
});

test('jest --detectOpenHandles finds nothing of ours', async () => {
  const run = await runJest('small', {args: ['--runInBand', '--detectOpenHandles'], env: {OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url}});
  expect(outcomes(run.results)).toEqual(SMALL_OUTCOMES);
  expect(receiver.spans).toHaveLength(6);
  expect(run.stderr).not.toMatch(/open handle/i);
});

test('jest --forceExit and --bail: the spans of every file that finished are delivered', async () => {
  const forced = await runJest('small', {args: ['--runInBand', '--forceExit'], env: {OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url}});
  expect(outcomes(forced.results)).toEqual(SMALL_OUTCOMES);
  expect(receiver.spans).toHaveLength(6);
  receiver.clear();
  const bailed = await runJest('small', {args: ['--runInBand', '--bail'], env: {OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url}});
  expect(bailed.code).toBe(1);
  expect(bailed.stderr).toContain('FAIL ./math.test.js');
  expect(testSpans(receiver.spans).map(span => span.name)).toEqual(expect.arrayContaining(['adds', 'subtracts wrongly']));
});

test('a test that calls process.exit: the spans it could not export are counted, not lost silently', async () => {
  const run = await runJest('exits', {args: ['--runInBand'], env: {OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url}});
  expect(run.wroteResults).toBe(false);
  expect(run.stderr).toContain('process.exit called with "0"');
  expect(run.stderr).toMatch(/\[jest-environment-otel\] 3 of 3 spans were not exported to http:\/\/127\.0\.0\.1:\d+\/v1\/traces: 3 still waiting for export when the process exited\./);
});

test('a worker’s last export that takes longer than half of Jest’s exit grace still arrives, and the worker exits in time', async () => {
  // A worker's first files leave at their teardowns, one file (a suite and a test span) a request, answered at once;
  // its later files' spans leave together when Jest ends it, and that answer takes 1.8 s of the 3 s Jest gives a
  // worker to exit (a teardown's keep-alive: 1.5 s; the exit's: 2.4 s).
  receiver.otherwise = spans => (spans.length > 2 ? {delayMs: 1_800} : undefined);
  const config = JSON.stringify({testEnvironment: 'otel', workerGracefulExitTimeout: 3_000, testMatch: ['**/file-0?.test.js']});
  const run = await runJest('many-files', {args: ['--maxWorkers=2', '--config', config], env: {OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url}});
  expect(Object.values(outcomes(run.results))).toEqual(Array.from({length: 9}, () => 'passed'));
  expect(ourWarnings(run)).toEqual([]);
  expect(run.stderr).not.toContain('failed to exit gracefully');
  expect(testSpans(receiver.spans).map(span => span.name).sort()).toEqual(Array.from({length: 9}, (_, index) => `file 0${index + 1} passes`));
  expect(receiver.spans).toHaveLength(18);
});

test('with two workers, a collector that answers takes each worker’s spans in a few requests, not one per test file', async () => {
  const run = await runJest('many-files', {args: ['--maxWorkers=2'], env: {OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url}});
  expect(Object.values(outcomes(run.results))).toEqual(Array.from({length: 20}, () => 'passed'));
  expect(ourWarnings(run)).toEqual([]);
  // Every test and suite span, once each: the last ones leave as each worker ends.
  expect(testSpans(receiver.spans).map(span => span.name).sort()).toEqual(Array.from({length: 20}, (_, index) => `file ${String(index + 1).padStart(2, '0')} passes`));
  expect(receiver.spans).toHaveLength(40);
  // Each worker's first file, the queue's timer (once a second) and each worker's end: far fewer than 20.
  expect(receiver.log.length).toBeLessThanOrEqual(10);
});
