import {ROOT_CONTEXT, SeverityNumber, trace, type Attributes, type Logger, type Span} from '@opentelemetry/api';
import type {Resource} from '@opentelemetry/resources';
import {BatchLogRecordProcessor, ConsoleLogRecordExporter, LoggerProvider, type LogRecordExporter, type ReadableLogRecord} from '@opentelemetry/sdk-logs';
import {resolve} from 'node:path';
import type {ResolvedConfig} from '../shared/config';
import type {ConsoleRecord} from '../environment/console';
import {LogLedger} from './ledger';
import {runId} from '../shared/run-id';
import {ATTR_JEST_CONSOLE_TRUNCATED, ATTR_LOG_IOSTREAM} from '../shared/semconv';
import {logsSerializers} from './serializers';
import {StoreExporter} from './store';

/*
 * Console output as OTLP log records (`console: 'logs'`), the way OpenTelemetry now asks instrumentation to record
 * events (OTEP 4430): each console call is one record, correlated with the span that was running through its trace
 * and span ids. They go to the same destinations as the spans — the collector's /v1/logs, the local store — through
 * OpenTelemetry's logs SDK: a bounded batch queue per destination, exports that never block a test, and a ledger
 * that says at exit how many records a destination missed. Loaded only when `console: 'logs'` is set.
 */

export interface LogPipeline {
  /** Records one console call as a log record in the context of `span`. */
  emit(span: Span, record: ConsoleRecord): void;
  /** Exports every record emitted so far. Never rejects. */
  flush(): Promise<void>;
}

/** Console entry types and the severity they are recorded with; any other type (`dir`, `table`, `count`…) is INFO. */
const SEVERITY: Record<string, SeverityNumber> = {
  trace: SeverityNumber.TRACE,
  debug: SeverityNumber.DEBUG,
  log: SeverityNumber.INFO,
  info: SeverityNumber.INFO,
  warn: SeverityNumber.WARN,
  error: SeverityNumber.ERROR,
  assert: SeverityNumber.ERROR,
};

export function severityOf(type: string): SeverityNumber {
  return SEVERITY[type] ?? SeverityNumber.INFO;
}

/** Emits one console call as a log record in the context of `span` (its trace and span ids). */
export function emitConsoleRecord(logger: Logger, span: Span, record: ConsoleRecord): void {
  const attributes: Attributes = {[ATTR_LOG_IOSTREAM]: record.stream};
  if (record.truncated) attributes[ATTR_JEST_CONSOLE_TRUNCATED] = true;
  logger.emit({
    severityNumber: severityOf(record.type),
    severityText: record.type,
    body: record.message,
    attributes,
    context: trace.setSpan(ROOT_CONTEXT, span),
  });
}

export function createLogPipeline(config: ResolvedConfig, resource: Resource, rootDir: string, loggerName: string): LogPipeline {
  const ledger = new LogLedger();
  const processors = config.exporters.map(
    name =>
      new BatchLogRecordProcessor({
        exporter: ledger.track(createExporter(name, config, rootDir), describeTarget(name, config, rootDir)),
        // As for spans: records pile up only while a test blocks the event loop.
        maxQueueSize: 131_072,
        maxExportBatchSize: 2_048,
        scheduledDelayMillis: 1_000,
        exportTimeoutMillis: config.otlp.timeoutMillis,
      }),
  );
  const provider = new LoggerProvider({resource, processors: [ledger, ...processors]});
  ledger.reportAtExit();
  const logger = provider.getLogger(loggerName);
  return {
    emit: (span, record) => emitConsoleRecord(logger, span, record),
    flush: () => provider.forceFlush().catch(() => {
      // A failed export was already reported, once, by the ledger.
    }),
  };
}

function createExporter(name: ResolvedConfig['exporters'][number], config: ResolvedConfig, rootDir: string): LogRecordExporter {
  if (name === 'console') return new ConsoleLogRecordExporter();
  if (name === 'store') {
    return new StoreExporter<ReadableLogRecord>(resolve(rootDir, config.storeDir), runId(), config.keepRuns, records => logsSerializers().JsonLogsSerializer.serializeRequest(records), '-logs');
  }
  const {OtlpHttpExporter} = require('./otlp') as typeof import('./otlp');
  return new OtlpHttpExporter<ReadableLogRecord>({...config.otlp, url: config.otlp.logsUrl}, config.otlp.compression, records =>
    logsSerializers().ProtobufLogsSerializer.serializeRequest(records),
  );
}

function describeTarget(name: ResolvedConfig['exporters'][number], config: ResolvedConfig, rootDir: string): string {
  if (name === 'otlp') return config.otlp.logsUrl;
  if (name === 'store') return resolve(rootDir, config.storeDir);
  return name;
}
