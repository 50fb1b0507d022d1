import {closeSync, openSync, rmSync, statSync} from 'node:fs';

/*
 * One job for one process among many (a run's workers, or every run on the machine): the process that creates the
 * claim file does it. Used by the once-per-run messages (src/shared/diag.ts), the work tree's state asked of git once
 * per run (src/pipeline/worktree.ts) and the code cache's writer (src/load-bundle.ts, which requires this file on its
 * own, outside the bundle).
 */

export interface ClaimOptions {
  /**
   * A claim older than this was left by a process that died or by an earlier run: it is taken away and claimed again,
   * once. Without it, a claim stays for good.
   */
  staleMs?: number;
  /** The file's mode when it is created. */
  mode?: number;
  /** Keep the file open and hand over its descriptor, for the claimant to write to. */
  keepOpen?: boolean;
}

/**
 * `mine` (with the open file, when `keepOpen`): this process created the claim. `taken`: another process's claim is
 * there. `failed`: the file could not be created for another reason (its folder missing or read-only); what the
 * claim guarded is then the caller's to decide.
 */
export type Claim = {outcome: 'mine'; fd?: number} | {outcome: 'taken'} | {outcome: 'failed'};

export function claimFile(path: string, options: ClaimOptions = {}): Claim {
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const fd = openSync(path, 'wx', options.mode ?? 0o666);
      if (options.keepOpen) return {outcome: 'mine', fd};
      closeSync(fd);
      return {outcome: 'mine'};
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return {outcome: 'failed'};
    }
    if (options.staleMs === undefined) return {outcome: 'taken'};
    try {
      if (Date.now() - statSync(path).mtimeMs <= options.staleMs) return {outcome: 'taken'};
      rmSync(path, {force: true});
    } catch {
      // Gone between the two calls: its claimant finished. Claimed again below.
    }
  }
  return {outcome: 'taken'};
}
