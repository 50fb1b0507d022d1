import {ExportResultCode, type ExportResult} from '@opentelemetry/core';
import type {LogRecordProcessor, ReadableLogRecord} from '@opentelemetry/sdk-logs';
import type {ReadableSpan, SpanProcessor} from '@opentelemetry/sdk-trace';
import {errorText, warnInThisProcess, warnOncePerRun} from '../shared/diag';
import {LedgerFile, lossLines, reportVanishedWorkers, type LedgerCounts} from './ledger-file';
import {invocationId, isWorkerProcess} from '../shared/run-id';

/*
 * No silent loss: the ledger counts every span the worker ends (and every log record it emits) and, per
 * destination, every one delivered or refused. The first failed export of a destination is reported at once
 * (naming it and the error); when the process exits, or Jest stops a worker, each destination that did not get
 * everything says how many it missed and why. A worker keeps its span counts on disk too (src/pipeline/ledger-file.ts), for
 * when it is killed before it can say so.
 */

/** What every exporter of spans or log records has; the ledger wraps it. */
interface Exporter<Item> {
  export(items: Item[], resultCallback: (result: ExportResult) => void): void;
  forceFlush?(): Promise<void>;
  shutdown(): Promise<void>;
}

/** The counts of one signal: `noun` names what is counted in messages (`spans`, `log records`), `one` one of it. */
class Ledger<Item> {
  protected ended = 0;
  private readonly destinations: Array<ReportingExporter<Item>> = [];

  constructor(
    private readonly noun: string,
    private readonly one: string,
  ) {}

  /** Wraps `exporter` so that its deliveries are counted and its first failure is reported. */
  track<E extends Exporter<Item>>(exporter: E, target: string): E {
    const reporting = new ReportingExporter(exporter, target, this.noun, () => this.save());
    this.destinations.push(reporting);
    return reporting as unknown as E;
  }

  /** Lines describing what each destination missed; empty when none was missed. */
  losses(when = 'when the process exited'): string[] {
    return lossLines(this.counts(), when, this.noun, this.one);
  }

  /** Whether every destination has taken an export and refused none: the collector is known to answer. */
  delivering(): boolean {
    return this.destinations.length > 0 && this.destinations.every(({delivered, refused}) => delivered > 0 && refused === 0);
  }

  /** Keeps the counts where a later process of the run finds them if this one is killed (spans only). */
  save(): void {}

  /** Called once the losses were said: nothing is left for a later process to report. */
  protected reported(): void {}

  /**
   * Reports losses when the process exits (stderr is synchronous then for files, terminals and pipes on Linux), and
   * when Jest stops a worker process with SIGTERM (a worker that did not exit in time, or one recycled for
   * `workerIdleMemoryLimit`), where no exit event comes. Each worker says its own: the counts differ per process.
   */
  reportAtExit(): void {
    const report = (when?: string) => {
      this.losses(when).forEach(line => warnInThisProcess(line));
      this.reported();
    };
    process.once('exit', () => report());
    if (isWorkerProcess()) process.on('SIGTERM', reportThenTerminate(() => report('when Jest stopped the worker')));
  }

  protected counts(): LedgerCounts {
    const destinations = this.destinations.map(({target, delivered, refused, lastError}) => ({target, delivered, refused, lastError}));
    return {ended: this.ended, destinations};
  }
}

export class SpanLedger extends Ledger<ReadableSpan> implements SpanProcessor {
  private readonly file: LedgerFile | undefined;

  constructor() {
    super('spans', 'span');
    if (!isWorkerProcess()) return;
    this.file = new LedgerFile(invocationId());
    reportVanishedWorkers(invocationId(), warnInThisProcess);
  }

  override save(): void {
    this.file?.save(this.counts());
  }

  protected override reported(): void {
    this.file?.remove();
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

/** Counts every log record emitted (console output with `console: 'logs'`) against what each destination took. */
export class LogLedger extends Ledger<ReadableLogRecord> implements LogRecordProcessor {
  constructor() {
    super('log records', 'log record');
  }

  onEmit(): void {
    this.ended += 1;
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
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

class ReportingExporter<Item> implements Exporter<Item> {
  delivered = 0;
  refused = 0;
  lastError = '';

  constructor(
    private readonly inner: Exporter<Item>,
    readonly target: string,
    private readonly noun: string,
    private readonly counted: () => void,
  ) {}

  export(items: Item[], resultCallback: (result: ExportResult) => void): void {
    const settle = (result: ExportResult) => {
      if (result.code === ExportResultCode.SUCCESS) {
        this.delivered += items.length;
      } else {
        this.refused += items.length;
        this.lastError = errorText(result.error ?? 'unknown error');
        warnOncePerRun(`export-failed ${this.target}`, `could not export ${this.noun} to ${this.target}: ${this.lastError}. Tests are not affected.`);
      }
      this.counted();
      resultCallback(result);
    };
    try {
      this.inner.export(items, settle);
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
