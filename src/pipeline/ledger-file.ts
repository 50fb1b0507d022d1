import {closeSync, existsSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync} from 'node:fs';
import {join} from 'node:path';
import {runTempFolder, runTempPath} from '../shared/diag';

/*
 * A worker process that is killed outright (SIGKILL: one busy when Jest recycles or stops it, the OOM killer) cannot
 * say what it lost. So each worker keeps its span ledger in a file of the run (under the OS temp folder), rewritten
 * when its counts change (at each teardown and each export's answer; a few hundred bytes), and removes it once it
 * reported itself. Whoever comes later in the same run — the next worker to start, or the reporter in Jest's process
 * when the run completes — reports the ledgers of workers that are gone.
 */

export interface DestinationCounts {
  target: string;
  delivered: number;
  refused: number;
  lastError: string;
}

export interface LedgerCounts {
  ended: number;
  destinations: DestinationCounts[];
}

/** Lines describing what each destination missed (`noun`: spans, log records); empty when none was missed. */
export function lossLines({ended, destinations}: LedgerCounts, when: string, noun = 'spans', one = 'span'): string[] {
  return destinations.flatMap(destination => {
    const lost = ended - destination.delivered;
    if (lost <= 0) return [];
    const reasons = [];
    if (destination.refused > 0) reasons.push(`${destination.refused} in exports that failed (${destination.lastError})`);
    const unsent = lost - destination.refused;
    if (unsent > 0) reasons.push(`${unsent} still waiting for export ${when}`);
    return [`${lost} of ${ended} ${ended === 1 ? one : noun} ${lost === 1 ? 'was' : 'were'} not exported to ${destination.target}: ${reasons.join('; ')}.`];
  });
}

const FILE = /^ledger-(\d+)\.json$/;

export class LedgerFile {
  private readonly file: string | undefined;
  /** Kept open from the first save: each later save is one write at the start of the file, not an open, write and close. */
  private fd: number | undefined;
  private saved = '';
  /** The bytes the file holds. */
  private length = 0;

  constructor(run: string) {
    try {
      this.file = join(runTempFolder(run), `ledger-${process.pid}.json`);
    } catch {
      // No temp folder: a killed worker's losses go unreported, as without this file.
    }
  }

  /** Writes the counts when they differ from those last written. */
  save(counts: LedgerCounts): void {
    if (!this.file) return;
    const text = JSON.stringify(counts);
    if (text === this.saved) return;
    try {
      this.fd ??= openSync(this.file, 'w');
      const bytes = Buffer.from(text);
      // Padded with spaces (which JSON allows) over the end of a longer text written before: no truncation needed.
      const written = bytes.length >= this.length ? bytes : Buffer.concat([bytes, Buffer.alloc(this.length - bytes.length, ' ')]);
      writeSync(this.fd, written, 0, written.length, 0);
      this.saved = text;
      this.length = written.length;
    } catch {
      // As above.
      this.close();
    }
  }

  remove(): void {
    this.close();
    if (this.file) rmSync(this.file, {force: true});
  }

  private close(): void {
    const fd = this.fd;
    this.fd = undefined;
    this.saved = '';
    this.length = 0;
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        // Already closed.
      }
    }
  }
}

/**
 * Reports, once, the losses of this run's workers that ended without reporting them (their process is gone, their
 * ledger file is still there). Never throws.
 */
export function reportVanishedWorkers(run: string, report: (line: string) => void): void {
  const folder = runTempPath(run);
  try {
    if (!existsSync(folder)) return;
    for (const name of readdirSync(folder)) {
      const pid = Number(FILE.exec(name)?.[1]);
      if (!pid || pid === process.pid || isAlive(pid)) continue;
      const claimed = join(folder, `${name}.${process.pid}`);
      try {
        renameSync(join(folder, name), claimed);
      } catch {
        continue; // another process claimed it
      }
      try {
        lossLines(JSON.parse(readFileSync(claimed, 'utf8')) as LedgerCounts, 'when its worker was killed').forEach(report);
      } finally {
        rmSync(claimed, {force: true});
      }
    }
  } catch {
    // Nothing more can be said about them.
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
