import {duration, share} from './format';
import type {Attempt, SpanFact} from './model';

/*
 * Root-cause hints: what the spans under a flaky test's failing attempts do differently from those under its passing
 * attempts. Spans are compared by signature (`GET /path` for HTTP client calls, else the span name); each signature
 * gets at most one hint, the first that applies of:
 *
 *   http-status       a status code answered only in failures  GET /quote → 429 in 2 of 3 failures; 200 in all 4 passes
 *   error             an exception or ERROR status only in failures
 *   slower            failing median over twice the passing median, and over 100 ms
 *   only-in-failures  a span present in failures, never in passes
 *   only-in-passes    a span in every pass, never in a failure (often: where failures stopped)
 */

export type HintKind = 'http-status' | 'error' | 'slower' | 'only-in-failures' | 'only-in-passes';

export interface Hint {
  kind: HintKind;
  /** The span signature the hint is about. */
  span: string;
  /** How many failing attempts show it (0 for `only-in-passes`). */
  failures: number;
  text: string;
}

const SLOWER_FACTOR = 2;
const SLOWER_MIN_MS = 100;
const KIND_ORDER: HintKind[] = ['http-status', 'error', 'slower', 'only-in-failures', 'only-in-passes'];

/** Hints for one test, strongest first: the share of failures they explain, then the order of the kinds above. */
export function hintsFor(failures: Attempt[], passes: Attempt[]): Hint[] {
  const failing = failures.map(bySignature);
  const passing = passes.map(bySignature);
  const signatures = [...new Set([...failing, ...passing].flatMap(spans => [...spans.keys()]))].sort();
  const hints: Hint[] = [];
  for (const signature of signatures) {
    const inFailures = failing.map(spans => spans.get(signature));
    const inPasses = passing.map(spans => spans.get(signature));
    const hint =
      httpStatusHint(signature, inFailures, inPasses) ??
      errorHint(signature, inFailures, inPasses) ??
      slowerHint(signature, inFailures, inPasses) ??
      presenceHint(signature, inFailures, inPasses);
    if (hint) hints.push(hint);
  }
  return hints.sort(
    (a, b) =>
      Number(a.kind === 'only-in-passes') - Number(b.kind === 'only-in-passes') ||
      b.failures - a.failures ||
      KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) ||
      a.span.localeCompare(b.span),
  );
}

/** The spans of one attempt, by signature; undefined in the lists below means "not in that attempt". */
type Spans = SpanFact[] | undefined;

function bySignature(attempt: Attempt): Map<string, SpanFact[]> {
  const map = new Map<string, SpanFact[]>();
  for (const fact of attempt.spans) {
    const list = map.get(fact.signature);
    if (list) list.push(fact);
    else map.set(fact.signature, [fact]);
  }
  return map;
}

function httpStatusHint(signature: string, inFailures: Spans[], inPasses: Spans[]): Hint | undefined {
  const failCounts = statusCounts(inFailures);
  const passCounts = statusCounts(inPasses);
  const suspicious = [...failCounts].filter(([status]) => !passCounts.has(status)).sort(byCountThenName);
  if (suspicious.length === 0) return undefined;
  const explained = inFailures.filter(spans => spans?.some(fact => suspicious.some(([status]) => fact.httpStatus === status))).length;
  const failText = suspicious.map(([status, count]) => `${status} in ${share(count, inFailures.length, 'failure')}`).join(', ');
  const passText =
    passCounts.size === 0
      ? 'not called in passes'
      : [...passCounts].sort(byCountThenName).map(([status, count]) => `${status} in ${share(count, inPasses.length, 'pass')}`).join(', ');
  return {kind: 'http-status', span: signature, failures: explained, text: `${signature} → ${failText}; ${passText}`};
}

/** Status code → how many of these attempts got it at least once. */
function statusCounts(attempts: Spans[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const spans of attempts) {
    for (const status of new Set((spans ?? []).flatMap(fact => (fact.httpStatus ? [fact.httpStatus] : [])))) {
      counts.set(status, (counts.get(status) ?? 0) + 1);
    }
  }
  return counts;
}

function errorHint(signature: string, inFailures: Spans[], inPasses: Spans[]): Hint | undefined {
  const failed = (spans: Spans) => spans?.some(fact => fact.error !== undefined);
  if (inPasses.some(failed)) return undefined;
  const errors = inFailures.filter(failed).map(spans => spans!.find(fact => fact.error !== undefined)!.error!);
  if (errors.length === 0) return undefined;
  const counts = new Map<string, number>();
  for (const error of errors) counts.set(error, (counts.get(error) ?? 0) + 1);
  const [message] = [...counts].sort(byCountThenName)[0];
  const text = `exception in ${signature} only when failing (${share(errors.length, inFailures.length, 'failure')})${message ? `: ${message}` : ''}`;
  return {kind: 'error', span: signature, failures: errors.length, text};
}

function slowerHint(signature: string, inFailures: Spans[], inPasses: Spans[]): Hint | undefined {
  const failTimes = totals(inFailures);
  const passTimes = totals(inPasses);
  if (failTimes.length === 0 || passTimes.length === 0) return undefined;
  const failMedian = median(failTimes);
  const passMedian = median(passTimes);
  if (failMedian <= SLOWER_FACTOR * passMedian || failMedian <= SLOWER_MIN_MS) return undefined;
  const slow = failTimes.filter(ms => ms > SLOWER_FACTOR * passMedian && ms > SLOWER_MIN_MS).length;
  const text =
    `${signature} slower in failures: ${duration(failMedian)} median in ${share(failTimes.length, inFailures.length, 'failure')}, ` +
    `${duration(passMedian)} in ${share(passTimes.length, inPasses.length, 'pass')}`;
  return {kind: 'slower', span: signature, failures: slow, text};
}

/** Time spent in the signature's spans, per attempt that has them. */
function totals(attempts: Spans[]): number[] {
  return attempts.flatMap(spans => (spans ? [spans.reduce((sum, fact) => sum + fact.durationMs, 0)] : []));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function presenceHint(signature: string, inFailures: Spans[], inPasses: Spans[]): Hint | undefined {
  const failCount = inFailures.filter(Boolean).length;
  const passCount = inPasses.filter(Boolean).length;
  if (failCount > 0 && passCount === 0) {
    return {kind: 'only-in-failures', span: signature, failures: failCount, text: `${signature} only in failures (${share(failCount, inFailures.length, 'failure')})`};
  }
  if (failCount === 0 && passCount === inPasses.length) {
    return {kind: 'only-in-passes', span: signature, failures: 0, text: `${signature} only in passes (${share(passCount, inPasses.length, 'pass')}, never in a failure)`};
  }
  return undefined;
}

function byCountThenName([nameA, countA]: [string, number], [nameB, countB]: [string, number]): number {
  return countB - countA || nameA.localeCompare(nameB);
}
