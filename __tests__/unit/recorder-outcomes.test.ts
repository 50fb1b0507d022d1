import {DiagLogLevel, SpanStatusCode, diag} from '@opentelemetry/api';
import {SuiteRecorder} from '../../src/environment/recorder';
import {FakeCircus, SUITE_NAME, TEST_PATH, addHook, addTest} from './circus';
import {memoryTracing, onlySpan} from './tracing';

/* Outcomes: test statuses, the suite's counts and run status, and spans left open when the file is torn down. */

function setup() {
  const tracing = memoryTracing();
  const recorder = new SuiteRecorder(tracing.tracer, {testPath: TEST_PATH, suiteName: SUITE_NAME});
  const circus = new FakeCircus(recorder);
  return {...tracing, recorder, circus, root: circus.root};
}

const failing = () => {
  throw new Error('expected 1 to be 2');
};

describe('test outcomes', () => {
  test('a passing test: UNSET status, pass status attributes, duration', async () => {
    const {circus, recorder, spans, root} = setup();
    await circus.runTest(addTest('passes', root));
    recorder.finish();
    const span = onlySpan(spans(), 'passes');
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.events).toEqual([]);
    expect(span.attributes).toMatchObject({'jest.test.status': 'pass', 'test.case.result.status': 'pass', 'jest.test.duration_ms': 12});
  });

  test('a failing test: ERROR with the first error\'s message and one exception event per error', async () => {
    const {circus, recorder, spans, root} = setup();
    const test = addTest('fails', root, failing);
    await circus.runTest(test, {after: [addHook('afterEach', root, () => Promise.reject(new RangeError('cleanup failed')))]});
    recorder.finish();
    const span = onlySpan(spans(), 'fails');
    expect(span.status).toEqual({code: SpanStatusCode.ERROR, message: 'expected 1 to be 2'});
    expect(span.attributes).toMatchObject({'jest.test.status': 'fail', 'test.case.result.status': 'fail'});
    expect(span.events.map(event => [event.name, event.attributes?.['exception.type'], event.attributes?.['exception.message']])).toEqual([
      ['exception', 'Error', 'expected 1 to be 2'],
      ['exception', 'RangeError', 'cleanup failed'],
    ]);
  });

  test.each([
    ['test_skip', 'skip', {mode: 'skip'}],
    ['test_todo', 'todo', {mode: 'todo'}],
  ] as const)('%s: marked %s, never ERROR (even with an error attached), no result status', (event, status, extra) => {
    const {circus, recorder, spans, root} = setup();
    const test = addTest('later', root, failing, extra);
    circus.emit({name: 'test_start', test});
    test.errors.push(new Error('stray error of an earlier test'));
    circus.emit({name: event, test});
    recorder.finish();
    const span = onlySpan(spans(), 'later');
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.events).toEqual([]);
    expect(span.attributes['jest.test.status']).toBe(status);
    expect(span.attributes['jest.test.mode']).toBe(status);
    expect(span.attributes['test.case.result.status']).toBeUndefined();
    expect(test.fn).toBe(failing);
  });

  test('a test started again while its attempt is open closes that attempt first', () => {
    const {circus, recorder, spans, root} = setup();
    const test = addTest('restarted', root);
    circus.emit({name: 'test_start', test});
    circus.emit({name: 'test_start', test});
    circus.emit({name: 'test_done', test});
    recorder.finish();
    const attempts = spans().filter(span => span.name === 'restarted');
    expect(attempts.map(span => span.attributes['jest.test.attempt'])).toEqual([1, 2]);
    expect(attempts.every(span => span.ended)).toBe(true);
  });
});

describe('finish()', () => {
  test('ends a test and a hook left open with ERROR and a message, and restores their functions', () => {
    const {circus, recorder, spans, root} = setup();
    const testFn = () => {};
    const hookFn = () => {};
    const test = addTest('hangs', root, testFn);
    const hook = addHook('afterEach', root, hookFn);
    circus.emit({name: 'test_start', test});
    circus.emit({name: 'hook_start', hook});
    expect(spans()).toEqual([]);
    recorder.finish();

    const testSpan = onlySpan(spans(), 'hangs');
    expect(testSpan.status).toEqual({code: SpanStatusCode.ERROR, message: expect.stringContaining('did not finish')});
    expect(testSpan.attributes['jest.test.status']).toBe('fail');
    expect(onlySpan(spans(), 'afterEach').status).toEqual({code: SpanStatusCode.ERROR, message: expect.stringContaining('hook did not finish')});
    expect(test.fn).toBe(testFn);
    expect(hook.fn).toBe(hookFn);
    expect(onlySpan(spans(), SUITE_NAME).attributes).toMatchObject({'jest.suite.tests': 1, 'jest.suite.tests.failed': 1});
  });

  test('an open test that already has errors is ended with them', () => {
    const {circus, recorder, spans, root} = setup();
    const test = addTest('timed out', root);
    circus.emit({name: 'test_start', test});
    test.errors.push(['Exceeded timeout of 5000 ms for a test.', test.asyncError]);
    recorder.finish();
    const span = onlySpan(spans(), 'timed out');
    expect(span.status).toEqual({code: SpanStatusCode.ERROR, message: 'Exceeded timeout of 5000 ms for a test.'});
    expect(span.events).toHaveLength(1);
  });

  test('is idempotent: a second call exports nothing and touches no ended span', () => {
    const {circus, recorder, spans, root} = setup();
    circus.emit({name: 'test_start', test: addTest('open', root)});
    recorder.finish();
    const exported = spans().map(span => span.name);
    const logger = {error: jest.fn(), warn: jest.fn(), info: jest.fn(), debug: jest.fn(), verbose: jest.fn()};
    diag.setLogger(logger, DiagLogLevel.WARN);
    try {
      recorder.finish();
      circus.emit({name: 'run_finish'});
      recorder.finish();
    } finally {
      diag.disable();
    }
    expect(spans().map(span => span.name)).toEqual(exported);
    expect(exported.sort()).toEqual([SUITE_NAME, 'open'].sort());
    expect(logger.warn).not.toHaveBeenCalled();
    expect(logger.error).not.toHaveBeenCalled();
  });
});

describe('the suite span', () => {
  async function runSuite(build: (circus: FakeCircus) => Promise<void> | void, ranToTheEnd = true) {
    const {circus, recorder, spans} = setup();
    await build(circus);
    if (ranToTheEnd) circus.emit({name: 'run_finish'});
    recorder.finish();
    return onlySpan(spans(), SUITE_NAME);
  }

  test('counts every outcome; one failure makes it a failure with ERROR', async () => {
    const suite = await runSuite(async circus => {
      await circus.runTest(addTest('a', circus.root));
      await circus.runTest(addTest('b', circus.root));
      await circus.runTest(addTest('c', circus.root, failing));
      const skipped = addTest('d', circus.root, undefined, {mode: 'skip'});
      circus.emit({name: 'test_start', test: skipped});
      circus.emit({name: 'test_skip', test: skipped});
      const todo = addTest('e', circus.root, undefined, {mode: 'todo'});
      circus.emit({name: 'test_start', test: todo});
      circus.emit({name: 'test_todo', test: todo});
    });
    expect(suite.attributes).toMatchObject({
      'jest.suite.tests': 5,
      'jest.suite.tests.passed': 2,
      'jest.suite.tests.failed': 1,
      'jest.suite.tests.skipped': 1,
      'jest.suite.tests.todo': 1,
      'test.suite.run.status': 'failure',
    });
    expect(suite.status).toEqual({code: SpanStatusCode.ERROR, message: '1 of 5 tests failed'});
  });

  test('all passing (or some skipped) is a success, without ERROR', async () => {
    const suite = await runSuite(async circus => {
      await circus.runTest(addTest('a', circus.root));
      const skipped = addTest('b', circus.root, undefined, {mode: 'skip'});
      circus.emit({name: 'test_start', test: skipped});
      circus.emit({name: 'test_skip', test: skipped});
    });
    expect(suite.attributes['test.suite.run.status']).toBe('success');
    expect(suite.status.code).toBe(SpanStatusCode.UNSET);
  });

  test('only skipped and todo tests make it skipped; no tests at all is a success', async () => {
    const skippedSuite = await runSuite(circus => {
      const test = addTest('a', circus.root, undefined, {mode: 'todo'});
      circus.emit({name: 'test_start', test});
      circus.emit({name: 'test_todo', test});
    });
    expect(skippedSuite.attributes['test.suite.run.status']).toBe('skipped');
    expect(skippedSuite.status.code).toBe(SpanStatusCode.UNSET);
    const empty = await runSuite(() => {});
    expect(empty.attributes).toMatchObject({'jest.suite.tests': 0, 'test.suite.run.status': 'success'});
  });

  test('unhandled errors at run_finish, and errors outside any test, fail it with exception events', async () => {
    const suite = await runSuite(async circus => {
      await circus.runTest(addTest('a', circus.root));
      circus.emit({name: 'error', error: new Error('outside any test')});
      circus.state.unhandledErrors.push(new Error('unhandled rejection'));
    });
    expect(suite.attributes['test.suite.run.status']).toBe('failure');
    expect(suite.status).toEqual({code: SpanStatusCode.ERROR, message: 'outside any test'});
    expect(suite.events.map(event => event.attributes?.['exception.message'])).toEqual(['outside any test', 'unhandled rejection']);
  });

  test('an error outside any test is kept even when run_finish never comes', async () => {
    const suite = await runSuite(circus => circus.emit({name: 'error', error: new Error('crashed while loading')}), false);
    expect(suite.status).toEqual({code: SpanStatusCode.ERROR, message: 'crashed while loading'});
    expect(suite.events).toHaveLength(1);
  });

  test('an error event while a test runs is left to the test, even when run_finish never comes', async () => {
    const {circus, recorder, spans, root} = setup();
    const test = addTest('a', root);
    circus.emit({name: 'test_start', test});
    circus.emit({name: 'error', error: new Error('during the test')});
    circus.emit({name: 'test_done', test});
    recorder.finish();
    expect(onlySpan(spans(), SUITE_NAME).events).toEqual([]);
    expect(onlySpan(spans(), 'a').status).toEqual({code: SpanStatusCode.ERROR, message: 'during the test'});
  });

  test('without run_finish, it is aborted: the file did not run to the end', async () => {
    const suite = await runSuite(circus => circus.runTest(addTest('a', circus.root)), false);
    expect(suite.attributes['test.suite.run.status']).toBe('aborted');
    expect(suite.status).toEqual({code: SpanStatusCode.ERROR, message: expect.stringContaining('did not run to the end')});
  });
});

describe('a retried test counts once, with its last attempt', () => {
  test('a test that failed and then passed on retry leaves a successful suite', async () => {
    const {circus, recorder, spans, root} = setup();
    let attempts = 0;
    const flaky = addTest('flaky', root, () => {
      attempts += 1;
      if (attempts === 1) throw new Error('first attempt');
    });
    await circus.runTest(flaky);
    circus.emit({name: 'test_retry', test: flaky});
    await circus.runTest(flaky);
    circus.emit({name: 'run_finish'});
    recorder.finish();
    expect(spans().filter(span => span.name === 'flaky').map(span => span.attributes['jest.test.status'])).toEqual(['fail', 'pass']);
    const suite = onlySpan(spans(), SUITE_NAME);
    expect(suite.attributes).toMatchObject({'test.suite.run.status': 'success', 'jest.suite.tests': 1, 'jest.suite.tests.passed': 1, 'jest.suite.tests.failed': 0});
    expect(suite.status.code).toBe(SpanStatusCode.UNSET);
  });
});
