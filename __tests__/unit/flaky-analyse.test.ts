import {analyse} from '../../src/flaky/analyse';
import {collectAttempts} from '../../src/flaky/model';
import {history, type AttemptSpec} from '../support/trace-builder';

/*
 * A generated history with known flakiness and the noise real stores have: a second commit where a test fails for
 * good, skipped attempts, retries, runs without a known revision, and the same test name in two files.
 */

const SERVICE = 'http://127.0.0.1:4100';
const quote = (status?: number) => ({http: {method: 'GET', url: `${SERVICE}/quote?id=1`, status}, server: status !== undefined});
const lambda = (durationMs: number) => ({http: {method: 'POST', url: `${SERVICE}/lambda`, status: 200}, durationMs});
const ASSERTION = 'expect(received).toBe(expected) // Object.is equality\n\nExpected: 200\nReceived: 429';

const pays = (runId: string, status: AttemptSpec['status'], extra: Partial<AttemptSpec> = {}): AttemptSpec => ({
  suite: 'checkout.test.js',
  test: 'checkout pays',
  runId,
  revision: 'r1',
  status,
  ...extra,
});

const specs: AttemptSpec[] = [
  // Flaky on r1 (3 failures in 5 runs); on r2 it fails once, which is r2's business, not flakiness.
  pays('run-1', 'pass', {children: [quote(200), {name: 'render receipt'}]}),
  pays('run-2', 'fail', {durationMs: 40, message: ASSERTION, children: [quote(429)]}),
  pays('run-3', 'pass', {children: [quote(200), {name: 'render receipt'}]}),
  pays('run-4', 'fail', {durationMs: 50, message: ASSERTION, children: [quote(429)]}),
  pays('run-5', 'fail', {durationMs: 5_000, message: 'Exceeded timeout of 5000 ms for a test.', children: [quote()]}),
  pays('run-6', 'fail', {revision: 'r2', message: ASSERTION, children: [quote(429)]}),
  pays('run-7', 'skip'),
  // The same name in another file is another test: it always passes.
  ...['run-1', 'run-2', 'run-3'].map(runId => pays(runId, 'pass', {suite: 'legacy/checkout.test.js'})),

  // Passes on a retry in run-2, after its afterEach threw.
  ...['run-1', 'run-3', 'run-4', 'run-5'].map(runId => ({test: 'cart adds', runId, revision: 'r1', status: 'pass' as const, children: [{name: 'afterEach'}]})),
  {test: 'cart adds', runId: 'run-2', revision: 'r1', status: 'fail', attempt: 1, message: 'cart is undefined', children: [{name: 'afterEach', error: 'TypeError: cart is undefined\n    at Object.<anonymous>'}]},
  {test: 'cart adds', runId: 'run-2', revision: 'r1', status: 'pass', attempt: 2, children: [{name: 'afterEach'}]},

  // Slow in failures.
  {suite: 'search.test.js', test: 'search finds', runId: 'run-1', revision: 'r1', status: 'pass', children: [lambda(120)]},
  {suite: 'search.test.js', test: 'search finds', runId: 'run-2', revision: 'r1', status: 'fail', durationMs: 3_000, message: 'Exceeded timeout', children: [lambda(2_400)]},
  {suite: 'search.test.js', test: 'search finds', runId: 'run-3', revision: 'r1', status: 'pass', children: [lambda(100)]},
  {suite: 'search.test.js', test: 'search finds', runId: 'run-4', revision: 'r1', status: 'fail', durationMs: 3_500, message: 'Exceeded timeout', children: [lambda(3_000)]},
  {suite: 'search.test.js', test: 'search finds', runId: 'run-5', revision: 'r1', status: 'todo'},

  // Unknown revision: a pass in u1 and a failure in u2 are not compared; a retry that passes in u3 is flaky.
  {suite: 'profile.test.js', test: 'profile loads', runId: 'u1', status: 'pass'},
  {suite: 'profile.test.js', test: 'profile loads', runId: 'u2', status: 'fail', message: 'no avatar'},
  {suite: 'profile.test.js', test: 'profile loads', runId: 'u3', status: 'fail', attempt: 1, message: 'no avatar', children: [{name: 'load avatar'}]},
  {suite: 'profile.test.js', test: 'profile loads', runId: 'u3', status: 'pass', attempt: 2},

  // Stable on r1, broken on r2: failing, not flaky.
  ...['run-1', 'run-2', 'run-3', 'run-4', 'run-5'].map(runId => ({test: 'orders lists', runId, revision: 'r1', status: 'pass' as const})),
  {test: 'orders lists', runId: 'run-6', revision: 'r2', status: 'fail', message: 'gone'},

  // Skipped once, passing otherwise: neither.
  {test: 'orders exports', runId: 'run-1', revision: 'r1', status: 'skip'},
  ...['run-2', 'run-3', 'run-4', 'run-5'].map(runId => ({test: 'orders exports', runId, revision: 'r1', status: 'pass' as const})),
];

const report = analyse(collectAttempts(history(specs)));

test('summary: runs, revisions, tests and attempts, skipped and todo tests left out', () => {
  expect(report.summary).toEqual({runs: 9, revisions: 2, runsWithoutRevision: 3, runsWithChanges: 0, tests: 7, attempts: 33, flaky: 4});
});

test('ranking: by flake rate on the flaky revisions, then failures', () => {
  expect(report.flaky.map(test => [test.rank, `${test.suite} › ${test.test}`, test.failures, test.attempts])).toEqual([
    [1, 'checkout.test.js › checkout pays', 3, 5],
    [2, 'search.test.js › search finds', 2, 4],
    [3, 'profile.test.js › profile loads', 1, 2],
    [4, 'shop.test.js › cart adds', 1, 6],
  ]);
  expect(report.flaky.map(test => test.flakeRate)).toEqual([0.6, 0.5, 0.5, 1 / 6]);
});

test('a flaky test: its runs, revisions, time lost, own errors, hints and example traces', () => {
  const [pays] = report.flaky;
  expect(pays).toMatchObject({
    passes: 2,
    timeLostMs: 5_090,
    runs: 5,
    failedRuns: 3,
    passedOnRetryRuns: 0,
    revisions: [{revision: 'r1', runIds: ['run-1', 'run-2', 'run-3', 'run-4', 'run-5'], attempts: 5, failures: 3}],
    failureMessages: [
      {message: ASSERTION, count: 2},
      {message: 'Exceeded timeout of 5000 ms for a test.', count: 1},
    ],
  });
  expect(pays.hints).toEqual([
    {kind: 'http-status', span: 'GET /quote', failures: 3, text: 'GET /quote → 429 in 2 of 3 failures, no response in 1 of 3 failures; 200 in both passes'},
    {kind: 'only-in-passes', span: 'render receipt', failures: 0, text: 'render receipt only in passes (both passes, never in a failure)'},
  ]);
  expect(pays.exampleFailure).toMatchObject({runId: 'run-5', revision: 'r1'});
  expect(pays.examplePass).toMatchObject({runId: 'run-3', revision: 'r1'});
  expect(pays.exampleFailure.traceId).toMatch(/^[0-9a-f]{32}$/);
});

test('slower spans, errors only in failures and spans only in failures are named', () => {
  const [, search, profile, cart] = report.flaky;
  expect(search.hints).toEqual([
    {kind: 'slower', span: 'POST /lambda', failures: 2, text: 'POST /lambda slower in failures: 2.7 s median in both failures, 110 ms in both passes'},
  ]);
  expect(profile).toMatchObject({runs: 1, failedRuns: 0, passedOnRetryRuns: 1, revisions: [{revision: null, runIds: ['u3'], attempts: 2, failures: 1}]});
  expect(profile.hints).toEqual([{kind: 'only-in-failures', span: 'load avatar', failures: 1, text: 'load avatar only in failures (the only failure)'}]);
  expect(cart).toMatchObject({runs: 5, failedRuns: 0, passedOnRetryRuns: 1, failureMessages: [{message: 'cart is undefined', count: 1}]});
  expect(cart.hints).toEqual([
    {kind: 'error', span: 'afterEach', failures: 1, text: 'exception in afterEach only when failing (the only failure): TypeError: cart is undefined'},
  ]);
});

test('tests that failed every attempt on a revision, and are flaky nowhere, are listed apart', () => {
  expect(report.failing).toEqual([{suite: 'shop.test.js', test: 'orders lists', attempts: 6, failures: 1}]);
});

test('the same spans read twice (overlapping sources) count once', () => {
  const spans = history(specs);
  expect(analyse(collectAttempts([...spans, ...spans]))).toEqual(analyse(collectAttempts(spans)));
});

test('no test attempts: an empty report', () => {
  expect(analyse([])).toEqual({summary: {runs: 0, revisions: 0, runsWithoutRevision: 0, runsWithChanges: 0, tests: 0, attempts: 0, flaky: 0}, flaky: [], failing: [], sharedNames: []});
});

test('two tests of one file sharing a full name are two tests, told apart by their declaration line', () => {
  // `test('works')` at line 3 always passes; the one at line 9 always fails: neither is flaky.
  const works = (runId: string, line: number, status: AttemptSpec['status']): AttemptSpec => ({suite: 'twins.test.js', test: 'works', line, runId, revision: 'r1', status});
  const twins = analyse(collectAttempts(history(['t1', 't2', 't3'].flatMap(runId => [works(runId, 3, 'pass'), works(runId, 9, 'fail')]))));
  expect(twins.summary).toMatchObject({tests: 2, attempts: 6, flaky: 0});
  expect(twins.flaky).toEqual([]);
  expect(twins.failing).toEqual([{suite: 'twins.test.js', test: 'works', line: 9, attempts: 3, failures: 3}]);
  expect(twins.sharedNames).toEqual([{suite: 'twins.test.js', test: 'works', lines: [3, 9], merged: false}]);

  // The one at line 9 flaky, the other stable: only it is ranked, with its line.
  const flakyTwin = analyse(collectAttempts(history([works('t1', 3, 'pass'), works('t1', 9, 'pass'), works('t2', 3, 'pass'), works('t2', 9, 'fail')])));
  expect(flakyTwin.flaky.map(test => [test.test, test.line, test.failures, test.attempts])).toEqual([['works', 9, 1, 2]]);
});

test('a test without a shared name keeps no line; tests that share a name and record no line are said to be counted as one', () => {
  const single = analyse(collectAttempts(history([{test: 'alone', line: 4, runId: 'a', revision: 'r1', status: 'pass'}, {test: 'alone', line: 4, runId: 'b', revision: 'r1', status: 'fail'}])));
  expect(single.flaky[0].line).toBeUndefined();
  expect(single.sharedNames).toEqual([]);
  const unlined = analyse(collectAttempts(history([{test: 'works', runId: 'a', revision: 'r1', status: 'pass'}, {test: 'works', runId: 'a', revision: 'r1', status: 'fail'}])));
  expect(unlined.sharedNames).toEqual([{suite: 'shop.test.js', test: 'works', lines: [], merged: true}]);
});

test('runs of one commit with different uncommitted changes ran different code: a failure only with an edit is not flaky', () => {
  const total = (runId: string, status: AttemptSpec['status'], worktree: Partial<AttemptSpec> = {}): AttemptSpec => ({suite: 'cart.test.js', test: 'cart totals', runId, revision: 'r1', status, ...worktree});
  const edited = {dirty: true, changes: 'e1e1e1e1e1e1e1e1'};
  const report = analyse(
    collectAttempts(
      history([total('clean-1', 'pass', {dirty: false}), total('clean-2', 'pass', {dirty: false}), total('edit-1', 'fail', edited), total('edit-2', 'fail', edited)]),
    ),
  );
  expect(report.summary).toMatchObject({runs: 4, revisions: 1, runsWithChanges: 2, flaky: 0});
  expect(report.failing).toEqual([{suite: 'cart.test.js', test: 'cart totals', attempts: 4, failures: 2}]);

  // The same changes in two runs are the same code: a pass and a failure there are flaky, on that code.
  const flaky = analyse(collectAttempts(history([total('clean-1', 'pass', {dirty: false}), total('edit-1', 'pass', edited), total('edit-2', 'fail', edited)])));
  expect(flaky.flaky.map(test => test.revisions)).toEqual([[{revision: 'r1', changes: 'e1e1e1e1e1e1e1e1', runIds: ['edit-1', 'edit-2'], attempts: 2, failures: 1}]]);

  // Changes that could not be read: the run is compared with nothing but itself.
  const unread = analyse(collectAttempts(history([total('clean-1', 'pass', {dirty: false}), total('edit-1', 'fail', {dirty: true})])));
  expect(unread.flaky).toEqual([]);
  expect(unread.failing).toHaveLength(1);
});
