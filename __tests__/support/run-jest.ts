import {spawn} from 'node:child_process';
import {readFileSync, rmSync} from 'node:fs';
import {join} from 'node:path';
import {JEST_BIN, WORK} from './paths';

export interface JestRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Jest's `--json` result; empty when Jest ended without writing it (`--bail`, a test calling process.exit). */
  results: JestResults;
  wroteResults: boolean;
  /** Wall time of the whole `jest` process, in ms. */
  wallMs: number;
}

export interface JestResults {
  success: boolean;
  numFailedTests: number;
  numPassedTests: number;
  testResults: Array<{
    name: string;
    assertionResults: Array<{fullName: string; status: string; invocations?: number}>;
  }>;
}

export interface RunOptions {
  args?: string[];
  env?: Record<string, string | undefined>;
  /** The Node.js that runs Jest, when not NODE. */
  node?: string;
  /** Kills Jest and its workers after this long (the run then has `code` null): for runs that could hang. */
  killAfterMs?: number;
}

let runs = 0;

/** The Jest and Node.js that run the fixtures: this repository's, unless the compatibility matrix says otherwise. */
export const JEST = process.env.E2E_JEST_BIN || JEST_BIN;
export const NODE = process.env.E2E_NODE || process.execPath;

/** Runs real Jest (the repository's) on an installed fixture project, with a clean OTEL_* environment. */
export async function runJest(fixture: string, options: RunOptions = {}): Promise<JestRun> {
  const cwd = join(WORK, fixture);
  const output = join(WORK, `result-${process.pid}-${runs++}.json`);
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || key.startsWith('OTEL_') || key.startsWith('JEST_') || ['TRACEPARENT', 'TRACESTATE', 'BAGGAGE'].includes(key)) continue;
    env[key] = value;
  }
  env.NO_COLOR = '1';
  env.FORCE_COLOR = '0';
  // Runs in parallel would take turns at 4318 and say so; a test of the default port sets it back.
  env.JEST_OTEL_RECEIVER_PORT = '0';
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  // A fresh cache per run: with the timings of an earlier run, Jest would run a small suite in band even when asked
  // for workers.
  const cacheDirectory = join(WORK, `cache-${process.pid}-${runs}`);
  const args = [JEST, '--ci', '--json', `--outputFile=${output}`, `--cacheDirectory=${cacheDirectory}`, ...(options.args ?? [])];
  const started = Date.now();
  // With a deadline, Jest gets a process group of its own, so that the deadline ends its workers with it.
  const child = spawn(options.node ?? NODE, args, {cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: options.killAfterMs !== undefined});
  const killer =
    options.killAfterMs === undefined
      ? undefined
      : setTimeout(() => {
          try {
            process.kill(-child.pid!, 'SIGKILL');
          } catch {
            // already gone
          }
        }, options.killAfterMs);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', chunk => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', chunk => (stderr += chunk));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  clearTimeout(killer);
  const wallMs = Date.now() - started;
  let results: JestResults = {success: false, numFailedTests: 0, numPassedTests: 0, testResults: []};
  let wroteResults = false;
  try {
    results = JSON.parse(readFileSync(output, 'utf8')) as JestResults;
    wroteResults = true;
  } catch {
    // reported through wroteResults; tests that need results fail on their contents
  } finally {
    rmSync(output, {force: true});
    rmSync(cacheDirectory, {recursive: true, force: true});
  }
  return {code, stdout, stderr, results, wroteResults, wallMs};
}

/** `fullName → status` for every test of a run, with the file name in front. */
export function outcomes(results: JestResults): Record<string, string> {
  const map: Record<string, string> = {};
  for (const file of results.testResults) {
    const name = file.name.split('/').pop();
    for (const test of file.assertionResults) map[`${name} › ${test.fullName}`] = test.status;
  }
  return map;
}

/** The lines this package printed on a run's stderr. */
export function ourWarnings(run: JestRun): string[] {
  return run.stderr.split('\n').filter(line => line.startsWith('[jest-environment-otel]'));
}

/** What Jest reports for the "small" fixture: two files, three tests, one failing on purpose. */
export const SMALL_OUTCOMES = {
  'math.test.js › adds': 'passed',
  'math.test.js › subtracts wrongly': 'failed',
  'strings.test.js › joins': 'passed',
};
