import {buildTimeline, type TimelineSpan} from '../../src/report/model';
import type {StoredSpan} from '../../src/shared/store-read';

/*
 * buildTimeline over hand-made stored spans: which tests there are and in what order, what counts as flaky, and the
 * trace tree under each attempt and each file.
 */

const RESOURCE = {'service.name': 'unit', 'process.pid': 1};
let ids = 0;

function span(fields: Partial<StoredSpan> & {name: string; traceId: string}): StoredSpan {
  ids += 1;
  return {spanId: `span${ids}`, kind: 1, startMs: 1000, endMs: 1001, attributes: {}, events: [], status: {code: 0}, resource: RESOURCE, ...fields};
}

interface TestFields {
  suite?: string;
  status?: 'pass' | 'fail' | 'skip' | 'todo';
  attempt?: number;
  line?: number;
  start?: number;
  end?: number;
  traceId?: string;
  message?: string;
}

function testSpan(name: string, fields: TestFields = {}): StoredSpan {
  const status = fields.status ?? 'pass';
  const start = fields.start ?? 1000;
  return span({
    name,
    traceId: fields.traceId ?? `trace-${name}-${fields.attempt ?? 1}-${start}`,
    startMs: start,
    endMs: fields.end ?? start + 10,
    attributes: {
      'test.case.name': name,
      'test.suite.name': fields.suite ?? 'a.test.js',
      'jest.test.status': status,
      'jest.test.attempt': fields.attempt ?? 1,
      'code.file.path': `/project/${fields.suite ?? 'a.test.js'}`,
      'code.line.number': fields.line ?? 1,
      'jest.run.id': 'run-1',
    },
    status: status === 'fail' ? {code: 2, message: fields.message ?? `${name} failed\n\nExpected: 200`} : {code: 0},
  });
}

function child(parent: StoredSpan, name: string, fields: Partial<StoredSpan> = {}): StoredSpan {
  return span({name, traceId: parent.traceId, parentSpanId: parent.spanId, ...fields});
}

const names = (spans: TimelineSpan[]) => spans.map(item => item.name);

describe('tests and their order', () => {
  test('failed tests first, then flaky ones, then the rest by file and line', () => {
    const model = buildTimeline([
      testSpan('b passes', {suite: 'b.test.js', line: 3}),
      testSpan('a skipped', {suite: 'a.test.js', line: 9, status: 'skip'}),
      testSpan('a passes', {suite: 'a.test.js', line: 2}),
      testSpan('b fails', {suite: 'b.test.js', line: 1, status: 'fail'}),
      testSpan('b flaky', {suite: 'b.test.js', line: 7, status: 'fail', attempt: 1, start: 1000}),
      testSpan('b flaky', {suite: 'b.test.js', line: 7, status: 'pass', attempt: 2, start: 1020}),
      testSpan('a todo', {suite: 'a.test.js', line: 12, status: 'todo'}),
      testSpan('a fails', {suite: 'a.test.js', line: 5, status: 'fail'}),
    ]);
    expect(model.tests.map(test => [test.name, test.status])).toEqual([
      ['a fails', 'fail'],
      ['b fails', 'fail'],
      ['b flaky', 'flaky'],
      ['a passes', 'pass'],
      ['a skipped', 'skip'],
      ['a todo', 'todo'],
      ['b passes', 'pass'],
    ]);
    expect(model.counts).toEqual({total: 7, suites: 0, fail: 2, flaky: 1, pass: 2, skip: 1, todo: 1});
    expect(model.runId).toBe('run-1');
  });

  test('a test that passed although calls in its last attempt failed counts them, a call answered by a traced server once', () => {
    const passed = testSpan('retries a busy server');
    const busy = child(passed, 'GET', {kind: 3, status: {code: 2}, attributes: {'http.request.method': 'GET', 'url.full': 'http://127.0.0.1:4100/orders', 'http.response.status_code': 500}});
    const served = child(busy, 'GET', {kind: 2, attributes: {'http.request.method': 'GET', 'url.path': '/orders', 'http.response.status_code': 500}});
    const retry = child(passed, 'GET', {kind: 3, startMs: 1002, attributes: {'http.request.method': 'GET', 'url.full': 'http://127.0.0.1:4100/orders', 'http.response.status_code': 200}});
    const failed = testSpan('fails', {line: 2, status: 'fail'});
    const failedCall = child(failed, 'GET', {kind: 3, status: {code: 2}, attributes: {'http.request.method': 'GET', 'url.full': 'http://127.0.0.1:4100/', 'http.response.status_code': 500}});
    const model = buildTimeline([passed, busy, served, retry, failed, failedCall, testSpan('clean', {line: 3})]);
    expect(model.tests.map(test => [test.name, test.failedCalls])).toEqual([
      ['fails', undefined],
      ['retries a busy server', 1],
      ['clean', undefined],
    ]);
  });

  test('flaky means the last attempt passed after a failed one; failing every attempt is failed', () => {
    const model = buildTimeline([
      testSpan('retried and passed', {status: 'fail', attempt: 1, start: 1000, message: 'first try'}),
      testSpan('retried and passed', {status: 'fail', attempt: 2, start: 1020, message: 'second try'}),
      testSpan('retried and passed', {status: 'pass', attempt: 3, start: 1040}),
      testSpan('always fails', {status: 'fail', attempt: 1, start: 1000, line: 2}),
      testSpan('always fails', {status: 'fail', attempt: 2, start: 1020, line: 2, message: 'still broken\nat line 2'}),
    ]);
    const [failed, flaky] = model.tests;
    expect(failed).toMatchObject({name: 'always fails', status: 'fail', message: 'still broken', durationMs: 20});
    expect(failed.attempts.map(attempt => [attempt.attempt, attempt.status])).toEqual([
      [1, 'fail'],
      [2, 'fail'],
    ]);
    expect(flaky).toMatchObject({name: 'retried and passed', status: 'flaky', message: 'second try', durationMs: 30, startMs: 1000});
    expect(flaky.attempts.map(attempt => attempt.attempt)).toEqual([1, 2, 3]);
    expect(flaky.attempts[2].message).toBeUndefined();
  });

  test('attempts of one test are grouped by file, name and line; a name declared twice at one place is two tests', () => {
    const model = buildTimeline([
      testSpan('same name', {suite: 'a.test.js', line: 1}),
      testSpan('same name', {suite: 'b.test.js', line: 1}),
      testSpan('same name', {suite: 'a.test.js', line: 8}),
      // declared in a loop: attempt numbers start over
      testSpan('looped', {line: 20, start: 1000}),
      testSpan('looped', {line: 20, start: 1050}),
    ]);
    expect(model.tests.map(test => `${test.suite}:${test.line} ${test.name} ×${test.attempts.length}`)).toEqual([
      'a.test.js:1 same name ×1',
      'a.test.js:8 same name ×1',
      'a.test.js:20 looped ×1',
      'a.test.js:20 looped ×1',
      'b.test.js:1 same name ×1',
    ]);
  });

  test('a span read twice (from overlapping sources) counts once', () => {
    const test1 = testSpan('once');
    const hook = child(test1, 'beforeEach', {attributes: {'jest.hook.type': 'beforeEach'}});
    const model = buildTimeline([test1, hook, {...test1}, {...hook}]);
    expect(model.tests).toHaveLength(1);
    expect(names(model.tests[0].attempts[0].root.children)).toEqual(['beforeEach']);
  });

  test('no spans: an empty model', () => {
    expect(buildTimeline([], {runId: 'r'})).toMatchObject({runId: 'r', tests: [], suites: [], counts: {total: 0}});
  });
});

describe('the trace tree of an attempt', () => {
  const root = testSpan('insights loads', {status: 'fail', start: 1000, end: 1050});
  const beforeEach = child(root, 'beforeEach', {startMs: 1001, endMs: 1003, attributes: {'jest.hook.type': 'beforeEach'}});
  const step = child(root, 'load insights', {startMs: 1004, endMs: 1040, attributes: {'step.kind': 'mine'}});
  const clientCall = child(step, 'GET', {
    kind: 3,
    startMs: 1005,
    endMs: 1017,
    status: {code: 2},
    attributes: {'http.request.method': 'GET', 'url.full': 'http://127.0.0.1:4100/insights?period=month', 'http.response.status_code': 429},
  });
  const serverSide = child(clientCall, 'GET', {
    kind: 2,
    startMs: 1006,
    endMs: 1007,
    attributes: {'http.request.method': 'GET', 'url.path': '/insights', 'url.query': 'period=month', 'http.response.status_code': 429},
  });
  const okCall = child(step, 'GET', {
    kind: 3,
    startMs: 1020,
    endMs: 1030,
    attributes: {'http.request.method': 'POST', 'url.full': 'http://127.0.0.1:4100/orders', 'http.response.status_code': 201},
  });
  const refused = child(step, 'GET', {kind: 3, startMs: 1031, endMs: 1032, status: {code: 2, message: 'connect ECONNREFUSED'}, attributes: {'http.request.method': 'GET', 'url.full': 'http://127.0.0.1:9/'}});
  const afterEach = child(root, 'afterEach', {startMs: 1045, endMs: 1046, attributes: {'jest.hook.type': 'afterEach'}});
  root.events = [
    {name: 'console', timeMs: 1002.5, attributes: {'jest.console.level': 'log', 'jest.console.message': 'asking'}},
    {name: 'exception', timeMs: 1049, attributes: {'exception.type': 'Error', 'exception.message': 'expected 200'}},
  ];
  // Children arrive in any order, as workers export them.
  const model = buildTimeline([afterEach, refused, serverSide, okCall, clientCall, step, beforeEach, root]);
  const tree = model.tests[0].attempts[0].root;

  test('children in start order, with hooks, user spans and HTTP calls typed', () => {
    expect(tree).toMatchObject({name: 'insights loads', type: 'test', offsetMs: 0, durationMs: 50, error: true, flagged: true});
    expect(tree.children.map(item => [item.name, item.type])).toEqual([
      ['beforeEach', 'hook'],
      ['load insights', 'span'],
      ['afterEach', 'hook'],
    ]);
    const calls = tree.children[1].children;
    expect(calls.map(item => item.type)).toEqual(['http', 'http', 'http']);
    expect(calls[0]).toMatchObject({kind: 'client', offsetMs: 5, durationMs: 12, http: {method: 'GET', url: 'http://127.0.0.1:4100/insights?period=month', statusCode: 429}});
    expect(calls[0].children[0]).toMatchObject({kind: 'server', http: {method: 'GET', url: '/insights?period=month', statusCode: 429}});
  });

  test('ERROR spans and HTTP calls answered other than 2xx (or not at all) are flagged, and nothing else', () => {
    const flagged: string[] = [];
    const walk = (item: TimelineSpan) => {
      if (item.flagged) flagged.push(`${item.kind} ${item.http?.url ?? item.name}${item.error ? ' (error)' : ''}`);
      item.children.forEach(walk);
    };
    walk(tree);
    expect(flagged).toEqual([
      'internal insights loads (error)',
      'client http://127.0.0.1:4100/insights?period=month (error)',
      'server /insights?period=month',
      'client http://127.0.0.1:9/ (error)',
    ]);
    const calls = tree.children[1].children;
    expect(calls[2]).toMatchObject({message: 'connect ECONNREFUSED', http: {statusCode: undefined}});
  });

  test('events keep their attributes and their time from the start of the attempt', () => {
    expect(tree.events).toEqual([
      {name: 'console', offsetMs: 2.5, attributes: {'jest.console.level': 'log', 'jest.console.message': 'asking'}},
      {name: 'exception', offsetMs: 49, attributes: {'exception.type': 'Error', 'exception.message': 'expected 200'}},
    ]);
  });

  test('attributes are kept; resources are listed once and referenced by index', () => {
    expect(tree.children[1].attributes).toEqual({'step.kind': 'mine'});
    expect(model.resources).toEqual([RESOURCE]);
    expect(tree.resource).toBe(0);
  });
});

test('a span whose parent never reached the store hangs under its trace’s test', () => {
  const root = testSpan('orphaned');
  const lost = span({name: 'lost parent', traceId: root.traceId, parentSpanId: 'gone', startMs: 1002, endMs: 1003});
  const elsewhere = span({name: 'other trace', traceId: 'unrelated', parentSpanId: 'gone'});
  const model = buildTimeline([root, lost, elsewhere]);
  expect(names(model.tests[0].attempts[0].root.children)).toEqual(['lost parent']);
});

test('tests that share one trace (under a CI TRACEPARENT) each keep only their own spans', () => {
  const upstream = {traceId: 'ci-trace', parentSpanId: 'ci-span'};
  const first = {...testSpan('first', {line: 1}), ...upstream};
  const second = {...testSpan('second', {line: 2}), ...upstream};
  const model = buildTimeline([first, second, child(first, 'mine 1'), child(second, 'mine 2')]);
  expect(model.tests.map(test => names(test.attempts[0].root.children))).toEqual([['mine 1'], ['mine 2']]);
});

test('files: the suite trace with its beforeAll and afterAll, failed files first', () => {
  const suite = (name: string, status: string, start: number) =>
    span({name, traceId: `suite-${name}`, startMs: start, endMs: start + 100, attributes: {'test.suite.name': name, 'test.suite.run.status': status}, status: status === 'failure' ? {code: 2, message: '1 of 2 tests failed'} : {code: 0}});
  const passing = suite('a.test.js', 'success', 1000);
  const failing = suite('b.test.js', 'failure', 2000);
  const beforeAll = child(failing, 'beforeAll', {startMs: 2001, endMs: 2010, attributes: {'jest.hook.type': 'beforeAll'}});
  const setupCall = child(beforeAll, 'GET', {kind: 3, startMs: 2002, endMs: 2008, attributes: {'http.request.method': 'GET', 'url.full': 'http://127.0.0.1:4100/seed', 'http.response.status_code': 200}});
  const afterAll = child(failing, 'afterAll', {startMs: 2090, endMs: 2095, attributes: {'jest.hook.type': 'afterAll'}});
  const model = buildTimeline([passing, afterAll, setupCall, beforeAll, failing]);
  expect(model.suites.map(item => [item.name, item.status, item.message])).toEqual([
    ['b.test.js', 'failure', '1 of 2 tests failed'],
    ['a.test.js', 'success', undefined],
  ]);
  const root = model.suites[0].root;
  expect(root.type).toBe('suite');
  expect(root.children.map(item => [item.name, item.type, item.offsetMs])).toEqual([
    ['beforeAll', 'hook', 1],
    ['afterAll', 'hook', 90],
  ]);
  expect(root.children[0].children[0]).toMatchObject({type: 'http', flagged: false, http: {statusCode: 200}});
  expect(model.counts.suites).toBe(2);
});

test('a file with a test that passed on a retry counts it: a file can succeed and still be flaky', () => {
  const suite = span({name: 'a.test.js', traceId: 'suite-a', startMs: 900, endMs: 1200, attributes: {'test.suite.name': 'a.test.js', 'test.suite.run.status': 'success'}});
  const other = span({name: 'b.test.js', traceId: 'suite-b', startMs: 900, endMs: 1200, attributes: {'test.suite.name': 'b.test.js', 'test.suite.run.status': 'success'}});
  const model = buildTimeline([
    suite,
    other,
    testSpan('retried', {status: 'fail', attempt: 1, start: 1000}),
    testSpan('retried', {status: 'pass', attempt: 2, start: 1020}),
    testSpan('steady', {start: 1040}),
    testSpan('elsewhere', {suite: 'b.test.js', start: 1000}),
  ]);
  expect(model.suites.map(item => [item.name, item.status, item.flakyTests])).toEqual([
    ['a.test.js', 'success', 1],
    ['b.test.js', 'success', undefined],
  ]);
});
