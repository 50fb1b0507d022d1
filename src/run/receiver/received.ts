import {appendFileSync} from 'node:fs';
import {join} from 'node:path';
import type {TraceRequest} from './server';

/*
 * The spans the receiver got during one run, kept as store lines (one OTLP/JSON request per line) until the run's
 * folder is known, then written there as `received-<pid>.jsonl` beside the workers' files.
 */

export class ReceivedSpans {
  private lines: string[] = [];
  private bytes = 0;
  spans = 0;
  dropped = 0;
  /** When the last request arrived (ms since the epoch), 0 when none did. */
  lastArrival = 0;

  constructor(private readonly maxBufferedBytes: number) {}

  get empty(): boolean {
    return this.lines.length === 0 && this.dropped === 0;
  }

  add(request: TraceRequest): void {
    const count = countSpans(request);
    if (count === 0) return;
    this.lastArrival = Date.now();
    const line = JSON.stringify({resourceSpans: request.resourceSpans});
    if (this.bytes + line.length > this.maxBufferedBytes) {
      this.dropped += count;
      return;
    }
    this.lines.push(line);
    this.bytes += line.length;
    this.spans += count;
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

  /** Writes what was received to the run's folder and starts over; returns the counts of what it wrote. */
  writeTo(folder: string): {spans: number; dropped: number; file?: string} {
    const result: {spans: number; dropped: number; file?: string} = {spans: this.spans, dropped: this.dropped};
    const lines = this.lines;
    this.lines = [];
    this.bytes = 0;
    this.spans = 0;
    this.dropped = 0;
    this.lastArrival = 0;
    if (lines.length > 0) {
      result.file = join(folder, `received-${process.pid}.jsonl`);
      appendFileSync(result.file, `${lines.join('\n')}\n`);
    }
    return result;
  }
}

export function countSpans(request: TraceRequest): number {
  let count = 0;
  for (const resourceSpans of request.resourceSpans) {
    for (const scopeSpans of resourceSpans?.scopeSpans ?? []) count += Array.isArray(scopeSpans?.spans) ? scopeSpans.spans.length : 0;
  }
  return count;
}
