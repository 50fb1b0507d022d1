/*
 * The trace assertions' public types: what a selector says about a span, the spans a test reads back, and the
 * options of a wait. Shared by the worker's side (src/trace-assertions/) and the module tests import
 * (src/expect.ts), which runs in the test file's sandbox.
 */

export type SpanKindName = 'internal' | 'server' | 'client' | 'producer' | 'consumer';
export type SpanStatusName = 'unset' | 'ok' | 'error';

/** Jest's asymmetric matchers (`expect.stringContaining(…)`, `expect.any(Number)`…), or any object like them. */
export interface AsymmetricMatcherLike {
  asymmetricMatch(other: unknown): boolean;
}

/** A text to match: equal to it, matched by a RegExp, or accepted by an asymmetric matcher. */
export type TextMatcher = string | RegExp | AsymmetricMatcherLike;

/**
 * Which spans an assertion is about; a span matches when every key given matches (no key: every span).
 * Attribute values are compared with Jest's equality, so asymmetric matchers work there too; a RegExp matches a
 * string value.
 */
export interface SpanSelector {
  /** The span's name, or for an HTTP span also `METHOD /path` (its URL's path, no query), as the report labels it. */
  name?: TextMatcher;
  /** `service.name` of the process that recorded the span (the tests' own is `serviceName`, `jest` by default). */
  service?: TextMatcher;
  kind?: SpanKindName;
  /** `'ok'`, `'error'`, `'unset'`: the span's status; a number: the HTTP status code it answered or got. */
  status?: SpanStatusName | number;
  /** Attributes the span has with these values (others may be there too). */
  attributes?: Record<string, unknown>;
  /** Resource attributes of the process that recorded the span. */
  resource?: Record<string, unknown>;
  /** A span above it (its parent, or further up) matches this selector: "the SQL query made while serving POST /payments". */
  within?: SpanSelector;
  /** Anything else, as a function of the span. */
  where?: (span: TraceSpan) => boolean;
}

/** A span of the test's trace, as an assertion reads it. */
export interface TraceSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: SpanKindName;
  /** `service.name` of the process that recorded it. */
  service: string;
  status: {code: SpanStatusName; message?: string};
  /** For an HTTP span: its method, the path of its URL (no query), and the status code, when it got one. */
  http?: {method: string; path: string; statusCode?: number};
  /** ms since the epoch. */
  startMs: number;
  durationMs: number;
  attributes: Record<string, unknown>;
  resource: Record<string, unknown>;
  events: Array<{name: string; timeMs?: number; attributes: Record<string, unknown>}>;
  /** `test`: recorded in the test's own process (the test, its hooks and calls); `service`: received from a service under test. */
  origin: 'test' | 'service';
}

/** How long an assertion waits for spans still on their way. */
export interface TraceWaitOptions {
  /**
   * The longest it waits, in ms; it ends earlier when the test would time out first. Default:
   * `testEnvironmentOptions.otel.traceAssertions.timeoutMillis`, else 3000.
   */
  timeoutMillis?: number;
  /**
   * An assertion that needs all of the trace (`.not`, a count) takes it as complete once no span has ended or
   * arrived for this long, in ms. Default: `testEnvironmentOptions.otel.traceAssertions.quietMillis`, else 300.
   */
  quietMillis?: number;
}

/** The running test's trace (inside `beforeAll`/`afterAll`: the test file's), as `testTrace()` returns it. */
export interface TestTrace {
  readonly traceId: string;
  /** Every span of the trace that has ended so far, the services' included, once they stopped arriving (bounded by the wait). */
  spans(): Promise<TraceSpan[]>;
}

/** Jest's matcher utilities, as a matcher's context passes them. */
export interface MatcherUtilsLike {
  matcherHint(name: string, received?: string, expected?: string, options?: {isNot?: boolean; promise?: string; secondArgument?: string}): string;
  printExpected(value: unknown): string;
  printReceived(value: unknown): string;
}
