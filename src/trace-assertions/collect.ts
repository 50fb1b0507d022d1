import type {ReadableSpan} from '@opentelemetry/sdk-trace';
import {errorText} from '../shared/diag';
import type {StoredSpan} from '../shared/store-read';
import type {LocalSpans} from './local-spans';
import {queryTrace, type ReceiverAddress, type ReceivedTrace} from './remote';
import {toTraceSpan} from './select';
import type {TraceSpan} from './types';

/*
 * Gathering a test's trace while it is still being made: the worker's own ended spans (src/trace-assertions/
 * local-spans.ts) and the services' spans from the run's receiver, merged, re-read each time either side has more
 * (a span ended here; the receiver's long poll answered) until the caller has its answer, the trace has been
 * quiet for `quietMillis`, or the deadline. No polling on a timer: the only timer is the one for "quiet" or the
 * deadline, whichever comes first.
 */

export interface TraceScope {
  traceId: string;
  /** The test's span (or the file's, in beforeAll/afterAll): its spans are those below it. */
  rootSpanId: string;
  /** The root starts its trace: every span of the trace is the test's (not so under a CI's TRACEPARENT). */
  ownsTrace: boolean;
  ownService: string;
  /** No wait goes past this (ms since the epoch): the test's own timeout, less a margin. */
  deadlineCap: number;
  timeoutMillis: number;
  quietMillis: number;
}

/** Where the services' spans came from, for the message. */
export type ServicesState =
  | {state: 'read'; dropped: number}
  | {state: 'no receiver'}
  | {state: 'failed'; error: string}
  | {state: 'off'; why: string};

export interface TraceView {
  spans: TraceSpan[];
  /** No span ended or arrived for `quietMillis`. */
  settled: boolean;
  services: ServicesState;
  /** Spans of the test's own not kept (over the bound per test). */
  droppedLocal: number;
}

export interface Gathered extends TraceView {
  waitedMillis: number;
  /** The deadline came before the caller had its answer. */
  timedOut: boolean;
}

export interface Sources {
  local?: LocalSpans;
  receiver?: ReceiverAddress;
  /** Why the services' spans cannot be read, when they cannot for another reason than no receiver. */
  servicesOff?: string;
}

/** Converts each of the worker's own spans once. */
const converted = new WeakMap<ReadableSpan, TraceSpan>();

/**
 * Gathers the trace until `done(view)` says it has what it needs (or the deadline). `done` is called with every new
 * state of the trace, first at once.
 */
export async function gather(scope: TraceScope, sources: Sources, done: (view: TraceView) => boolean): Promise<Gathered> {
  const started = Date.now();
  const deadline = Math.min(started + scope.timeoutMillis, scope.deadlineCap);
  const abort = new AbortController();
  let received: ReceivedTrace | undefined;
  let services: ServicesState = sources.servicesOff
    ? {state: 'off', why: sources.servicesOff}
    : sources.receiver
      ? {state: 'read', dropped: 0}
      : {state: 'no receiver'};
  let poll: Promise<void> | undefined;
  let wake: (() => void) | undefined;
  const unsubscribe = sources.local?.onSpan(() => wake?.());
  const ask = (known: number | undefined, waitMillis: number) =>
    queryTrace(sources.receiver!, scope.traceId, known, waitMillis, abort.signal).then(
      answer => {
        received = answer;
        services = {state: 'read', dropped: answer.dropped};
      },
      error => {
        if (!abort.signal.aborted) services = {state: 'failed', error: errorText(error)};
      },
    );
  try {
    // The receiver's first answer is awaited like any other, within the deadline.
    if (services.state === 'read') {
      poll = ask(undefined, 0).finally(() => {
        poll = undefined;
      });
    }
    for (;;) {
      const now = Date.now();
      const view = viewOf(scope, sources.local, received, services, now);
      const finished = done(view);
      if (finished || now >= deadline) return {...view, waitedMillis: now - started, timedOut: !finished};
      if (services.state === 'read' && !poll) {
        poll = ask(received?.count ?? 0, deadline - now).finally(() => {
          poll = undefined;
        });
      }
      const quietAt = lastActivity(view.spans, received) + scope.quietMillis;
      const until = quietAt > now ? Math.min(deadline, quietAt) : deadline;
      await new Promise<void>(resolve => {
        const finish = () => {
          clearTimeout(timer);
          wake = undefined;
          resolve();
        };
        const timer = setTimeout(finish, Math.max(1, until - now));
        wake = finish;
        poll?.then(finish, finish);
      });
    }
  } finally {
    unsubscribe?.();
    wake?.();
    abort.abort();
    await poll?.catch(() => undefined);
  }
}

function viewOf(scope: TraceScope, local: LocalSpans | undefined, received: ReceivedTrace | undefined, services: ServicesState, now: number): TraceView {
  const own = local?.under(scope.rootSpanId) ?? {spans: [], dropped: 0};
  const byId = new Map<string, TraceSpan>();
  for (const span of own.spans) {
    let traceSpan = converted.get(span);
    if (!traceSpan) converted.set(span, (traceSpan = toTraceSpan(storedOf(span), 'test')));
    byId.set(traceSpan.spanId, traceSpan);
  }
  // The services' spans; a span of the tests' own that also reached the receiver (an exporter pointed at it) counts once.
  for (const span of received?.spans ?? []) if (!byId.has(span.spanId)) byId.set(span.spanId, toTraceSpan(span, 'service'));
  let spans = [...byId.values()];
  if (!scope.ownsTrace) spans = spans.filter(span => below(span, scope.rootSpanId, byId));
  spans.sort((a, b) => a.startMs - b.startMs);
  // Not complete before the receiver has answered once (when it is asked at all).
  const heard = services.state !== 'read' || received !== undefined;
  return {spans, settled: heard && lastActivity(spans, received) + scope.quietMillis <= now, services, droppedLocal: own.dropped};
}

/** When the trace last changed: a span of its ended (here) or arrived (at the receiver), in ms since the epoch. */
function lastActivity(spans: TraceSpan[], received: ReceivedTrace | undefined): number {
  let last = received?.lastArrival ?? 0;
  for (const span of spans) if (span.origin === 'test') last = Math.max(last, span.startMs + span.durationMs);
  return last;
}

function below(span: TraceSpan, rootSpanId: string, byId: ReadonlyMap<string, TraceSpan>): boolean {
  const seen = new Set<string>();
  for (let parent = span.parentSpanId; parent && !seen.has(parent); parent = byId.get(parent)?.parentSpanId) {
    if (parent === rootSpanId) return true;
    seen.add(parent);
  }
  return false;
}

const hrMs = ([seconds, nanos]: [number, number]) => seconds * 1000 + nanos / 1e6;

/** One of the worker's spans in the store's flattened form. */
export function storedOf(span: ReadableSpan): StoredSpan {
  return {
    traceId: span.spanContext().traceId,
    spanId: span.spanContext().spanId,
    parentSpanId: span.parentSpanContext?.spanId,
    name: span.name,
    kind: span.kind + 1,
    startMs: hrMs(span.startTime),
    endMs: hrMs(span.endTime),
    attributes: {...span.attributes},
    events: span.events.map(event => ({name: event.name, timeMs: hrMs(event.time), attributes: {...event.attributes}})),
    status: {code: span.status.code, message: span.status.message},
    resource: {...span.resource.attributes},
  };
}
