import {rmSync} from 'node:fs';
import {join} from 'node:path';
import {OtlpReceiver} from '../support/otlp-receiver';
import {WORK} from '../support/paths';
import {ourWarnings, runJest, type JestRun} from '../support/run-jest';

/*
 * Where the traces went: one line per run, from whichever worker comes first, naming the run's store folder or the
 * endpoint; none with --silent, none with the reporter (it names the report). With an endpoint and the reporter,
 * the missing store is said at the start. Runs removed by keepRuns are counted once.
 */

const LINE = 'jest-environment-otel: ';
const told = (run: JestRun) => run.stderr.split('\n').filter(line => line.startsWith(LINE));

let receiver: OtlpReceiver;
beforeAll(async () => {
  receiver = await new OtlpReceiver().start();
});
afterAll(() => receiver.stop());
beforeEach(() => rmSync(join(WORK, 'small', '.jest-otel'), {recursive: true, force: true}));

test('the store: one line naming this run’s folder, with two workers; nothing with --silent', async () => {
  const run = await runJest('small', {args: ['--maxWorkers=2']});
  expect(told(run)).toEqual([
    expect.stringMatching(/^jest-environment-otel: traces of this run: \.jest-otel\/runs\/[0-9a-f]{16} \(add the reporter "jest-environment-otel\/reporter" for an HTML timeline of them\)$/),
  ]);
  expect(ourWarnings(run)).toEqual([]);
  const silent = await runJest('small', {args: ['--maxWorkers=2', '--silent']});
  expect(told(silent)).toEqual([]);
});

test('an endpoint: one line naming it', async () => {
  const run = await runJest('small', {args: ['--runInBand'], env: {OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url}});
  expect(told(run)).toEqual([`jest-environment-otel: traces of this run: ${receiver.tracesUrl}`]);
});

test('runs removed by keepRuns are said once', async () => {
  const args = ['--maxWorkers=2', '--testEnvironmentOptions', JSON.stringify({otel: {keepRuns: 1}})];
  const first = await runJest('small', {args});
  expect(told(first).filter(line => line.includes('removed'))).toEqual([]);
  const second = await runJest('small', {args});
  expect(told(second).filter(line => line.includes('removed'))).toEqual(['jest-environment-otel: removed 1 older run from .jest-otel/runs (keepRuns: 1)']);
});

test('an endpoint and the reporter: the missing store is said before the first result, not after the run', async () => {
  rmSync(join(WORK, 'report', '.traces'), {recursive: true, force: true});
  const run = await runJest('report', {args: ['--runInBand'], env: {OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url}});
  const warnings = ourWarnings(run);
  expect(warnings).toEqual([
    `[jest-environment-otel] the HTML report reads the local trace store, but this run's traces go only to otlp: set testEnvironmentOptions.otel.exporter to ["otlp", "store"] (or OTEL_TRACES_EXPORTER=otlp,store) for a report`,
  ]);
  const said = run.stderr.indexOf(warnings[0]);
  expect(said).toBeLessThan(run.stderr.search(/^(PASS|FAIL) /m));
  expect(told(run)).toEqual([]);
});
