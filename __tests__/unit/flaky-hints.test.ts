import {hintsFor} from '../../src/flaky/hints';
import type {Attempt, SpanFact} from '../../src/flaky/model';

/* The hint rules one by one, on attempts built directly. */

let traces = 0;
const attempt = (status: 'pass' | 'fail', spans: SpanFact[]): Attempt => ({
  suite: 'a.test.js',
  test: 'a',
  runId: `run-${++traces}`,
  revision: 'r1',
  attempt: 1,
  status,
  startMs: traces,
  durationMs: 10,
  traceId: String(traces).padStart(32, '0'),
  message: status === 'fail' ? 'failed' : undefined,
  spans,
});
const call = (signature: string, httpStatus: string, durationMs = 5): SpanFact => ({signature, httpStatus, durationMs});
const step = (signature: string, durationMs = 5, error?: string): SpanFact => ({signature, durationMs, error});

test('a status code answered only in failures is named with its share of failures and what passes got', () => {
  const failures = [attempt('fail', [call('GET /insights', '429')]), attempt('fail', [call('GET /insights', '429')]), attempt('fail', [call('GET /insights', '200')])];
  const passes = [attempt('pass', [call('GET /insights', '200')]), attempt('pass', [call('GET /insights', '200')])];
  expect(hintsFor(failures, passes)).toEqual([
    {kind: 'http-status', span: 'GET /insights', failures: 2, text: 'GET /insights → 429 in 2 of 3 failures; 200 in both passes'},
  ]);
});

test('a call made only in failures says it was not called in passes', () => {
  expect(hintsFor([attempt('fail', [call('POST /retry', '500')])], [attempt('pass', [])])[0].text).toBe('POST /retry → 500 in the only failure; not called in passes');
});

test('statuses seen in passes too are no hint (a retried 500 that every run gets)', () => {
  const retried = [call('GET /inventory', '500'), call('GET /inventory', '200')];
  expect(hintsFor([attempt('fail', retried)], [attempt('pass', retried), attempt('pass', [call('GET /inventory', '500')])])).toEqual([]);
});

test('slower: failing median over twice the passing median and over 100 ms', () => {
  const slow = (failMs: number[], passMs: number[]) =>
    hintsFor(
      failMs.map(ms => attempt('fail', [step('load fixtures', ms)])),
      passMs.map(ms => attempt('pass', [step('load fixtures', ms)])),
    );
  expect(slow([90, 95], [9, 10])).toEqual([]); // 10× slower, but under 100 ms
  expect(slow([250, 260], [150, 140])).toEqual([]); // over 100 ms, but not twice as slow
  expect(slow([250, 2_500, 60], [100, 120, 110])).toEqual([
    {kind: 'slower', span: 'load fixtures', failures: 2, text: 'load fixtures slower in failures: 250 ms median in all 3 failures, 110 ms in all 3 passes'},
  ]);
});

test('the time of a signature is summed per attempt (two calls of 80 ms are 160 ms)', () => {
  const failures = [attempt('fail', [step('poll', 80), step('poll', 80)])];
  const passes = [attempt('pass', [step('poll', 30)])];
  expect(hintsFor(failures, passes)[0]).toMatchObject({kind: 'slower', text: 'poll slower in failures: 160 ms median in the only failure, 30 ms in the only pass'});
});

test('an error only in failures is named with its most frequent message; one in a pass too is no hint', () => {
  const failures = [
    attempt('fail', [step('afterEach', 5, 'ECONNRESET')]),
    attempt('fail', [step('afterEach', 5, 'socket hang up')]),
    attempt('fail', [step('afterEach', 5, 'socket hang up')]),
    attempt('fail', [step('afterEach')]),
  ];
  expect(hintsFor(failures, [attempt('pass', [step('afterEach')])])).toEqual([
    {kind: 'error', span: 'afterEach', failures: 3, text: 'exception in afterEach only when failing (3 of 4 failures): socket hang up'},
  ]);
  expect(hintsFor(failures, [attempt('pass', [step('afterEach', 5, 'ECONNRESET')])])).toEqual([]);
});

test('one hint per span, the strongest first; spans only in passes come last', () => {
  const failures = [
    attempt('fail', [call('GET /a', '503', 900), step('retry', 5), step('seed', 5, 'duplicate key')]),
    attempt('fail', [call('GET /a', '503', 900), step('seed', 5, 'duplicate key')]),
  ];
  const passes = [attempt('pass', [call('GET /a', '200', 10), step('seed'), step('render')]), attempt('pass', [call('GET /a', '200', 10), step('seed'), step('render')])];
  expect(hintsFor(failures, passes).map(hint => [hint.kind, hint.span, hint.failures])).toEqual([
    ['http-status', 'GET /a', 2], // slower too, but a status code says more
    ['error', 'seed', 2],
    ['only-in-failures', 'retry', 1],
    ['only-in-passes', 'render', 0],
  ]);
});

test('a span missing from some passes is no "only in passes" hint', () => {
  expect(hintsFor([attempt('fail', [])], [attempt('pass', [step('render')]), attempt('pass', [])])).toEqual([]);
});
