import {closeSync, openSync, writevSync} from 'node:fs';
import {join} from 'node:path';
import {fromRequest, type StoredSpan} from '../../shared/store-read';
import type {EncodedRequest} from './decode';
import type {AcceptedRequest, TraceRequest} from './server';

/*
 * The spans the receiver got during one run, kept as store lines (one OTLP/JSON request per line) until the run's
 * folder is known, then written there as `received-<pid>.jsonl` beside the workers' files. Lines are indexed by the
 * trace ids they hold, so that a test's trace assertions can ask for the spans of its trace while the run goes on
 * (src/run/receiver/query.ts), and wait for more of them. Only the lines are kept, never the requests they were
 * made from; the reporter, in this same process, takes the spans of the tests' traces from them at the end of the run
 * (`writeTo`) instead of reading the file back, and the spans of traces no test started are written, not parsed.
 */

/** Lines are written to the file this many at a time. */
const WRITE_BATCH = 256;

/** What the receiver holds of one trace. */
interface TraceEntry {
  /** The lines holding spans of the trace, by index. */
  lines: number[];
  spans: number;
  /** ms since the epoch. */
  lastArrival: number;
}

/** The spans of one trace, as one OTLP/JSON request. */
export interface TraceAnswer {
  resourceSpans: Array<Record<string, any>>;
  spans: number;
  /** When the last of them arrived (ms since the epoch), 0 when none did. */
  lastArrival: number;
  /** Spans of this run the receiver could not keep (its buffer was full): some may be of this trace. */
  dropped: number;
}

export class ReceivedSpans {
  /** UTF-8, each with its newline. */
  private lines: Buffer[] = [];
  private bytes = 0;
  spans = 0;
  dropped = 0;
  /** When the last request arrived (ms since the epoch), 0 when none did. */
  lastArrival = 0;
  private traces = new Map<string, TraceEntry>();
  /** Those waiting for more spans of a trace. */
  private readonly waiting = new Map<string, Set<() => void>>();

  constructor(private readonly maxBufferedBytes: number) {}

  get empty(): boolean {
    return this.lines.length === 0 && this.dropped === 0;
  }

  add(request: AcceptedRequest): void {
    const encoded = 'line' in request ? request : encodeJson(request);
    if (encoded === undefined || encoded.spans === 0) return;
    const count = encoded.spans;
    this.lastArrival = Date.now();
    const line = encoded.line;
    if (this.bytes + line.length > this.maxBufferedBytes) {
      this.dropped += count;
      return;
    }
    const index = this.lines.push(line) - 1;
    this.bytes += line.length;
    this.spans += count;
    for (const [traceId, spans] of encoded.traces) {
      let entry = this.traces.get(traceId);
      if (!entry) this.traces.set(traceId, (entry = {lines: [], spans: 0, lastArrival: 0}));
      entry.lines.push(index);
      entry.spans += spans;
      entry.lastArrival = this.lastArrival;
      const waiters = this.waiting.get(traceId);
      if (waiters) {
        this.waiting.delete(traceId);
        for (const wake of waiters) wake();
      }
    }
  }

  /** The spans received so far of one trace (hex id), in their requests' resources and scopes. */
  trace(traceId: string): TraceAnswer {
    const entry = this.traces.get(traceId);
    const answer: TraceAnswer = {resourceSpans: [], spans: entry?.spans ?? 0, lastArrival: entry?.lastArrival ?? 0, dropped: this.dropped};
    for (const index of entry?.lines ?? []) {
      for (const resourceSpans of (JSON.parse(this.lines[index].toString('utf8')) as {resourceSpans: Array<Record<string, any>>}).resourceSpans) {
        const scopeSpans = (resourceSpans?.scopeSpans ?? [])
          .map((scope: Record<string, any>) => ({...scope, spans: (Array.isArray(scope?.spans) ? scope.spans : []).filter((span: {traceId?: unknown}) => span?.traceId === traceId)}))
          .filter((scope: {spans: unknown[]}) => scope.spans.length > 0);
        if (scopeSpans.length > 0) answer.resourceSpans.push({...resourceSpans, scopeSpans});
      }
    }
    return answer;
  }

  /**
   * Resolves once the trace holds more than `known` spans, or after `waitMs`: a long poll, so that an assertion waits
   * for the next spans of its trace, not for a timer of its own. The timer does not keep the process alive.
   */
  whenMore(traceId: string, known: number, waitMs: number): Promise<void> {
    if ((this.traces.get(traceId)?.spans ?? 0) > known || waitMs <= 0) return Promise.resolve();
    return new Promise(resolve => {
      let waiters = this.waiting.get(traceId);
      if (!waiters) this.waiting.set(traceId, (waiters = new Set()));
      const wake = () => {
        clearTimeout(timer);
        waiters.delete(wake);
        if (waiters.size === 0 && this.waiting.get(traceId) === waiters) this.waiting.delete(traceId);
        resolve();
      };
      const timer = setTimeout(wake, waitMs);
      timer.unref();
      waiters.add(wake);
    });
  }

  /**
   * Waits until no request has come for `quietMs`, at most `maxWaitMs`; when nothing came in this run, only until
   * `firstBy` (ms since the epoch) for a first request. Resolves with whether it was still receiving at the deadline.
   */
  async settle(quietMs: number, maxWaitMs: number, firstBy = 0): Promise<boolean> {
    const deadline = Date.now() + maxWaitMs;
    // Nothing yet, but a service may still be sending its first batch: wait for it until `firstBy`.
    const first = Math.min(firstBy, deadline);
    while (this.lastArrival === 0 && Date.now() < first) await new Promise(resolve => setTimeout(resolve, Math.min(20, first - Date.now())));
    if (this.lastArrival === 0) return false;
    for (;;) {
      const quietAt = this.lastArrival + quietMs;
      const now = Date.now();
      if (now >= quietAt) return false;
      if (now >= deadline) return true;
      // Not unref'd: Jest's main process awaits this, and would otherwise end right here, with exit code 0.
      await new Promise(resolve => setTimeout(resolve, Math.min(quietAt, deadline) - now));
    }
  }

  /**
   * Writes what was received to the run's folder and starts over; returns the counts of what it wrote and, given the
   * trace ids of the tests' spans, the received spans of those traces (`read`), read from the lines in memory. The
   * lines of other traces are written only.
   */
  writeTo(folder: string, traces?: ReadonlySet<string>): {spans: number; dropped: number; file?: string; read?: StoredSpan[]} {
    const result: {spans: number; dropped: number; file?: string; read?: StoredSpan[]} = {spans: this.spans, dropped: this.dropped};
    const lines = this.lines;
    const wanted = traces ? this.linesOf(traces) : undefined;
    this.lines = [];
    this.bytes = 0;
    this.spans = 0;
    this.dropped = 0;
    this.lastArrival = 0;
    this.traces = new Map();
    if (lines.length > 0) {
      result.file = join(folder, `received-${process.pid}.jsonl`);
      writeLines(result.file, lines);
    }
    if (traces && wanted) {
      result.read = [];
      for (const index of [...wanted].sort((a, b) => a - b)) {
        for (const span of fromRequest(onlyTraces(JSON.parse(lines[index].toString('utf8')), traces))) result.read.push(span);
      }
    }
    return result;
  }

  /** The indexes of the lines holding spans of any of these traces. */
  private linesOf(traces: ReadonlySet<string>): Set<number> {
    const lines = new Set<number>();
    for (const traceId of traces) for (const index of this.traces.get(traceId)?.lines ?? []) lines.add(index);
    return lines;
  }
}

/** The request with only the spans of these traces, the others left before they are turned into stored spans. */
function onlyTraces(request: TraceRequest, traces: ReadonlySet<string>): TraceRequest {
  for (const resourceSpans of request.resourceSpans ?? []) {
    for (const scopeSpans of resourceSpans?.scopeSpans ?? []) {
      if (Array.isArray(scopeSpans?.spans)) scopeSpans.spans = scopeSpans.spans.filter((span: {traceId?: unknown}) => traces.has(span?.traceId as string));
    }
  }
  return request;
}

/** Appends the lines to the file as they are, a batch at a time (no copy of them all in one string). */
function writeLines(file: string, lines: Buffer[]): void {
  const fd = openSync(file, 'a');
  try {
    for (let start = 0; start < lines.length; start += WRITE_BATCH) writeAll(fd, lines.slice(start, start + WRITE_BATCH));
  } finally {
    closeSync(fd);
  }
}

function writeAll(fd: number, buffers: Buffer[]): void {
  let left = buffers;
  while (left.length > 0) {
    let written = writevSync(fd, left);
    if (written === 0) throw new Error('the disk took none of the received spans');
    // A short write: go on from where it stopped.
    while (left.length > 0 && written >= left[0].length) written -= left.shift()!.length;
    if (left.length > 0 && written > 0) left[0] = left[0].subarray(written);
  }
}

/** A request that came as OTLP/JSON, as the line the store holds, with its counts. */
function encodeJson(request: TraceRequest): EncodedRequest | undefined {
  const spans = countSpans(request);
  if (spans === 0) return undefined;
  return {line: Buffer.from(`${JSON.stringify({resourceSpans: request.resourceSpans})}\n`, 'utf8'), spans, traces: spansByTrace(request)};
}

export function countSpans(request: TraceRequest): number {
  let count = 0;
  for (const resourceSpans of request.resourceSpans) {
    for (const scopeSpans of resourceSpans?.scopeSpans ?? []) count += Array.isArray(scopeSpans?.spans) ? scopeSpans.spans.length : 0;
  }
  return count;
}

/** How many spans of each trace a request holds. */
function spansByTrace(request: TraceRequest): Map<string, number> {
  const counts = new Map<string, number>();
  for (const resourceSpans of request.resourceSpans) {
    for (const scopeSpans of resourceSpans?.scopeSpans ?? []) {
      for (const span of Array.isArray(scopeSpans?.spans) ? scopeSpans.spans : []) {
        if (typeof span?.traceId === 'string' && span.traceId !== '') counts.set(span.traceId, (counts.get(span.traceId) ?? 0) + 1);
      }
    }
  }
  return counts;
}
