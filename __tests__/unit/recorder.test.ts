import {SpanStatusCode, context, trace, type SpanContext} from '@opentelemetry/api';
import type {ReadableSpan} from '@opentelemetry/sdk-trace';
import type {Circus} from '@jest/types';
import {SuiteRecorder, type SuiteInfo} from '../../src/environment/recorder';
import {contextManager} from '../../src/pipeline/context-manager';
import {FakeCircus, SUITE_NAME, TEST_PATH, addDescribe, addHook, addTest, declaredAt} from './circus';
import {memoryTracing, onlySpan} from './tracing';

/* Span structure of one test file: the suite span, a root span per test attempt, hook spans under their owner. */

beforeAll(() => {
  // As telemetry.ts does when no other OpenTelemetry setup registered a context manager first.
  context.setGlobalContextManager(contextManager);
});
afterAll(() => context.disable());

/** Whether the recorder makes its spans as the package does in a run (own span records) or through the SDK's tracer. */
let ownRecords = false;

function setup(info: Partial<SuiteInfo> = {}) {
  const tracing = memoryTracing();
  const recorder = new SuiteRecorder(tracing.tracer, {testPath: TEST_PATH, suiteName: SUITE_NAME, ...info}, ownRecords ? tracing.maker : undefined);
  const circus = new FakeCircus(recorder);
  return {...tracing, recorder, circus, root: circus.root};
}

const parentId = (span: ReadableSpan) => span.parentSpanContext?.spanId;
const sameSpan = (a: SpanContext, b: SpanContext) => a.traceId === b.traceId && a.spanId === b.spanId;


describe.each([
  ['through the SDK', false],
  ['as own span records', true],
])('spans made %s', (_how, own) => {
  beforeAll(() => {
    ownRecords = own;
  });

  test('one suite span, and one root span per test attempt linked to it', async () => {
    const {circus, recorder, spans, root} = setup({commonAttributes: {team: 'payments'}});
    const flaky = addTest('retries', addDescribe('math', root), () => {
      if (flaky.invocations === 1) throw new Error('first attempt fails');
    }, {asyncError: declaredAt(42)});
    circus.emit({name: 'run_describe_start', describeBlock: root});
    await circus.runTest(flaky);
    circus.emit({name: 'test_retry', test: flaky});
    await circus.runTest(flaky);
    circus.emit({name: 'run_finish'});
    recorder.finish();

    const suite = onlySpan(spans(), SUITE_NAME);
    expect(suite.parentSpanContext).toBeUndefined();
    expect(suite.attributes).toMatchObject({'test.suite.name': SUITE_NAME, team: 'payments'});
    const attempts = spans().filter(span => span.name === 'math retries');
    expect(attempts.map(span => span.attributes['jest.test.attempt'])).toEqual([1, 2]);
    expect(attempts.map(span => span.attributes['jest.test.status'])).toEqual(['fail', 'pass']);
    expect(new Set([suite, ...attempts].map(span => span.spanContext().traceId)).size).toBe(3);
    for (const attempt of attempts) {
      expect(attempt.parentSpanContext).toBeUndefined();
      expect(attempt.links).toHaveLength(1);
      expect(sameSpan(attempt.links[0].context, suite.spanContext())).toBe(true);
      expect(attempt.attributes).toMatchObject({
        'test.case.name': 'math retries',
        'jest.test.title': 'retries',
        'jest.describe.path': ['math'],
        'test.suite.name': SUITE_NAME,
        'code.file.path': TEST_PATH,
        'code.line.number': 42,
        'code.column.number': 5,
        'jest.test.duration_ms': 12,
        team: 'payments',
      });
    }
  });

  test('each-hooks are children of the test span, all-hooks of the suite span, Jest\'s own hook has none', async () => {
    const {circus, recorder, spans, root} = setup();
    const jestOwn = addHook('beforeEach', root, () => {}, 'Error\n    at addHook (/n/node_modules/jest-circus/build/jestAdapterInit.js:1:1)');
    const beforeAll = addHook('beforeAll', root);
    const block = addDescribe('db', root);
    const beforeEach = addHook('beforeEach', block);
    const afterEach = addHook('afterEach', block);
    const afterAll = addHook('afterAll', block);
    const query = addTest('query', block);
    await circus.runHook(beforeAll);
    await circus.runTest(query, {before: [jestOwn, beforeEach], after: [afterEach]});
    await circus.runHook(afterAll);
    circus.emit({name: 'run_finish'});
    recorder.finish();

    const suite = onlySpan(spans(), SUITE_NAME);
    const testSpan = onlySpan(spans(), 'db query');
    expect(spans().map(span => span.name).sort()).toEqual([SUITE_NAME, 'afterAll (db)', 'afterEach (db)', 'beforeAll', 'beforeEach (db)', 'db query'].sort());
    for (const name of ['beforeEach (db)', 'afterEach (db)']) {
      const hook = onlySpan(spans(), name);
      expect(hook.spanContext().traceId).toBe(testSpan.spanContext().traceId);
      expect(parentId(hook)).toBe(testSpan.spanContext().spanId);
      expect(hook.attributes).toMatchObject({'jest.hook.type': name.split(' ')[0], 'jest.describe.path': ['db'], 'test.case.name': 'db query'});
    }
    for (const name of ['beforeAll', 'afterAll (db)']) {
      const hook = onlySpan(spans(), name);
      expect(hook.spanContext().traceId).toBe(suite.spanContext().traceId);
      expect(parentId(hook)).toBe(suite.spanContext().spanId);
      expect(hook.attributes['test.case.name']).toBeUndefined();
    }
  });

  test('a failing hook ends with ERROR and the exception; its test fails', async () => {
    const {circus, recorder, spans, root} = setup();
    const hook = addHook('beforeEach', root, () => {
      throw new TypeError('db is down');
    });
    const test = addTest('needs db', root);
    await circus.runTest(test, {before: [hook]});
    circus.emit({name: 'run_finish'});
    recorder.finish();

    const hookSpan = onlySpan(spans(), 'beforeEach');
    expect(hookSpan.status).toEqual({code: SpanStatusCode.ERROR, message: 'db is down'});
    expect(hookSpan.events.map(event => event.attributes?.['exception.type'])).toEqual(['TypeError']);
    expect(onlySpan(spans(), 'needs db').status).toEqual({code: SpanStatusCode.ERROR, message: 'db is down'});
  });

  test('the test function is wrapped while it runs: same length, test span active, restored after test_done', async () => {
    const {circus, recorder, spans, root} = setup();
    let activeId: string | undefined;
    const callbackStyle = (done: () => void) => {
      activeId = trace.getActiveSpan()?.spanContext().spanId;
      done();
    };
    const test = addTest('callback', root, callbackStyle as Circus.TestFn);
    circus.emit({name: 'test_start', test});
    expect(test.fn).not.toBe(callbackStyle);
    expect(test.fn.length).toBe(1);
    const done = jest.fn();
    (test.fn as (done: () => void) => void).call({}, done);
    expect(done).toHaveBeenCalledTimes(1);
    circus.emit({name: 'test_done', test});
    expect(test.fn).toBe(callbackStyle);
    recorder.finish();

    expect(activeId).toBe(onlySpan(spans(), 'callback').spanContext().spanId);
  });

  test('a hook function runs with its hook span active, and is restored afterwards', async () => {
    const {circus, recorder, spans, root} = setup();
    let activeId: string | undefined;
    const fn = async () => {
      await Promise.resolve();
      activeId = trace.getActiveSpan()?.spanContext().spanId;
    };
    const hook = addHook('beforeAll', root, fn);
    await circus.runHook(hook);
    expect(hook.fn).toBe(fn);
    recorder.finish();
    expect(activeId).toBe(onlySpan(spans(), 'beforeAll').spanContext().spanId);
  });

  describe('an upstream span from TRACEPARENT', () => {
    const upstream: SpanContext = {traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1, isRemote: true};

    test.each(['parent', 'link'] as const)('mode %s', async mode => {
      const {circus, recorder, spans, root} = setup({upstream: {spanContext: upstream, mode}});
      await circus.runTest(addTest('t', root));
      circus.emit({name: 'run_finish'});
      recorder.finish();

      for (const span of [onlySpan(spans(), SUITE_NAME), onlySpan(spans(), 't')]) {
        const linksUpstream = span.links.some(link => sameSpan(link.context, upstream));
        if (mode === 'parent') {
          expect(span.spanContext().traceId).toBe(upstream.traceId);
          expect(parentId(span)).toBe(upstream.spanId);
          expect(linksUpstream).toBe(false);
        } else {
          expect(span.spanContext().traceId).not.toBe(upstream.traceId);
          expect(span.parentSpanContext).toBeUndefined();
          expect(linksUpstream).toBe(true);
        }
      }
    });
  });

  test('a concurrent test called before its test_start gets one span, active in its function', async () => {
    const {circus, recorder, spans, root} = setup();
    let activeId: string | undefined;
    const fn = async () => {
      activeId = trace.getActiveSpan()?.spanContext().spanId;
    };
    const test = addTest('parallel', addDescribe('group', root), fn, {concurrent: true});
    circus.emit({name: 'run_describe_start', describeBlock: root});
    expect(test.fn).not.toBe(fn);
    const running = (test.fn as () => Promise<void>)();
    circus.emit({name: 'test_start', test});
    await running;
    circus.emit({name: 'test_done', test});
    expect(test.fn).toBe(fn);
    circus.emit({name: 'run_finish'});
    recorder.finish();

    const span = onlySpan(spans(), 'group parallel');
    expect(activeId).toBe(span.spanContext().spanId);
    expect(span.attributes).toMatchObject({'jest.test.attempt': 1, 'jest.test.status': 'pass', 'jest.test.concurrent': true});
  });
});
