import {ExportResultCode, type ExportResult} from '@opentelemetry/core';
import type {ReadableSpan, SpanExporter, SpanProcessor} from '@opentelemetry/sdk-trace';
import {errorText, warnOnce, warnOncePerRun} from './diag';
import {LedgerFile, lossLines, reportVanishedWorkers, type LedgerCounts} from './ledger-file';
import {runId} from './run-id';
import {isMainThread} from 'node:worker_threads';

/*
 * No silent loss: the ledger counts every span the worker ends and, per destination, every span delivered or
 * refused. The first failed export of a destination is reported at once (naming it and the error); when the
 * process exits, or Jest stops a worker, each destination that did not get every span says how many it missed and
 * why. A worker keeps its counts on disk too (src/ledger-file.ts), for when it is killed before it can say so.
 */

export class SpanLedger implements SpanProcessor {
  private ended = 0;
  private readonly destinations: ReportingExporter[] = [];
  private readonly file: LedgerFile | undefined;

  constructor() {
    if (!isWorkerProcess()) return;
    this.file = new LedgerFile(runId());
    reportVanishedWorkers(runId(), warnOnce);
  }

  /** Wraps `exporter` so that its deliveries are counted and its first failure is reported. */
  track(exporter: SpanExporter, target: string): SpanExporter {
    const reporting = new ReportingExporter(exporter, target, () => this.save());
    this.destinations.push(reporting);
    return reporting;
  }

  /** Lines describing the spans each destination missed; empty when none was missed. */
  losses(when = 'when the process exited'): string[] {
    return lossLines(this.counts(), when);
  }

  /** Keeps the counts where a later process of the run finds them if this one is killed. */
  save(): void {
    this.file?.save(this.counts());
  }

  /**
   * Reports losses when the process exits (stderr is synchronous then for files, terminals and pipes on Linux), and
   * when Jest stops a worker process with SIGTERM (a worker that did not exit in time, or one recycled for
   * `workerIdleMemoryLimit`), where no exit event comes.
   */
  reportAtExit(): void {
    const report = (when?: string) => {
      this.losses(when).forEach(line => warnOnce(line));
      this.file?.remove();
    };
    process.once('exit', () => report());
    if (isWorkerProcess()) process.on('SIGTERM', reportThenTerminate(() => report('when Jest stopped the worker')));
  }

  private counts(): LedgerCounts {
    const destinations = this.destinations.map(({target, delivered, refused, lastError}) => ({target, delivered, refused, lastError}));
    return {ended: this.ended, destinations};
  }

  onStart(): void {}

  onEnd(): void {
    this.ended += 1;
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** A child process that jest-worker runs test files in (not a worker thread, not Jest's own process). */
function isWorkerProcess(): boolean {
  return isMainThread && typeof process.send === 'function' && process.env.JEST_WORKER_ID !== undefined;
}

/**
 * A SIGTERM listener that reports, then lets the signal do what it would have done without us: when no one else
 * listens, the default (the process ends, killed by the signal, as jest-worker expects); otherwise what they do.
 */
function reportThenTerminate(report: () => void): () => void {
  const listener = () => {
    report();
    process.removeListener('SIGTERM', listener);
    if (process.listenerCount('SIGTERM') === 0) process.kill(process.pid, 'SIGTERM');
  };
  return listener;
}

class ReportingExporter implements SpanExporter {
  delivered = 0;
  refused = 0;
  lastError = '';

  constructor(
    private readonly inner: SpanExporter,
    readonly target: string,
    private readonly counted: () => void,
  ) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    const settle = (result: ExportResult) => {
      if (result.code === ExportResultCode.SUCCESS) {
        this.delivered += spans.length;
      } else {
        this.refused += spans.length;
        this.lastError = errorText(result.error ?? 'unknown error');
        warnOncePerRun(runId(), `export-failed ${this.target}`, `could not export spans to ${this.target}: ${this.lastError}. Tests are not affected.`);
      }
      this.counted();
      resultCallback(result);
    };
    try {
      this.inner.export(spans, settle);
    } catch (error) {
      settle({code: ExportResultCode.FAILED, error: error as Error});
    }
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}
