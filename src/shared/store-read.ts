import {readFileSync, readdirSync} from 'node:fs';
import {join} from 'node:path';
import {ATTR_JEST_CONSOLE_LEVEL, ATTR_JEST_CONSOLE_MESSAGE, EVENT_CONSOLE} from './semconv';
import {RUNS_FOLDER, runTime} from '../pipeline/store';

/** A span read back from the local trace store (OTLP/JSON), flattened. */
export interface StoredSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startMs: number;
  endMs: number;
  attributes: Record<string, unknown>;
  events: Array<{name: string; timeMs?: number; attributes: Record<string, unknown>}>;
  status: {code: number; message?: string};
  resource: Record<string, unknown>;
}

/** The newest run folder of a store, or undefined when it has none. */
export function latestRun(storeDir: string): string | undefined {
  const root = join(storeDir, RUNS_FOLDER);
  try {
    return readdirSync(root, {withFileTypes: true})
      .filter(entry => entry.isDirectory())
      .map(entry => ({path: join(root, entry.name), time: runTime(join(root, entry.name))}))
      .sort((a, b) => b.time - a.time)[0]?.path;
  } catch {
    return undefined;
  }
}

/**
 * Every span of one run folder (all workers' files), with the console output recorded as log records put back on
 * the span it belongs to as `console` events, as span events would have been. Lines that do not parse are skipped.
 */
export function readRun(runFolder: string): StoredSpan[] {
  const spans: StoredSpan[] = [];
  const logs: StoredLog[] = [];
  for (const file of readdirSync(runFolder).filter(name => name.endsWith('.jsonl')).sort()) {
    const parsed = parseTraceText(readFileSync(join(runFolder, file), 'utf8'));
    spans.push(...parsed.spans);
    logs.push(...parsed.logs);
  }
  return attachLogs(spans, logs);
}

/**
 * Every span of one OTLP/JSON file: one `ExportTraceServiceRequest` per line (a store file, or what the
 * OpenTelemetry Collector's `file` exporter writes), or a single request spread over several lines. Lines that do not
 * parse are skipped; a file with content but no request in it is an error that names the file. I/O errors are thrown
 * as they are.
 */
export function readTraceFile(file: string): StoredSpan[] {
  const text = readFileSync(file, 'utf8');
  const {spans, requests, logs} = parseTraceText(text);
  if (requests === 0 && logs.length === 0 && text.trim()) throw new Error(`${file} holds no OTLP/JSON ExportTraceServiceRequest`);
  return spans;
}

function parseTraceText(text: string): {spans: StoredSpan[]; logs: StoredLog[]; requests: number} {
  const spans: StoredSpan[] = [];
  const logs: StoredLog[] = [];
  let requests = 0;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const request = JSON.parse(line);
      if (isLogsRequest(request)) logs.push(...fromLogsRequest(request));
      if (!isRequest(request)) continue;
      spans.push(...fromRequest(request));
      requests += 1;
    } catch {
      // a line cut short by a killed worker
    }
  }
  if (requests > 0 || logs.length > 0) return {spans, logs, requests};
  try {
    const request = JSON.parse(text);
    if (isRequest(request)) return {spans: fromRequest(request), logs, requests: 1};
  } catch {
    // not one pretty-printed request either
  }
  return {spans, logs, requests};
}

function isRequest(value: unknown): value is {resourceSpans?: Array<Record<string, any>>} {
  return typeof value === 'object' && value !== null && Array.isArray((value as {resourceSpans?: unknown}).resourceSpans);
}

/** A console call recorded as an OTLP log record (`console: 'logs'`), as the store holds it. */
interface StoredLog {
  traceId: string;
  spanId: string;
  timeMs: number;
  level: string;
  message: string;
  attributes: Record<string, unknown>;
}

function isLogsRequest(value: unknown): value is {resourceLogs: Array<Record<string, any>>} {
  return typeof value === 'object' && value !== null && Array.isArray((value as {resourceLogs?: unknown}).resourceLogs);
}

function fromLogsRequest(request: {resourceLogs: Array<Record<string, any>>}): StoredLog[] {
  const logs: StoredLog[] = [];
  for (const resourceLogs of request.resourceLogs) {
    for (const scopeLogs of resourceLogs.scopeLogs ?? []) {
      for (const record of scopeLogs.logRecords ?? []) {
        if (!record.spanId) continue;
        const body = anyValue(record.body);
        logs.push({
          traceId: record.traceId,
          spanId: record.spanId,
          timeMs: nanosToMs(record.timeUnixNano),
          level: String(record.severityText ?? 'log'),
          message: typeof body === 'string' ? body : JSON.stringify(body ?? ''),
          attributes: attributes(record.attributes),
        });
      }
    }
  }
  return logs;
}

/** Each log record as the `console` event of its span, in time order with the span's own events. */
function attachLogs(spans: StoredSpan[], logs: StoredLog[]): StoredSpan[] {
  if (logs.length === 0) return spans;
  const bySpan = new Map(spans.map(span => [`${span.traceId}/${span.spanId}`, span]));
  const touched = new Set<StoredSpan>();
  for (const log of logs) {
    const span = bySpan.get(`${log.traceId}/${log.spanId}`);
    if (!span) continue;
    span.events.push({
      name: EVENT_CONSOLE,
      timeMs: log.timeMs,
      attributes: {[ATTR_JEST_CONSOLE_LEVEL]: log.level, ...log.attributes, [ATTR_JEST_CONSOLE_MESSAGE]: log.message},
    });
    touched.add(span);
  }
  for (const span of touched) span.events.sort((a, b) => (a.timeMs ?? 0) - (b.timeMs ?? 0));
  return spans;
}

interface JsonKeyValue {
  key: string;
  value?: Record<string, unknown>;
}

/** The spans of one OTLP/JSON ExportTraceServiceRequest, flattened. */
export function fromRequest(request: {resourceSpans?: Array<Record<string, any>>}): StoredSpan[] {
  const spans: StoredSpan[] = [];
  for (const resourceSpans of request.resourceSpans ?? []) {
    const resource = attributes(resourceSpans.resource?.attributes);
    for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
      for (const span of scopeSpans.spans ?? []) {
        spans.push({
          traceId: span.traceId,
          spanId: span.spanId,
          parentSpanId: span.parentSpanId || undefined,
          name: span.name,
          kind: span.kind ?? 0,
          startMs: nanosToMs(span.startTimeUnixNano),
          endMs: nanosToMs(span.endTimeUnixNano),
          attributes: attributes(span.attributes),
          events: (span.events ?? []).map((event: {name: string; timeUnixNano?: string; attributes?: JsonKeyValue[]}) => ({
            name: event.name,
            timeMs: nanosToMs(event.timeUnixNano),
            attributes: attributes(event.attributes),
          })),
          status: {code: span.status?.code ?? 0, message: span.status?.message},
          resource,
        });
      }
    }
  }
  return spans;
}

function nanosToMs(value: unknown): number {
  try {
    return Number(BigInt(String(value ?? 0)) / 1000n) / 1000;
  } catch {
    return 0;
  }
}

function attributes(list: JsonKeyValue[] | undefined): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const item of list ?? []) result[item.key] = anyValue(item.value);
  return result;
}

function anyValue(value: Record<string, any> | undefined): unknown {
  if (!value) return undefined;
  if ('stringValue' in value) return value.stringValue;
  if ('boolValue' in value) return value.boolValue;
  if ('intValue' in value) return Number(value.intValue);
  if ('doubleValue' in value) return value.doubleValue;
  if ('arrayValue' in value) return (value.arrayValue?.values ?? []).map(anyValue);
  if ('kvlistValue' in value) return attributes(value.kvlistValue?.values);
  return undefined;
}
