import {hintsFor, type Hint} from './hints';
import {identify, type SharedName} from './identity';
import type {Attempt} from './model';

/*
 * Which tests are flaky, and how much they cost.
 *
 * Attempts are grouped by test (suite + full name, and declaration line where tests of one file share a full name) and
 * by the code they ran: the revision (`vcs.ref.head.revision`) with the digest of the work tree's uncommitted changes
 * where there were any (`jest.vcs.worktree.changes`), else the run itself (a run of unknown revision, or with changes
 * that could not be read, is compared with nothing but itself). A test is flaky on a revision when that revision has
 * both a passing and a failing attempt of it: it passed in one run and failed in another, or it passed on a retry
 * after failing. Counts and hints only look at the revisions where it is flaky: on a revision where it always fails
 * it is broken, not flaky. ("Revision" below means the code: a commit, and its uncommitted changes if any.)
 */

export interface FlakyReport {
  summary: {
    /** Distinct `jest.run.id`s. */
    runs: number;
    /** Distinct known revisions. */
    revisions: number;
    /** Runs whose revision is not known (each is compared only with itself). */
    runsWithoutRevision: number;
    /** Runs of a known revision whose work tree had uncommitted changes (compared only with runs of the same changes). */
    runsWithChanges: number;
    /** Distinct tests that passed or failed at least once. */
    tests: number;
    /** Passing and failing attempts (skipped and todo tests are not attempts). */
    attempts: number;
    flaky: number;
  };
  /** Most flaky first: by flake rate, then failures, then time lost. */
  flaky: FlakyTest[];
  /** Tests that are flaky nowhere but failed every attempt on at least one revision. */
  failing: FailingTest[];
  /** Full names that several tests of one file share. */
  sharedNames: SharedName[];
}

export interface FlakyTest {
  rank: number;
  suite: string;
  test: string;
  /** The declaration line, for a test whose full name another test of its file shares. */
  line?: number;
  /** failures / attempts, on the revisions where the test is flaky. */
  flakeRate: number;
  attempts: number;
  failures: number;
  passes: number;
  /** Summed duration of the failed attempts, in ms. */
  timeLostMs: number;
  /** Runs on the flaky revisions, how many of them ended failed, and in how many it passed only on a retry. */
  runs: number;
  failedRuns: number;
  passedOnRetryRuns: number;
  revisions: RevisionSummary[];
  /** The test's own error (first line) and how many failed attempts ended with it, most frequent first. */
  failureMessages: Array<{message: string; count: number}>;
  hints: Hint[];
  exampleFailure: TraceRef;
  examplePass: TraceRef;
}

export interface RevisionSummary {
  /** null when unknown: then `runIds` holds the one run this group is made of. */
  revision: string | null;
  /**
   * The digest of the uncommitted changes the runs had; `unknown` when they had some that could not be read (then
   * `runIds` holds the one run); null for the commit's own code, or when not recorded.
   */
  changes: string | null;
  runIds: string[];
  attempts: number;
  failures: number;
}

export interface FailingTest {
  suite: string;
  test: string;
  /** As for FlakyTest. */
  line?: number;
  attempts: number;
  failures: number;
}

export interface TraceRef {
  traceId: string;
  runId: string;
  revision: string | null;
  /** The run's HTML report in a local store, opened on this trace (`…/runs/<run id>/report.html#trace/<trace id>`), when it is there. */
  report?: string;
}

export function analyse(attempts: Attempt[]): FlakyReport {
  const identity = identify(attempts);
  const byTest = groupBy(attempts, identity.keyOf);
  const flaky: Omit<FlakyTest, 'rank'>[] = [];
  const failing: FailingTest[] = [];
  for (const testAttempts of byTest.values()) {
    const groups = [...groupBy(testAttempts, revisionKey).values()];
    const flakyGroups = groups.filter(group => group.some(passed) && group.some(failed));
    const line = identity.lineOf(testAttempts[0]);
    if (flakyGroups.length > 0) flaky.push(describeFlaky(flakyGroups, line));
    else if (groups.some(group => group.every(failed))) {
      const {suite, test} = testAttempts[0];
      failing.push({suite, test, ...withLine(line), attempts: testAttempts.length, failures: testAttempts.filter(failed).length});
    }
  }
  flaky.sort(
    (a, b) =>
      b.flakeRate - a.flakeRate ||
      b.failures - a.failures ||
      b.timeLostMs - a.timeLostMs ||
      a.suite.localeCompare(b.suite) ||
      a.test.localeCompare(b.test) ||
      (a.line ?? 0) - (b.line ?? 0),
  );
  failing.sort((a, b) => b.failures - a.failures || a.suite.localeCompare(b.suite) || a.test.localeCompare(b.test) || (a.line ?? 0) - (b.line ?? 0));
  const runs = groupBy(attempts, attempt => attempt.runId);
  return {
    summary: {
      runs: runs.size,
      revisions: new Set(attempts.flatMap(attempt => (attempt.revision ? [attempt.revision] : []))).size,
      runsWithoutRevision: [...runs.values()].filter(run => run.every(attempt => !attempt.revision)).length,
      runsWithChanges: [...runs.values()].filter(run => run.some(attempt => attempt.revision && attempt.dirty)).length,
      tests: byTest.size,
      attempts: attempts.length,
      flaky: flaky.length,
    },
    flaky: flaky.map((test, index) => ({rank: index + 1, ...test})),
    failing,
    sharedNames: identity.sharedNames,
  };
}

function describeFlaky(groups: Attempt[][], line: number | undefined): Omit<FlakyTest, 'rank'> {
  const all = groups.flat().sort((a, b) => a.startMs - b.startMs || a.traceId.localeCompare(b.traceId));
  const failures = all.filter(failed);
  const passes = all.filter(passed);
  const runs = [...groupBy(all, attempt => attempt.runId).values()].map(run => run.sort((a, b) => a.attempt - b.attempt));
  return {
    suite: all[0].suite,
    test: all[0].test,
    ...withLine(line),
    flakeRate: failures.length / all.length,
    attempts: all.length,
    failures: failures.length,
    passes: passes.length,
    timeLostMs: Math.round(failures.reduce((sum, attempt) => sum + attempt.durationMs, 0) * 1_000) / 1_000,
    runs: runs.length,
    failedRuns: runs.filter(run => failed(run[run.length - 1])).length,
    passedOnRetryRuns: runs.filter(run => run.some((attempt, index) => passed(attempt) && run.slice(0, index).some(failed))).length,
    revisions: groups.map(group => ({
      revision: group[0].revision ?? null,
      changes: changesOf(group[0]),
      runIds: [...new Set(group.map(attempt => attempt.runId))],
      attempts: group.length,
      failures: group.filter(failed).length,
    })),
    failureMessages: countMessages(failures),
    hints: hintsFor(failures, passes),
    exampleFailure: traceRef(failures),
    examplePass: traceRef(passes),
  };
}

function withLine(line: number | undefined): {line?: number} {
  return line === undefined ? {} : {line};
}

function countMessages(failures: Attempt[]): Array<{message: string; count: number}> {
  const counts = new Map<string, number>();
  for (const attempt of failures) counts.set(attempt.message ?? '', (counts.get(attempt.message ?? '') ?? 0) + 1);
  return [...counts].map(([message, count]) => ({message, count})).sort((a, b) => b.count - a.count || a.message.localeCompare(b.message));
}

/** The latest of these attempts (they are in start order): the most relevant trace to open. */
function traceRef(attempts: Attempt[]): TraceRef {
  const latest = attempts[attempts.length - 1];
  return {traceId: latest.traceId, runId: latest.runId, revision: latest.revision ?? null};
}

/** The code an attempt ran: its revision and uncommitted changes, or its run where that code is not known. */
function revisionKey(attempt: Attempt): string {
  const changes = changesOf(attempt);
  if (!attempt.revision || changes === 'unknown') return `run ${attempt.runId}`;
  return changes ? `revision ${attempt.revision} changes ${changes}` : `revision ${attempt.revision}`;
}

function changesOf(attempt: Attempt): string | null {
  if (!attempt.revision || !attempt.dirty) return null;
  return attempt.changes ?? 'unknown';
}

const passed = (attempt: Attempt) => attempt.status === 'pass';
const failed = (attempt: Attempt) => attempt.status === 'fail';

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const list = groups.get(key(item));
    if (list) list.push(item);
    else groups.set(key(item), [item]);
  }
  return groups;
}
