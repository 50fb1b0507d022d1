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
  events: Array<{name: string; attributes: Record<string, unknown>}>;
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
    for (const line of readFileSync(join(runFolder, file), 'utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        spans.push(...fromRequest(JSON.parse(line)));
      } catch {
        // a line cut short by a killed worker
      }
    }
  }
  return spans;
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
          events: (span.events ?? []).map((event: {name: string; attributes?: JsonKeyValue[]}) => ({
            name: event.name,
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
