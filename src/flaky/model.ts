import {ATTR_CODE_LINE_NUMBER, ATTR_EXCEPTION_MESSAGE, ATTR_JEST_RUN_ID, ATTR_JEST_TEST_ATTEMPT, ATTR_JEST_TEST_STATUS, ATTR_TEST_CASE_NAME, ATTR_TEST_SUITE_NAME, ATTR_VCS_REF_HEAD_REVISION, EVENT_EXCEPTION} from '../shared/semconv';
import {ATTR_JEST_VCS_WORKTREE_CHANGES, ATTR_JEST_VCS_WORKTREE_DIRTY} from '../pipeline/worktree';
import {wholeText} from '../report/model';
import type {StoredSpan} from '../shared/store-read';

/*
 * From stored spans to test attempts: one attempt per test span that ran (`jest.test.status` `pass` or `fail`;
 * skipped and todo tests are left out), with what happened under it reduced to a list of span facts that the
 * analysis can compare between failing and passing attempts.
 */

const SPAN_KIND_SERVER = 2;
const SPAN_KIND_CLIENT = 3;
const STATUS_ERROR = 2;

/** One span under a test attempt, reduced to what the hints compare. */
export interface SpanFact {
  /** What the span does: `GET /path` for an HTTP client call, else the span's name. */
  signature: string;
  durationMs: number;
  /** HTTP client calls only: the response status code, or `no response`. */
  httpStatus?: string;
  /** First line of the span's first exception message or error status message, when it failed. */
  error?: string;
}

/** One run of one test (each `jest.retryTimes` retry is an attempt of its own). */
export interface Attempt {
  suite: string;
  test: string;
  /** `code.line.number`: where the test is declared, which tells apart tests of one file that share a full name. */
  line?: number;
  runId: string;
  /** `vcs.ref.head.revision` of the span's resource, when known. */
  revision?: string;
  /** `jest.vcs.worktree.dirty`: the work tree had uncommitted changes (undefined: not recorded). */
  dirty?: boolean;
  /** `jest.vcs.worktree.changes`: the digest of those changes, when they could be read. */
  changes?: string;
  attempt: number;
  status: 'pass' | 'fail';
  startMs: number;
  durationMs: number;
  traceId: string;
  /** First line of the test's own first error, for failed attempts. */
  message?: string;
  spans: SpanFact[];
}

/** The test attempts found among `spans`; spans are de-duplicated, so overlapping sources are harmless. */
export function collectAttempts(spans: StoredSpan[]): Attempt[] {
  const unique = new Map<string, StoredSpan>();
  for (const span of spans) unique.set(`${span.traceId}/${span.spanId}`, span);
  const children = new Map<string, StoredSpan[]>();
  for (const span of unique.values()) {
    if (!span.parentSpanId) continue;
    const key = `${span.traceId}/${span.parentSpanId}`;
    const list = children.get(key);
    if (list) list.push(span);
    else children.set(key, [span]);
  }
  const attempts: Attempt[] = [];
  for (const span of unique.values()) {
    const status = span.attributes[ATTR_JEST_TEST_STATUS];
    if (status !== 'pass' && status !== 'fail') continue;
    attempts.push({
      suite: text(span.attributes[ATTR_TEST_SUITE_NAME]) ?? '',
      test: text(span.attributes[ATTR_TEST_CASE_NAME]) ?? span.name,
      line: positive(span.attributes[ATTR_CODE_LINE_NUMBER]),
      runId: text(span.attributes[ATTR_JEST_RUN_ID]) ?? 'unknown',
      revision: text(span.resource[ATTR_VCS_REF_HEAD_REVISION]),
      dirty: flag(span.resource[ATTR_JEST_VCS_WORKTREE_DIRTY]),
      changes: text(span.resource[ATTR_JEST_VCS_WORKTREE_CHANGES]),
      attempt: Number(span.attributes[ATTR_JEST_TEST_ATTEMPT] ?? 1) || 1,
      status,
      startMs: span.startMs,
      durationMs: Math.max(0, span.endMs - span.startMs),
      traceId: span.traceId,
      message: status === 'fail' ? errorOf(span, wholeMessage) ?? '' : undefined,
      spans: descendants(span, children).flatMap(toFact),
    });
  }
  return attempts.sort((a, b) => a.startMs - b.startMs || a.traceId.localeCompare(b.traceId));
}

function descendants(root: StoredSpan, children: Map<string, StoredSpan[]>): StoredSpan[] {
  const found: StoredSpan[] = [];
  const queue = [root];
  for (let next = queue.shift(); next; next = queue.shift()) {
    for (const child of children.get(`${next.traceId}/${next.spanId}`) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

function toFact(span: StoredSpan): SpanFact[] {
  const method = text(span.attributes['http.request.method'] ?? span.attributes['http.method']);
  // The server side of a call made by the test repeats what its client span says; the client span is the one kept.
  if (method && span.kind === SPAN_KIND_SERVER) return [];
  const durationMs = Math.max(0, span.endMs - span.startMs);
  if (method && span.kind === SPAN_KIND_CLIENT) {
    const status = span.attributes['http.response.status_code'] ?? span.attributes['http.status_code'];
    return [{signature: `${method} ${httpPath(span)}`, durationMs, httpStatus: status === undefined ? 'no response' : String(status)}];
  }
  return [{signature: span.name, durationMs, error: errorOf(span, firstLine)}];
}

function httpPath(span: StoredSpan): string {
  const path = text(span.attributes['url.path']);
  if (path) return path;
  const url = text(span.attributes['url.full'] ?? span.attributes['http.url']);
  if (url) {
    try {
      return new URL(url).pathname;
    } catch {
      // not an absolute URL: fall through
    }
  }
  return (text(span.attributes['http.target']) ?? '/').split('?')[0];
}

/** The first exception event's message, else the error status message, as `shown`; undefined when it did not fail. */
function errorOf(span: StoredSpan, shown: (message: string) => string): string | undefined {
  const exception = span.events.find(event => event.name === EVENT_EXCEPTION);
  const message = text(exception?.attributes[ATTR_EXCEPTION_MESSAGE]);
  if (message !== undefined) return shown(message);
  if (span.status.code === STATUS_ERROR) return shown(span.status.message ?? '');
  return undefined;
}

/** A test's error is shown whole (`Expected` and `Received` are what explains it); a span's, by its first line. */
function wholeMessage(message: string): string {
  return wholeText(message) ?? '';
}

function firstLine(message: string): string {
  return message.trim().split('\n')[0].trim();
}

function flag(value: unknown): boolean | undefined {
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  return undefined;
}

function positive(value: unknown): number | undefined {
  const number = Number(value);
  return value !== undefined && Number.isInteger(number) && number > 0 ? number : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
