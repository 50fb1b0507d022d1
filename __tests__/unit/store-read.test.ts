import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {trace, type SpanContext} from '@opentelemetry/api';
import {resourceFromAttributes} from '@opentelemetry/resources';
import {InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor} from '@opentelemetry/sdk-logs';
import {emitConsoleRecord} from '../../src/pipeline/logs';
import {buildTimeline} from '../../src/report/model';
import {logsSerializers} from '../../src/pipeline/serializers';
import {readRun} from '../../src/shared/store-read';
import {attemptSpans, toOtlpJson} from '../support/trace-builder';

/*
 * Reading a run folder back for the report: console output stored as log records (`console: 'logs'`) lands on its
 * span as `console` events, as span events do; runs stored by earlier versions read as before.
 */

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'store-read-'));
});
afterEach(() => rmSync(dir, {recursive: true, force: true}));

/** Log records as the store writes them: emitted through the logs SDK, serialized by OpenTelemetry's JSON serializer. */
function logsLine(spanContext: SpanContext, records: Array<[string, string]>): string {
  const exporter = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({resource: resourceFromAttributes({'service.name': 'jest'}), processors: [new SimpleLogRecordProcessor({exporter})]});
  const logger = provider.getLogger('jest-environment-otel');
  const span = trace.wrapSpanContext(spanContext);
  for (const [type, message] of records) emitConsoleRecord(logger, span, {type, message, stream: type === 'warn' ? 'stderr' : 'stdout', truncated: false});
  return Buffer.from(logsSerializers().JsonLogsSerializer.serializeRequest(exporter.getFinishedLogRecords())!).toString('utf8') + '\n';
}

test('log records in a worker-<pid>-logs.jsonl file become the console events of their span, in time order', () => {
  const [test] = attemptSpans({test: 'pays', runId: 'r1', status: 'pass'});
  writeFileSync(join(dir, 'worker-7.jsonl'), toOtlpJson([test]));
  const context: SpanContext = {traceId: test.traceId, spanId: test.spanId, traceFlags: 1};
  writeFileSync(join(dir, 'worker-7-logs.jsonl'), logsLine(context, [['info', 'paying'], ['warn', 'card expires soon']]) + logsLine({...context, spanId: 'ffffffffffffffff'}, [['log', 'orphan']]));
  const [read] = readRun(dir).filter(span => span.name === 'pays');
  expect(read.events.map(event => event.attributes)).toEqual([
    {'jest.console.level': 'info', 'log.iostream': 'stdout', 'jest.console.message': 'paying'},
    {'jest.console.level': 'warn', 'log.iostream': 'stderr', 'jest.console.message': 'card expires soon'},
  ]);
  expect(read.events.map(event => event.name)).toEqual(['console', 'console']);
});

test('a run stored by an earlier version (console span events, jest.http.*.body names) reads and renders as before', () => {
  const [test] = attemptSpans({test: 'pays', runId: 'r0', status: 'pass'});
  const old = {
    ...test,
    attributes: {...test.attributes, 'jest.http.request.body': '{"q":1}'},
    events: [{name: 'console', timeMs: test.startMs + 1, attributes: {'jest.console.level': 'log', 'jest.console.message': 'hello'}}],
  };
  writeFileSync(join(dir, 'worker-1.jsonl'), toOtlpJson([old]));
  const model = buildTimeline(readRun(dir));
  const root = model.tests[0].attempts[0].root;
  expect(root.events).toEqual([expect.objectContaining({name: 'console', attributes: {'jest.console.level': 'log', 'jest.console.message': 'hello'}})]);
  expect(root.attributes['jest.http.request.body']).toBe('{"q":1}');
});
