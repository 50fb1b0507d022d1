import {createHash} from 'node:crypto';
import {readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {runTempFolder} from '../shared/diag';

/*
 * A collector that failed for a whole export deadline (no answer, or 5xx / 429 / resets until the deadline) is not
 * asked again in this run, by any worker: the first process to see it writes the reason to a marker file of the run
 * (under the OS temp folder, keyed by the endpoint), and every export reads it first. So a run pays one export
 * deadline for such a collector, not one per test file or per worker; the spans not sent are counted as lost, with
 * the reason, by the span ledger.
 */

export class CollectorBreaker {
  private reason: string | undefined;
  private readonly file: string | undefined;

  constructor(run: string, endpoint: string) {
    try {
      this.file = join(runTempFolder(run), `collector-failed-${createHash('sha256').update(endpoint).digest('hex').slice(0, 16)}`);
    } catch {
      // No temp folder: the breaker still works within this process.
    }
  }

  /** Why the collector is not asked any more in this run; undefined while it still is. */
  openReason(): string | undefined {
    if (this.reason === undefined && this.file) {
      try {
        this.reason = readFileSync(this.file, 'utf8') || undefined;
      } catch {
        // No marker: no process of this run has seen the collector fail.
      }
    }
    return this.reason;
  }

  trip(reason: string): void {
    this.reason ??= reason;
    if (!this.file) return;
    try {
      writeFileSync(this.file, reason, {flag: 'wx'});
    } catch {
      // Another process tripped it first, or no temp folder: either way this process stops asking.
    }
  }
}
