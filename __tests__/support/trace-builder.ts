import type {StoredSpan} from '../../src/shared/store-read';

/*
 * Generated test traces with known flakiness, as the local trace store would read them back: one test span per
 * attempt, the spans under it, and the resource with the revision. `toOtlpJson` turns them back into OTLP/JSON lines.
 */

export interface AttemptSpec {
  suite?: string;
  test: string;
  /** `code.line.number`; none when omitted. */
  line?: number;
  status: 'pass' | 'fail' | 'skip' | 'todo';
  runId: string;
  /** `vcs.ref.head.revision`; none when omitted. */
  revision?: string;
  /** `jest.vcs.worktree.dirty` and `jest.vcs.worktree.changes`; none when omitted. */
  dirty?: boolean;
  changes?: string;
  attempt?: number;
  durationMs?: number;
  /** The test's own error (an `exception` event), for failures. */
  message?: string;
  children?: ChildSpec[];
}

export interface ChildSpec {
  name?: string;
  /** An HTTP client call (`status` omitted: no response). */
  http?: {method: string; url: string; status?: number};
  durationMs?: number;
  /** An exception event and ERROR status on this span. */
  error?: string;
  /** An HTTP server span under a client call, as an instrumented service in the test's process records it. */
  server?: boolean;
  children?: ChildSpec[];
}

let ids = 0;
const nextId = (length: number) => (++ids).toString(16).padStart(length, '0');

export function attemptSpans(spec: AttemptSpec, startMs = 1_000 * ids): StoredSpan[] {
  const traceId = nextId(32);
  const resource: Record<string, unknown> = {'service.name': 'shop-tests'};
  if (spec.revision) resource['vcs.ref.head.revision'] = spec.revision;
  if (spec.dirty !== undefined) resource['jest.vcs.worktree.dirty'] = spec.dirty;
  if (spec.changes) resource['jest.vcs.worktree.changes'] = spec.changes;
  const failed = spec.status === 'fail';
  const root: StoredSpan = {
    traceId,
    spanId: nextId(16),
    name: spec.test,
    kind: 1,
    startMs,
    endMs: startMs + (spec.durationMs ?? 10),
    attributes: {
      'test.case.name': spec.test,
      'test.suite.name': spec.suite ?? 'shop.test.js',
      'jest.test.status': spec.status,
      'jest.test.attempt': spec.attempt ?? 1,
      'jest.run.id': spec.runId,
      ...(spec.line === undefined ? {} : {'code.line.number': spec.line}),
    },
    events: failed ? [{name: 'exception', attributes: {'exception.type': 'Error', 'exception.message': spec.message ?? 'failed'}}] : [],
    status: failed ? {code: 2, message: spec.message ?? 'failed'} : {code: 0},
    resource,
  };
  const spans = [root];
  const add = (parent: StoredSpan, children: ChildSpec[] = []) => {
    for (const child of children) {
      const span = childSpan(child, parent, resource);
      spans.push(span);
      if (child.http && child.server) {
        spans.push({...childSpan({...child, server: false}, span, resource), kind: 2});
      }
      add(span, child.children);
    }
  };
  add(root, spec.children);
  return spans;
}

function childSpan(child: ChildSpec, parent: StoredSpan, resource: Record<string, unknown>): StoredSpan {
  const attributes: Record<string, unknown> = {};
  if (child.http) {
    const url = new URL(child.http.url);
    Object.assign(attributes, {'http.request.method': child.http.method, 'url.full': child.http.url, 'url.path': url.pathname});
    if (child.http.status !== undefined) attributes['http.response.status_code'] = child.http.status;
  }
  return {
    traceId: parent.traceId,
    spanId: nextId(16),
    parentSpanId: parent.spanId,
    name: child.name ?? child.http?.method ?? 'step',
    kind: child.http ? 3 : 1,
    startMs: parent.startMs + 1,
    endMs: parent.startMs + 1 + (child.durationMs ?? 2),
    attributes,
    events: child.error ? [{name: 'exception', attributes: {'exception.message': child.error}}] : [],
    status: child.error ? {code: 2, message: child.error} : {code: 0},
    resource,
  };
}

/** Many attempts, one after the other. */
export function history(specs: AttemptSpec[]): StoredSpan[] {
  return specs.flatMap((spec, index) => attemptSpans(spec, 1_000_000 + index * 1_000));
}

/** OTLP/JSON ExportTraceServiceRequest lines (one per span), as the store and a collector's file exporter write them. */
export function toOtlpJson(spans: StoredSpan[]): string {
  return spans.map(span => JSON.stringify(request(span))).join('\n') + '\n';
}

function request(span: StoredSpan) {
  const nanos = (ms: number) => String(BigInt(Math.round(ms * 1_000)) * 1_000n);
  return {
    resourceSpans: [
      {
        resource: {attributes: keyValues(span.resource)},
        scopeSpans: [
          {
            scope: {name: 'jest-environment-otel'},
            spans: [
              {
                traceId: span.traceId,
                spanId: span.spanId,
                parentSpanId: span.parentSpanId,
                name: span.name,
                kind: span.kind,
                startTimeUnixNano: nanos(span.startMs),
                endTimeUnixNano: nanos(span.endMs),
                attributes: keyValues(span.attributes),
                events: span.events.map(event => ({name: event.name, timeUnixNano: nanos(span.startMs), attributes: keyValues(event.attributes)})),
                status: span.status,
              },
            ],
          },
        ],
      },
    ],
  };
}

function keyValues(record: Record<string, unknown>) {
  return Object.entries(record).map(([key, value]) => ({
    key,
    value:
      typeof value === 'number'
        ? Number.isInteger(value)
          ? {intValue: String(value)}
          : {doubleValue: value}
        : typeof value === 'boolean'
          ? {boolValue: value}
          : {stringValue: String(value)},
  }));
}
