import type {Span} from '@opentelemetry/api';
import type {ReadableSpan} from '@opentelemetry/sdk-trace';
import type {Circus} from '@jest/types';
import {activeOwnerSpan, activeTestSpan} from '../pipeline/context';
import {secretParamsOf} from '../pipeline/redact';
import {gather, type Gathered, type Sources, type TraceScope, type TraceView} from './collect';
import type {LocalSpans} from './local-spans';
import {servicesLine, showValue, treeRows, waitLine, type Redaction} from './message';
import {receiverAddress} from './remote';
import {matches, mismatches, needsServices, selectorProblems, type Equals} from './select';
import type {MatcherUtilsLike, SpanSelector, TestTrace, TraceSpan, TraceWaitOptions} from './types';

export type {MatcherUtilsLike} from './types';

/*
 * The worker's side of `jest-environment-otel/expect`. The module a test file imports runs in the file's sandbox and
 * holds only the matchers' shells; they call this bridge, which the environment puts on the sandbox's global under
 * a symbol: it knows the running test's span, the worker's ended spans and the run's receiver.
 */

export const BRIDGE_KEY = Symbol.for('jest-environment-otel.trace-assertions');

export interface CheckRequest {
  matcher: 'toHaveSpan' | 'toHaveSpanTimes';
  selector: unknown;
  times?: unknown;
  isNot: boolean;
  promise: string;
  equals: Equals;
  utils: MatcherUtilsLike;
}

export interface TraceAssertionsBridge {
  /** The test file uses assertions: from now on the worker keeps its ended spans for them. */
  enable(): void;
  testTrace(options?: TraceWaitOptions): TestTrace;
  check(received: unknown, request: CheckRequest): Promise<{pass: boolean; message: () => string}>;
}

export interface BridgeDeps {
  /** Undefined when tracing is off for the file, with the reason. */
  local: LocalSpans | undefined;
  off?: string;
  /** Why the services' spans cannot be read beyond there being no receiver, if so. */
  servicesOff?: string;
  ownService: string;
  defaults: {timeoutMillis: number; quietMillis: number};
  redaction: {redactQueryParams: readonly string[]; redactHeaders: readonly string[]};
  suiteSpan: () => Span | undefined;
  state: () => Circus.State | undefined;
}

const OFF_SCOPE = {traceId: '', rootSpanId: '', ownsTrace: true, ownService: '', deadlineCap: 0};

/** The least a test's own timeout leaves to its trace assertion's message, in ms. */
const TIMEOUT_MARGIN_MILLIS = 250;

export function createBridge(deps: BridgeDeps): TraceAssertionsBridge {
  const scopes = new WeakMap<object, TraceScope>();
  const redaction: Redaction = {secretParams: secretParamsOf(deps.redaction.redactQueryParams), secretHeaders: deps.redaction.redactHeaders};
  const sources = (): Sources => ({local: deps.local, receiver: receiverAddress(), servicesOff: deps.servicesOff});

  const scopeOf = (options: TraceWaitOptions | undefined): TraceScope => {
    const test = activeTestSpan();
    const owner = activeOwnerSpan();
    const root = test ?? (owner ? deps.suiteSpan() : undefined) ?? undefined;
    if (!root) throw new Error('testTrace() is called in a test or a hook: the trace it reads is the running test’s (in beforeAll/afterAll, the file’s)');
    const readable = root as unknown as Partial<ReadableSpan>;
    const timeoutMillis = positive(options?.timeoutMillis, 'timeoutMillis') ?? deps.defaults.timeoutMillis;
    const quietMillis = positive(options?.quietMillis, 'quietMillis') ?? deps.defaults.quietMillis;
    return {
      traceId: root.spanContext().traceId,
      rootSpanId: root.spanContext().spanId,
      ownsTrace: !readable.parentSpanContext,
      ownService: deps.ownService,
      deadlineCap: deadlineCap(deps.state(), (owner as unknown as Partial<ReadableSpan> | undefined)?.startTime),
      timeoutMillis,
      quietMillis,
    };
  };

  return {
    enable: () => deps.local?.watch(),
    testTrace(options) {
      // With tracing off there is no test span: the assertions say why they cannot check anything.
      const scope = deps.off ? {...OFF_SCOPE, ...deps.defaults} : scopeOf(options);
      const handle: TestTrace = {
        traceId: scope.traceId,
        spans: async () => {
          if (deps.off) throw new Error(`testTrace().spans(): ${deps.off}`);
          return (await gather(scope, sources(), view => view.settled)).spans;
        },
      };
      Object.defineProperty(handle, 'toString', {value: () => `[TestTrace ${scope.traceId}]`});
      scopes.set(handle, scope);
      return handle;
    },
    async check(received, request) {
      const {matcher, isNot, utils} = request;
      const times = request.times;
      const hint = utils.matcherHint(matcher, 'trace', matcher === 'toHaveSpanTimes' ? 'selector' : 'selector', {
        isNot,
        promise: request.promise,
        ...(matcher === 'toHaveSpanTimes' ? {secondArgument: 'times'} : {}),
      });
      const scope = typeof received === 'object' && received !== null ? scopes.get(received) : undefined;
      if (!scope) throw new Error(`${hint}\n\nexpect() takes testTrace() from jest-environment-otel/expect here; got ${utils.printReceived(received)}`);
      const problems = selectorProblems(request.selector);
      if (matcher === 'toHaveSpanTimes' && !(typeof times === 'number' && Number.isInteger(times) && times >= 0)) problems.push(`times must be a whole number ≥ 0; got ${utils.printReceived(times)}`);
      if (problems.length > 0) throw new Error(`${hint}\n\n${problems.join('\n')}`);
      const selector = request.selector as SpanSelector;
      const count = matcher === 'toHaveSpanTimes' ? `${isNot ? 'not ' : ''}${times} ${times === 1 ? 'span' : 'spans'}` : isNot ? 'no span' : 'a span';
      const expected = `Expected: ${count} matching ${utils.printExpected(selector)}`;
      // Cannot be decided at all: the assertion fails whichever way it is put.
      const undecided = (why: string) => ({pass: isNot, message: () => `${hint}\n\n${expected}\nReceived: nothing to check, ${why}`});
      if (deps.off) return undecided(deps.off);
      const from = sources();
      if (needsServices(selector, scope.ownService, request.equals) && (!from.receiver || from.servicesOff)) {
        return undecided(from.servicesOff ?? 'the selector is about spans of another service, and no receiver runs in this run to read them from (the reporter jest-environment-otel/reporter, or globalSetup jest-environment-otel/global-setup, starts it)');
      }
      const picked = (view: TraceView) => {
        const byId = new Map(view.spans.map(span => [span.spanId, span]));
        return view.spans.filter(span => matches(span, selector, request.equals, byId));
      };
      const done =
        matcher === 'toHaveSpan'
          ? (view: TraceView) => picked(view).length > 0 || (isNot && view.settled)
          : (view: TraceView) => (isNot ? view.settled : picked(view).length > (times as number) || (picked(view).length === times && view.settled));
      let gathered = await gather(scope, from, done);
      let found = picked(gathered);
      let pass = matcher === 'toHaveSpan' ? found.length > 0 : found.length === times;
      if ((isNot ? pass : !pass) && !gathered.settled && !gathered.timedOut) {
        // It fails: the message shows the whole trace, so wait (what is left of the wait) for the rest of it.
        const rest = await gather({...scope, timeoutMillis: Math.max(0, scope.timeoutMillis - gathered.waitedMillis)}, from, view => view.settled);
        gathered = {...rest, waitedMillis: gathered.waitedMillis + rest.waitedMillis, timedOut: false};
        found = picked(gathered);
        pass = matcher === 'toHaveSpan' ? found.length > 0 : found.length === times;
      }
      if (needsServices(selector, scope.ownService, request.equals) && gathered.services.state === 'failed') {
        return undecided(`the selector is about spans of another service, and ${servicesLine([], gathered.services).replace(/^Spans of services: /, '').replace(/: only the test's own spans were checked$/, '')}`);
      }
      return {pass, message: () => describeFailure(hint, expected, matcher, selector, request.equals, gathered, found, scope, redaction)};
    },
  };
}

function describeFailure(
  hint: string,
  expected: string,
  matcher: CheckRequest['matcher'],
  selector: SpanSelector,
  equals: Equals,
  gathered: Gathered,
  found: TraceSpan[],
  scope: TraceScope,
  redaction: Redaction,
): string {
  const {spans} = gathered;
  const total = `${spans.length} ${spans.length === 1 ? 'span' : 'spans'}`;
  const lines = [hint, '', expected];
  if (spans.length === 0) lines.push(`Received: no span of trace ${scope.traceId} has ended (${waitLine(gathered, scope)})`);
  else if (found.length === 0) lines.push(`Received: none of the ${total} of trace ${scope.traceId} (${waitLine(gathered, scope)})`);
  else lines.push(`Received: ${found.length} of the ${total} of trace ${scope.traceId} (${waitLine(gathered, scope)}), marked ◀`);
  if (found.length === 0 && matcher === 'toHaveSpan') {
    const byId = new Map(spans.map(span => [span.spanId, span]));
    const show = showValue(redaction);
    const keys = Object.keys(selector).length;
    const nearest = spans
      .map(span => ({span, reasons: mismatches(span, selector, equals, byId, show)}))
      .filter(({reasons}) => reasons.length < keys)
      .sort((a, b) => a.reasons.length - b.reasons.length)
      .slice(0, 3);
    if (nearest.length > 0) {
      lines.push('', 'Nearest:');
      const rows = treeRows(nearest.map(({span}) => ({...span, parentSpanId: undefined})), scope.ownService, redaction);
      nearest.forEach(({reasons}, index) => lines.push(`${rows[index]}: ${reasons.join(', ')}`));
    }
  }
  lines.push('', servicesLine(spans, gathered.services));
  if (gathered.droppedLocal > 0) lines.push(`(${gathered.droppedLocal} spans of the test itself were not kept: over 10,000)`);
  if (spans.length > 0) lines.push('', `Trace ${scope.traceId}:`, ...treeRows(spans, scope.ownService, redaction, new Set(found)));
  return lines.join('\n');
}

function positive(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  throw new Error(`testTrace({${name}}) must be a number of ms ≥ 0; got ${String(value)}`);
}

/** A wait ends before the test (or hook) would time out, so that the assertion's own message is the failure. */
function deadlineCap(state: Circus.State | undefined, ownerStart: [number, number] | undefined): number {
  const test = state?.currentlyRunningTest;
  const timeout = (test as {timeout?: number} | null | undefined)?.timeout ?? state?.testTimeout;
  const started = ownerStart ? ownerStart[0] * 1000 + ownerStart[1] / 1e6 : (test?.startedAt ?? undefined);
  if (!timeout || !started || !Number.isFinite(timeout)) return Number.POSITIVE_INFINITY;
  return started + timeout - Math.max(TIMEOUT_MARGIN_MILLIS, timeout * 0.1);
}
