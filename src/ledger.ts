import {ExportResultCode, type ExportResult} from '@opentelemetry/core';
import type {LogRecordProcessor, ReadableLogRecord} from '@opentelemetry/sdk-logs';
import type {ReadableSpan, SpanProcessor} from '@opentelemetry/sdk-trace';
import {errorText, warnInThisProcess, warnOncePerRun} from './diag';

/*
 * No silent loss: the ledger counts every span the worker ends (and every log record it emits) and, per
 * destination, every one delivered or refused. The first failed export of a destination is reported at once (naming it and the error); when the
 * process exits, each destination that did not get every span says how many it missed and why.
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
    const reporting = new ReportingExporter(exporter, target, this.noun);
    this.destinations.push(reporting);
    return reporting as unknown as E;
  }

  /** Lines describing the spans each destination missed; empty when none was missed. */
  losses(): string[] {
    return this.destinations.flatMap(destination => {
      const lost = this.ended - destination.delivered;
      if (lost <= 0) return [];
      const reasons = [];
      if (destination.refused > 0) reasons.push(`${destination.refused} in exports that failed (${destination.lastError})`);
      const unsent = lost - destination.refused;
      if (unsent > 0) reasons.push(`${unsent} still waiting for export when the process exited`);
      return [`${lost} of ${this.ended} ${this.ended === 1 ? this.one : this.noun} ${lost === 1 ? 'was' : 'were'} not exported to ${destination.target}: ${reasons.join('; ')}.`];
    });
  }

  /** Reports losses when the process exits (stderr is synchronous then for files, terminals and pipes on Linux). */
  reportAtExit(): void {
    process.once('exit', () => this.losses().forEach(line => warnInThisProcess(line)));
  }
}

export class SpanLedger extends Ledger<ReadableSpan> implements SpanProcessor {
  constructor() {
    super('spans', 'span');
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

class ReportingExporter<Item> implements Exporter<Item> {
  delivered = 0;
  refused = 0;
  lastError = '';

  constructor(
    private readonly inner: Exporter<Item>,
    readonly target: string,
    private readonly noun: string,
  ) {}

  export(spans: Item[], resultCallback: (result: ExportResult) => void): void {
    const settle = (result: ExportResult) => {
      if (result.code === ExportResultCode.SUCCESS) {
        this.delivered += spans.length;
      } else {
        this.refused += spans.length;
        this.lastError = errorText(result.error ?? 'unknown error');
        warnOncePerRun(`export-failed ${this.target}`, `could not export ${this.noun} to ${this.target}: ${this.lastError}. Tests are not affected.`);
      }
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
