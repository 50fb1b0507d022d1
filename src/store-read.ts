import {readFileSync, readdirSync, statSync} from 'node:fs';
import {join} from 'node:path';
import {RUNS_FOLDER} from './store';

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
      .map(entry => ({path: join(root, entry.name), time: statSync(join(root, entry.name)).mtimeMs}))
      .sort((a, b) => b.time - a.time)[0]?.path;
  } catch {
    return undefined;
  }
}

/** Every span of one run folder (all workers' files). Lines that do not parse are skipped. */
export function readRun(runFolder: string): StoredSpan[] {
  const spans: StoredSpan[] = [];
  for (const file of readdirSync(runFolder).filter(name => name.endsWith('.jsonl')).sort()) {
    spans.push(...parseTraceText(readFileSync(join(runFolder, file), 'utf8')).spans);
  }
  return spans;
}

/**
 * Every span of one OTLP/JSON file: one `ExportTraceServiceRequest` per line (a store file, or what the
 * OpenTelemetry Collector's `file` exporter writes), or a single request spread over several lines. Lines that do not
 * parse are skipped; a file with content but no request in it is an error that names the file. I/O errors are thrown
 * as they are.
 */
export function readTraceFile(file: string): StoredSpan[] {
  const text = readFileSync(file, 'utf8');
  const {spans, requests} = parseTraceText(text);
  if (requests === 0 && text.trim()) throw new Error(`${file} holds no OTLP/JSON ExportTraceServiceRequest`);
  return spans;
}

function parseTraceText(text: string): {spans: StoredSpan[]; requests: number} {
  const spans: StoredSpan[] = [];
  let requests = 0;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const request = JSON.parse(line);
      if (!isRequest(request)) continue;
      spans.push(...fromRequest(request));
      requests += 1;
    } catch {
      // a line cut short by a killed worker
    }
  }
  if (requests > 0) return {spans, requests};
  try {
    const request = JSON.parse(text);
    if (isRequest(request)) return {spans: fromRequest(request), requests: 1};
  } catch {
    // not one pretty-printed request either
  }
  return {spans, requests};
}

function isRequest(value: unknown): value is {resourceSpans?: Array<Record<string, any>>} {
  return typeof value === 'object' && value !== null && Array.isArray((value as {resourceSpans?: unknown}).resourceSpans);
}

interface JsonKeyValue {
  key: string;
  value?: Record<string, unknown>;
}

function fromRequest(request: {resourceSpans?: Array<Record<string, any>>}): StoredSpan[] {
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
