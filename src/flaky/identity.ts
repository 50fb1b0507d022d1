import type {Attempt} from './model';

/*
 * Which attempts are of the same test. A test is its file and full name; two tests of one file may share a full name
 * (two `test('works')` at different lines), and merging them would make one test out of a passing and a failing one.
 * A name is shared when one run has attempts of it declared at different lines (`code.line.number`): then each
 * declaration line is a test of its own, in every run. A run with more first attempts of a name than it has
 * declaration lines for it holds tests that recorded no line (or one line for several tests, as a loop declares
 * them): those cannot be told apart, and are said to be merged.
 */

export interface SharedName {
  suite: string;
  test: string;
  /** The declaration lines its tests were told apart by, in order; empty when they could not be told apart. */
  lines: number[];
  /** True when some of its tests recorded no declaration line, so their attempts are counted as one test's. */
  merged: boolean;
}

export interface TestIdentity {
  /** The key that groups the attempts of one test. */
  keyOf(attempt: Attempt): string;
  /** The line a test is told apart by, for tests whose name is shared. */
  lineOf(attempt: Attempt): number | undefined;
  sharedNames: SharedName[];
}

export function identify(attempts: Attempt[]): TestIdentity {
  const nameKey = (attempt: Attempt) => JSON.stringify([attempt.suite, attempt.test]);
  const perRun = new Map<string, {lines: Set<number>; firstAttempts: Map<number | undefined, number>}>();
  for (const attempt of attempts) {
    const key = JSON.stringify([attempt.runId, attempt.suite, attempt.test]);
    let seen = perRun.get(key);
    if (!seen) perRun.set(key, (seen = {lines: new Set(), firstAttempts: new Map()}));
    if (attempt.line !== undefined) seen.lines.add(attempt.line);
    if (attempt.attempt === 1) seen.firstAttempts.set(attempt.line, (seen.firstAttempts.get(attempt.line) ?? 0) + 1);
  }
  const shared = new Map<string, SharedName>();
  for (const [key, seen] of perRun) {
    const [, suite, test] = JSON.parse(key) as [string, string, string];
    const apart = seen.lines.size > 1;
    const merged = [...seen.firstAttempts.values()].some(count => count > 1) || (apart && seen.firstAttempts.has(undefined));
    if (!apart && !merged) continue;
    const name = JSON.stringify([suite, test]);
    const entry = shared.get(name) ?? {suite, test, lines: [], merged: false};
    if (apart) entry.lines = [...new Set([...entry.lines, ...seen.lines])].sort((a, b) => a - b);
    entry.merged ||= merged;
    shared.set(name, entry);
  }
  const toldApart = (attempt: Attempt) => (shared.get(nameKey(attempt))?.lines.length ?? 0) > 0;
  return {
    keyOf: attempt => JSON.stringify([attempt.suite, attempt.test, toldApart(attempt) ? (attempt.line ?? null) : null]),
    lineOf: attempt => (toldApart(attempt) ? attempt.line : undefined),
    sharedNames: [...shared.values()].sort((a, b) => a.suite.localeCompare(b.suite) || a.test.localeCompare(b.test)),
  };
}
