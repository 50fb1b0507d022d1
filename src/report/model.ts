import {stripVTControlCharacters} from 'node:util';
import {
  ATTR_CODE_FILE_PATH,
  ATTR_CODE_LINE_NUMBER,
  ATTR_JEST_HOOK_TYPE,
  ATTR_JEST_RUN_ID,
  ATTR_JEST_TEST_ATTEMPT,
  ATTR_JEST_TEST_STATUS,
  ATTR_TEST_CASE_NAME,
  ATTR_TEST_SUITE_NAME,
  ATTR_TEST_SUITE_RUN_STATUS,
} from '../shared/semconv';
import type {StoredSpan} from '../shared/store-read';
import type {CodeFrame} from './code-frame';
import {isSuiteSpan, isTestSpan, SpanIndex} from './span-index';

/*
 * The timeline model: what the HTML report and the terminal summary show, built from the spans of one run and
 * nothing else, so that both renderers (and anything else reading the store) agree on what a test, an attempt and
 * a flaky test are.
 */

/** A test's outcome over all its attempts: `flaky` is a test whose last attempt passed after a failed one. */
export type TestOutcome = 'fail' | 'flaky' | 'pass' | 'skip' | 'todo';

export interface TimelineModel {
  runId?: string;
  /** When the report was made (ISO 8601), as given to `buildTimeline`. */
  generatedAt?: string;
  /** A backend's trace URL with `{traceId}` in it, as given to `buildTimeline`. */
  traceUrlTemplate?: string;
  counts: Record<TestOutcome, number> & {total: number; suites: number};
  /** Failed tests first, then flaky ones, then the rest by file and position. */
  tests: TimelineTest[];
  /** Failed suites first, then by name. */
  suites: TimelineSuite[];
  /** The distinct resources of the run's spans; each span points at one by index. */
  resources: Array<Record<string, unknown>>;
}

export interface TimelineTest {
  name: string;
  suite: string;
  file?: string;
  line?: number;
  status: TestOutcome;
  /** When the first attempt started (ms since the epoch). */
  startMs: number;
  /** All attempts together, in ms. */
  durationMs: number;
  /** First line of the last failed attempt's error. */
  message?: string;
  /** The last failed attempt's whole error, colour codes removed. */
  error?: string;
  /** The last failed attempt's failing line and the lines around it, when its file could be read. */
  frame?: CodeFrame;
  /** In the order they ran. */
  attempts: TimelineAttempt[];
  /** A test that passed although calls in its last attempt failed (a 500, then a 200 on a retry): how many did. */
  failedCalls?: number;
}

export interface TimelineAttempt {
  attempt: number;
  /** `jest.test.status` of this attempt. */
  status: string;
  traceId: string;
  startMs: number;
  durationMs: number;
  message?: string;
  /** The whole error, colour codes removed. */
  error?: string;
  frame?: CodeFrame;
  root: TimelineSpan;
}

export interface TimelineSuite {
  name: string;
  /** `test.suite.run.status`: `success`, `failure`, `timed_out`, `aborted` or `skipped`. */
  status: string;
  traceId: string;
  startMs: number;
  durationMs: number;
  message?: string;
  /** Tests of this file that passed on a retry: a file that succeeded with flaky tests in it is worth a look too. */
  flakyTests?: number;
  root: TimelineSpan;
}

export type SpanType = 'test' | 'suite' | 'hook' | 'http' | 'span';

export interface TimelineSpan {
  spanId: string;
  name: string;
  type: SpanType;
  /** `internal`, `server`, `client`, `producer`, `consumer` or `unspecified`. */
  kind: string;
  /** From the start of the attempt's (or suite's) root span, in ms. */
  offsetMs: number;
  durationMs: number;
  /** Status ERROR. */
  error: boolean;
  /** The span's status message, first line. */
  message?: string;
  /** `target` is the path and query, `host` the host and port when the URL has them: labels lead with the target. */
  http?: {method: string; url: string; target: string; host?: string; statusCode?: number};
  /** Worth a look: ERROR status, or an HTTP call answered with something other than 2xx (or not at all). */
  flagged: boolean;
  attributes: Record<string, unknown>;
  events: Array<{name: string; offsetMs?: number; attributes: Record<string, unknown>}>;
  resource: number;
  children: TimelineSpan[];
}

/** What the caller knows beyond the spans. */
export interface TimelineInfo {
  runId?: string;
  generatedAt?: string;
  traceUrlTemplate?: string;
}

const STATUS_ERROR = 2;
const KINDS = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];
const OUTCOME_RANK: Record<TestOutcome, number> = {fail: 0, flaky: 1, pass: 2, skip: 2, todo: 2};

/** A file that did not succeed: failed, timed out, or stopped before its end. */
function suiteFailed(status: string): boolean {
  return status === 'failure' || status === 'timed_out' || status === 'aborted';
}

/** The model of one run's spans (from one store folder or several); spans seen twice count once. */
export function buildTimeline(spans: readonly StoredSpan[], info: TimelineInfo = {}): TimelineModel {
  const index = new SpanIndex(spans);
  const tests = groupAttempts(index.roots.filter(isTestSpan)).map(group => toTest(group, index));
  tests.sort(compareTests);
  const suites = index.roots.filter(isSuiteSpan).map(span => toSuite(span, index));
  for (const suite of suites) {
    const flaky = tests.filter(test => test.status === 'flaky' && test.suite === suite.name).length;
    if (flaky > 0) suite.flakyTests = flaky;
  }
  suites.sort((a, b) => Number(suiteFailed(b.status)) - Number(suiteFailed(a.status)) || compareText(a.name, b.name));
  const counts = {total: tests.length, suites: suites.length, fail: 0, flaky: 0, pass: 0, skip: 0, todo: 0};
  for (const test of tests) counts[test.status] += 1;
  const runId = info.runId ?? stringOf(index.roots.find(span => span.attributes[ATTR_JEST_RUN_ID] !== undefined)?.attributes[ATTR_JEST_RUN_ID]);
  return {...info, runId, counts, tests, suites, resources: index.resources};
}

/**
 * Attempts of one test: same file, full name and declaration. A test declared twice with one name at one place (a
 * loop) shows up as attempt numbers that start over; each run of numbers is a test of its own.
 */
function groupAttempts(testSpans: StoredSpan[]): StoredSpan[][] {
  const byKey = new Map<string, StoredSpan[]>();
  for (const span of testSpans) {
    const a = span.attributes;
    const key = [a[ATTR_TEST_SUITE_NAME], a[ATTR_TEST_CASE_NAME], a[ATTR_CODE_FILE_PATH], a[ATTR_CODE_LINE_NUMBER]].map(String).join('\0');
    const list = byKey.get(key);
    if (list) list.push(span);
    else byKey.set(key, [span]);
  }
  const groups: StoredSpan[][] = [];
  for (const list of byKey.values()) {
    list.sort((a, b) => a.startMs - b.startMs);
    let current: StoredSpan[] = [];
    for (const span of list) {
      if (current.length > 0 && attemptOf(span) <= attemptOf(current[current.length - 1])) {
        groups.push(current);
        current = [];
      }
      current.push(span);
    }
    groups.push(current);
  }
  return groups;
}

function toTest(attemptSpans: StoredSpan[], index: SpanIndex): TimelineTest {
  const attempts = attemptSpans.map(span => ({
    attempt: attemptOf(span),
    status: String(span.attributes[ATTR_JEST_TEST_STATUS]),
    traceId: span.traceId,
    startMs: span.startMs,
    durationMs: duration(span),
    message: firstLine(span.status.message),
    error: wholeText(span.status.message),
    root: toSpan(span, span.startMs, index, 'test'),
  }));
  const last = attempts[attempts.length - 1];
  const failed = attempts.filter(attempt => attempt.status === 'fail');
  const first = attemptSpans[0].attributes;
  let status: TestOutcome = last.status === 'fail' || last.status === 'skip' || last.status === 'todo' ? last.status : 'pass';
  if (status === 'pass' && failed.length > 0) status = 'flaky';
  const line = first[ATTR_CODE_LINE_NUMBER];
  return {
    name: String(first[ATTR_TEST_CASE_NAME]),
    suite: stringOf(first[ATTR_TEST_SUITE_NAME]) ?? '',
    file: stringOf(first[ATTR_CODE_FILE_PATH]),
    line: typeof line === 'number' ? line : undefined,
    status,
    startMs: attempts[0].startMs,
    durationMs: round(attempts.reduce((sum, attempt) => sum + attempt.durationMs, 0)),
    message: failed[failed.length - 1]?.message,
    error: failed[failed.length - 1]?.error,
    attempts,
    failedCalls: status === 'pass' || status === 'flaky' ? countFailedCalls(last.root) || undefined : undefined,
  };
}

function toSuite(span: StoredSpan, index: SpanIndex): TimelineSuite {
  return {
    name: stringOf(span.attributes[ATTR_TEST_SUITE_NAME]) ?? span.name,
    status: String(span.attributes[ATTR_TEST_SUITE_RUN_STATUS]),
    traceId: span.traceId,
    startMs: span.startMs,
    durationMs: duration(span),
    message: firstLine(span.status.message),
    root: toSpan(span, span.startMs, index, 'suite'),
  };
}

function toSpan(span: StoredSpan, originMs: number, index: SpanIndex, type?: SpanType, seen = new Set<StoredSpan>()): TimelineSpan {
  seen.add(span);
  const http = httpOf(span);
  const error = span.status.code === STATUS_ERROR;
  const statusCode = http?.statusCode;
  return {
    spanId: span.spanId,
    name: span.name,
    type: type ?? (span.attributes[ATTR_JEST_HOOK_TYPE] !== undefined ? 'hook' : http ? 'http' : 'span'),
    kind: KINDS[span.kind] ?? 'unspecified',
    offsetMs: round(span.startMs - originMs),
    durationMs: duration(span),
    error,
    message: firstLine(span.status.message),
    http,
    flagged: error || (http !== undefined && (statusCode === undefined || statusCode < 200 || statusCode > 299)),
    attributes: span.attributes,
    events: span.events.map(event => ({
      name: event.name,
      offsetMs: event.timeMs ? round(event.timeMs - originMs) : undefined,
      attributes: event.attributes,
    })),
    resource: index.resourceOf(span),
    children: index
      .childrenOf(span)
      .filter(child => !seen.has(child))
      .map(child => toSpan(child, originMs, index, undefined, seen)),
  };
}

/** Flagged spans under `root`, a call answered by a traced server counted once (by its client span). */
function countFailedCalls(root: TimelineSpan): number {
  let count = 0;
  const visit = (span: TimelineSpan) => {
    for (const child of span.children) {
      if (child.flagged && child.kind !== 'server') count += 1;
      visit(child);
    }
  };
  visit(root);
  return count;
}

export function httpOf(span: StoredSpan): TimelineSpan['http'] {
  const a = span.attributes;
  const method = stringOf(a['http.request.method']) ?? stringOf(a['http.method']);
  if (!method) return undefined;
  const status = Number(a['http.response.status_code'] ?? a['http.status_code']);
  let url = stringOf(a['url.full']) ?? stringOf(a['http.url']);
  if (!url) {
    const query = stringOf(a['url.query'])?.replace(/^\?/, '');
    url = `${stringOf(a['url.path']) ?? stringOf(a['http.target']) ?? ''}${query ? `?${query}` : ''}`;
  }
  const parts = /^[a-z][a-z\d+.-]*:\/\/([^/?#]*)(.*)$/i.exec(url);
  return {
    method,
    url,
    target: (parts ? parts[2] : url) || '/',
    host: parts?.[1] || undefined,
    statusCode: Number.isFinite(status) && status > 0 ? status : undefined,
  };
}

function compareTests(a: TimelineTest, b: TimelineTest): number {
  return (
    OUTCOME_RANK[a.status] - OUTCOME_RANK[b.status] ||
    compareText(a.suite, b.suite) ||
    (a.line ?? 0) - (b.line ?? 0) ||
    a.startMs - b.startMs ||
    compareText(a.name, b.name)
  );
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function attemptOf(span: StoredSpan): number {
  const attempt = Number(span.attributes[ATTR_JEST_TEST_ATTEMPT]);
  return Number.isFinite(attempt) ? attempt : 1;
}

function duration(span: StoredSpan): number {
  return round(Math.max(0, span.endMs - span.startMs));
}

/** Microseconds are as fine as the store goes; rounding keeps the embedded JSON short. */
function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

function firstLine(text: string | undefined): string | undefined {
  const line = wholeText(text)?.split('\n').find(part => part.trim() !== '');
  return line?.trim() || undefined;
}

/** A message as it reads without a terminal: colour codes removed (Jest colours `Expected` and `Received`), trailing blank lines dropped. */
export function wholeText(text: string | undefined): string | undefined {
  const plain = text === undefined ? undefined : stripVTControlCharacters(text).replace(/\s+$/, '');
  return plain?.trim() ? plain.replace(/^\s*\n/, '') : undefined;
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
