import {createHash} from 'node:crypto';
import {readFileSync} from 'node:fs';
import {hostname} from 'node:os';
import {isMainThread} from 'node:worker_threads';

/*
 * One id per `jest` invocation, the same in every worker and different between invocations, computed without
 * touching `testEnvironmentOptions` (a per-run value there would bust Jest's transform cache on every run).
 *
 * Every worker can name the process that runs Jest: itself when running in band or with worker threads, its parent
 * when it is a child process. That process's pid and its start time (from /proc where there is one) identify the
 * invocation. `JEST_OTEL_RUN_ID` in the environment, when set (by a CI step, say), wins.
 */

export const RUN_ID_ENV = 'JEST_OTEL_RUN_ID';

let cached: string | undefined;
let invocation: string | undefined;

export function runId(): string {
  cached ??= process.env[RUN_ID_ENV]?.trim() || invocationId();
  return cached;
}

/**
 * This `jest` invocation, whatever `JEST_OTEL_RUN_ID` says: several invocations may share a run id set by CI, but
 * each still needs its own warnings.
 */
export function invocationId(): string {
  invocation ??= computeRunId();
  return invocation;
}

/** A child process that jest-worker runs test files in (not a worker thread, not Jest's own process). */
export function isWorkerProcess(): boolean {
  return isMainThread && typeof process.send === 'function' && process.env.JEST_WORKER_ID !== undefined;
}

function computeRunId(): string {
  const isChildWorker = isWorkerProcess();
  const pid = isChildWorker ? process.ppid : process.pid;
  const started = processStartTicks(pid) ?? (isChildWorker ? '' : String(Math.round(Date.now() - process.uptime() * 1000)));
  return createHash('sha256').update(`${hostname()}\0${pid}\0${started}`).digest('hex').slice(0, 16);
}

/** Field 22 of /proc/<pid>/stat: the process's start time in clock ticks since boot (Linux only). */
function processStartTicks(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined;
  }
}
