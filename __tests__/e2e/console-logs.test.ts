import {readFileSync, readdirSync, rmSync} from 'node:fs';
import {join} from 'node:path';
import {buildTimeline} from '../../src/report/model';
import {readRun} from '../../src/shared/store-read';
import {OtlpReceiver} from '../support/otlp-receiver';
import {WORK} from '../support/paths';
import {ourWarnings, runJest, type JestRun} from '../support/run-jest';
import {childrenOf, onlySpan} from '../support/spans';

/*
 * `console: 'logs'`: console output as OTLP log records, correlated with the running span, sent to the collector's
 * /v1/logs and to the local store, and read back by the report as the span's console entries.
 */

const project = join(WORK, 'console-logs');
let receiver: OtlpReceiver;
let result: JestRun;

beforeAll(async () => {
  rmSync(join(project, '.jest-otel'), {recursive: true, force: true});
  receiver = await new OtlpReceiver().start();
  result = await runJest('console-logs', {args: ['--runInBand'], env: {OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url}});
});
afterAll(() => receiver.stop());

test('the run is unchanged: Jest prints the console output as before, tests pass, nothing is lost', () => {
  expect(result.results.numPassedTests).toBe(2);
  expect(result.stderr).toContain('card expires soon');
  expect(result.stderr).toContain('at Object.log (talk.test.js:1:9)');
  expect(ourWarnings(result)).toEqual([]);
});

test('each console call is one log record in the context of the span that was running, with severity and stream', () => {
  const pays = onlySpan(receiver.spans, 'pays');
  const hook = onlySpan(childrenOf(receiver.spans, pays), 'beforeEach');
  const suite = onlySpan(receiver.spans, 'talk.test.js');
  const of = (span: {traceId: string; spanId: string}) =>
    receiver.logs.filter(log => log.traceId === span.traceId && log.spanId === span.spanId).map(log => [log.severityText, log.severityNumber, log.attributes['log.iostream'], String(log.body).slice(0, 20)]);
  expect(of(pays)).toEqual([
    ['info', 9, 'stdout', 'paying'],
    ['warn', 13, 'stderr', 'card expires soon'],
    ['error', 17, 'stderr', 'x'.repeat(20)],
  ]);
  expect(of(hook)).toEqual([['debug', 5, 'stdout', 'preparing']]);
  expect(of(suite)).toEqual([['log', 9, 'stdout', 'loading the module']]);
  const long = receiver.logs.find(log => log.severityText === 'error')!;
  expect(String(long.body)).toHaveLength(2000);
  expect(long.attributes['jest.console.truncated']).toBe(true);
  expect(long.resource['service.name']).toBe('jest');
  expect(long.scope).toBe('jest-environment-otel');
  expect(receiver.requests.filter(request => request.path === '/v1/logs').length).toBeGreaterThan(0);
  for (const span of receiver.spans) expect(span.events.filter(event => event.name === 'console')).toEqual([]);
});

test('consoleMaxEvents bounds the records per span; the rest are counted on the span', () => {
  const chatty = onlySpan(receiver.spans, 'talks a lot');
  expect(receiver.logs.filter(log => log.spanId === chatty.spanId).map(log => log.body)).toEqual(['line 0', 'line 1', 'line 2']);
  expect(chatty.attributes['jest.console.dropped']).toBe(2);
});

test('the store keeps the records beside the spans, and the report shows them on their span as console entries', () => {
  const runs = join(project, '.jest-otel', 'runs');
  const [run] = readdirSync(runs);
  expect(readdirSync(join(runs, run)).filter(name => name.endsWith('.jsonl')).map(name => name.replace(/\d+/, 'N')).sort()).toEqual(['worker-N-logs.jsonl', 'worker-N.jsonl']);
  const model = buildTimeline(readRun(join(runs, run)));
  const pays = model.tests.find(test => test.name === 'pays')!.attempts[0].root;
  expect(pays.events.filter(event => event.name === 'console').map(event => [event.attributes['jest.console.level'], event.attributes['log.iostream']])).toEqual([
    ['info', 'stdout'],
    ['warn', 'stderr'],
    ['error', 'stderr'],
  ]);
  expect(pays.events[0].attributes['jest.console.message']).toBe('paying');
  const html = readFileSync(join(project, '.jest-otel', 'report.html'), 'utf8');
  const embedded = JSON.parse(/<script type="application\/json" id="timeline-data">([\s\S]*?)<\/script>/.exec(html)![1]);
  expect(JSON.stringify(embedded)).toContain('"jest.console.message":"card expires soon"');
});

test('a collector that takes no logs: spans still arrive, one warning names the logs URL, and the exit says how many records it missed', async () => {
  const other = await new OtlpReceiver().start();
  try {
    other.missing.add('/v1/logs');
    const run = await runJest('console-logs', {args: ['--runInBand'], env: {OTEL_EXPORTER_OTLP_ENDPOINT: other.url}});
    expect(run.results.numPassedTests).toBe(2);
    expect(onlySpan(other.spans, 'pays').status.code).toBe('UNSET');
    expect(ourWarnings(run)).toEqual([
      `[jest-environment-otel] could not export log records to ${other.url}/v1/logs: the collector answered HTTP 404. Tests are not affected.`,
      `[jest-environment-otel] 9 of 9 log records were not exported to ${other.url}/v1/logs: 9 in exports that failed (the collector answered HTTP 404).`,
    ]);
  } finally {
    await other.stop();
  }
});
