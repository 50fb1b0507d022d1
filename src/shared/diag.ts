/*
 * The one way this package reports its own problems: a prefixed line on stderr, once per distinct message per `jest`
 * run, however many worker processes hit it (each worker validates the same options and meets the same slow
 * collector). Nothing here throws; `safely` is the guard around every piece of work done on behalf of Jest so that a
 * tracing problem can never change a test's outcome.
 */
import {closeSync, openSync, readdirSync, rmSync, statSync, utimesSync} from 'node:fs';
import {createHash} from 'node:crypto';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {claimFile} from './claim-file';
import {makeDirectory} from './make-directory';
import {invocationId} from './run-id';

const PREFIX = '[jest-environment-otel]';
const said = new Set<string>();
const DAY_MS = 24 * 60 * 60 * 1000;
/** How often the old runs' folders are looked over: every process of every run would stat each of them. */
const PRUNE_EVERY_MS = 60 * 60 * 1000;
let pruned = false;
const TEMP_ROOT = join(tmpdir(), 'jest-environment-otel');

/**
 * The folder the processes of one `jest` invocation share under the OS temp folder, where they leave each other
 * markers (removed a day after its run, looked over at most once an hour); created on first use. May throw.
 */
export function runTempFolder(invocation: string): string {
  const folder = runTempPath(invocation);
  makeDirectory(folder);
  if (!pruned) pruneOldRuns(TEMP_ROOT, invocation);
  return folder;
}

/** Where `runTempFolder` is, without creating it. */
export function runTempPath(invocation: string): string {
  return join(TEMP_ROOT, invocation);
}

/** Prints `message` once per `jest` run, across its worker processes. */
export function warnOnce(message: string): void {
  warnOncePerRun(createHash('sha256').update(message).digest('hex').slice(0, 32), message);
}

/**
 * Once per `jest` run, across its worker processes: the first process to claim `key` (a marker file in a folder of
 * the invocation under the OS temp folder) prints the message; the others stay quiet. Messages that differ only in
 * a detail (the error of a failed export) share a key. Falls back to once per process.
 */
export function warnOncePerRun(key: string, message: string): void {
  if (claimForRun(key, message)) warnInThisProcess(message);
}

/**
 * An informational line (where the traces went), once per `jest` run like a warning, but without the warning's
 * prefix: `jest-environment-otel: …`, so that it reads as news, not as a problem.
 */
export function tellOncePerRun(key: string, message: string): void {
  if (!claimForRun(key, message)) return;
  said.add(message);
  try {
    process.stderr.write(`jest-environment-otel: ${message}\n`);
  } catch {
    // stderr closed: nothing left to tell.
  }
}

/** Whether this process is the first of the run to claim `key`; false once it (or another process) has. */
function claimForRun(key: string, message: string): boolean {
  if (said.has(message)) return false;
  try {
    if (claimFile(join(runTempFolder(invocationId()), key.replace(/[^\w.-]+/g, '_').slice(0, 120))).outcome === 'taken') {
      said.add(message);
      return false;
    }
  } catch {
    // No run folder: said by this process.
  }
  return true;
}

/** Once per process: for what each worker has to say for itself (the spans it could not export). */
export function warnInThisProcess(message: string): void {
  if (said.has(message)) return;
  said.add(message);
  try {
    process.stderr.write(`${PREFIX} ${message}\n`);
  } catch {
    // stderr closed: nothing left to tell.
  }
}

function pruneOldRuns(root: string, current: string): void {
  pruned = true;
  // A stamp whose time says when the folders were last looked over: one stat per process instead of one per folder
  // (a machine that runs Jest often has hundreds of them within the day they are kept).
  const stamp = join(root, '.pruned');
  try {
    if (Date.now() - statSync(stamp).mtimeMs < PRUNE_EVERY_MS) return;
    const now = new Date();
    utimesSync(stamp, now, now);
  } catch {
    try {
      closeSync(openSync(stamp, 'w'));
    } catch {
      // looked over every time, as before
    }
  }
  for (const name of readdirSync(root)) {
    if (name === current || name === '.pruned') continue;
    try {
      if (Date.now() - statSync(join(root, name)).mtimeMs > DAY_MS) rmSync(join(root, name), {recursive: true, force: true});
    } catch {
      // another process pruned it
    }
  }
}

export function safely<T>(what: string, work: () => T): T | undefined {
  try {
    return work();
  } catch (error) {
    warnOnce(`internal error while ${what}: ${errorText(error)}`);
    return undefined;
  }
}

export function errorText(error: unknown): string {
  if (error && typeof error === 'object' && 'message' in error) return String((error as {message: unknown}).message);
  return String(error);
}
