/*
 * The one way this package reports its own problems: a prefixed line on the worker's stderr, once per distinct
 * message per process. Nothing here throws; `safely` is the guard around every piece of work done on behalf of
 * Jest so that a tracing problem can never change a test's outcome.
 */
import {existsSync, mkdirSync, openSync, closeSync, readdirSync, rmSync, statSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';

const PREFIX = '[jest-environment-otel]';
const said = new Set<string>();
const DAY_MS = 24 * 60 * 60 * 1000;

export function warnOnce(message: string): void {
  if (said.has(message)) return;
  said.add(message);
  try {
    process.stderr.write(`${PREFIX} ${message}\n`);
  } catch {
    // stderr closed: nothing left to tell.
  }
}

/**
 * Once per `jest` run, across its worker processes: the first process to claim `key` (a marker file in a folder of
 * the run under the OS temp folder) prints the message; the others stay quiet. Falls back to once per process.
 */
export function warnOncePerRun(runId: string, key: string, message: string): void {
  if (said.has(message)) return;
  try {
    closeSync(openSync(join(runTempFolder(runId), key.replace(/[^\w.-]+/g, '_').slice(0, 120)), 'wx'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      said.add(message);
      return;
    }
  }
  warnOnce(message);
}

/** The folder of a `jest` run under the OS temp folder, where its processes leave each other markers. May throw. */
export function runTempFolder(runId: string): string {
  const folder = runTempPath(runId);
  const root = join(folder, '..');
  if (!existsSync(folder)) {
    mkdirSync(folder, {recursive: true});
    pruneOldRuns(root, runId);
  }
  return folder;
}

export function runTempPath(runId: string): string {
  return join(tmpdir(), 'jest-environment-otel', runId);
}

function pruneOldRuns(root: string, current: string): void {
  for (const name of readdirSync(root)) {
    if (name === current) continue;
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
