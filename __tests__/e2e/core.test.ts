import {OtlpReceiver, type ReceivedSpan} from '../support/otlp-receiver';
import {outcomes, runJest, type JestRun} from '../support/run-jest';
import {childrenOf, exceptions, onlySpan, spansByName, testSpans} from '../support/spans';

/*
 * The core fixture (CommonJS, eight files covering every kind of test, hook and failure) run by real Jest, in band
 * and with two workers, exporting OTLP/HTTP protobuf to a receiver on 127.0.0.1.
 */

const FILES = [
  'basic.test.js',
  'broken.test.js',
  'concurrent.test.js',
  'console.test.js',
  'failures.test.js',
  'hooks.test.js',
  'http.test.js',
  'only.test.js',
  'retry.test.js',
  'secrets.test.js',
];

let plainRun: JestRun;

beforeAll(async () => {
  plainRun = await runJest('core', {args: ['--runInBand', '--testEnvironment=node']});
});

describe.each([['--runInBand'], ['--maxWorkers=2']])('core fixture with jest %s', mode => {
  const receiver = new OtlpReceiver();
  let run: JestRun;
  let spans: ReceivedSpan[];

  beforeAll(async () => {
    await receiver.start();
    run = await runJest('core', {args: [mode], env: {OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url}});
    spans = receiver.spans;
  });
  afterAll(() => receiver.stop());

  const test1 = (name: string) => onlySpan(testSpans(spans), name);
  const attempts = (name: string) =>
    spansByName(testSpans(spans), name).sort((a, b) => Number(a.attributes['jest.test.attempt']) - Number(b.attributes['jest.test.attempt']));

  test('test outcomes are exactly those of jest-environment-node, and the run exits cleanly', () => {
    expect(run.code).toBe(1);
    expect(outcomes(run.results)).toEqual(outcomes(plainRun.results));
    expect(Object.keys(outcomes(run.results))).toHaveLength(38);
    expect(run.stderr).not.toContain('did not exit one second');
    expect(run.stderr).not.toContain('[jest-environment-otel]');
  });

  test('spans come from the expected worker processes, with the configured resource', () => {
    const pids = new Set(spans.map(span => span.resource['process.pid']));
    if (mode === '--runInBand') expect(pids.size).toBe(1);
    else expect(pids.size).toBeGreaterThanOrEqual(2);
    expect(new Set(spans.map(span => span.resource['service.name']))).toEqual(new Set(['core-fixture']));
  });

  test('one root suite span per test file, with counts and run status', () => {
    const suites = spans.filter(span => span.attributes['test.suite.run.status'] !== undefined);
    expect(suites.map(span => span.name).sort()).toEqual(FILES);
    for (const suite of suites) {
      expect(suite.parentSpanId).toBeUndefined();
      expect(suite.attributes['test.suite.name']).toBe(suite.name);
    }
    const failures = onlySpan(suites, 'failures.test.js');
    expect(failures.attributes).toMatchObject({
      'test.suite.run.status': 'failure',
      'jest.suite.tests': 16,
      'jest.suite.tests.failed': 8,
      'jest.suite.tests.skipped': 1,
      'jest.suite.tests.todo': 1,
      'jest.suite.tests.passed': 6,
    });
    expect(failures.status.code).toBe('ERROR');
    expect(onlySpan(suites, 'basic.test.js').attributes['test.suite.run.status']).toBe('success');
    expect(onlySpan(suites, 'basic.test.js').status.code).toBe('UNSET');
    const broken = onlySpan(suites, 'broken.test.js');
    expect(broken.attributes).toMatchObject({'test.suite.run.status': 'aborted', 'jest.suite.tests': 0});
    expect(broken.status).toEqual({code: 'ERROR', message: 'the test file did not run to the end (it failed to load, or Jest stopped it)'});
  });

  test('one root span per test attempt, linked to its suite, named and described as Jest names it', () => {
    const tests = testSpans(spans);
    expect(tests).toHaveLength(42);
    const suiteByFile = new Map(spans.filter(span => span.attributes['test.suite.run.status']).map(span => [span.name, span]));
    for (const span of tests) {
      expect(span.parentSpanId).toBeUndefined();
      expect(span.attributes['test.case.name']).toBe(span.name);
      const suite = suiteByFile.get(String(span.attributes['test.suite.name']))!;
      expect(span.links).toEqual([{traceId: suite.traceId, spanId: suite.spanId}]);
      expect(span.endMs).toBeGreaterThanOrEqual(span.startMs);
    }
    expect(test1('currency EUR formats').attributes).toMatchObject({
      'jest.describe.path': ['currency EUR'],
      'jest.test.title': 'formats',
      'test.suite.name': 'failures.test.js',
      'test.case.result.status': 'pass',
      'jest.test.attempt': 1,
    });
    const pays = test1('checkout pays');
    expect(String(pays.attributes['code.file.path'])).toMatch(/core[/\\]basic\.test\.js$/);
    expect(pays.attributes['code.line.number']).toBe(20);
    expect(test1('doubles 2').attributes['test.case.result.status']).toBe('pass');
  });

  test('every test reported by Jest has a span whose last attempt carries its result', () => {
    const jestStatus = {passed: 'pass', failed: 'fail', pending: 'skip', skipped: 'skip', todo: 'todo'} as Record<string, string>;
    for (const file of run.results.testResults) {
      for (const result of file.assertionResults) {
        const last = attempts(result.fullName).pop();
        expect(last).toBeDefined();
        expect([result.fullName, last!.attributes['jest.test.status']]).toEqual([result.fullName, jestStatus[result.status]]);
      }
    }
  });

  test('failures carry ERROR status, the first message and one exception event per error', () => {
    const expectFailure = (name: string, type: string | RegExp, message: string | RegExp) => {
      const span = test1(name);
      expect(span.status.code).toBe('ERROR');
      expect(span.attributes['test.case.result.status']).toBe('fail');
      const [exception, ...rest] = exceptions(span);
      expect(rest).toEqual([]);
      expect(exception['exception.type']).toMatch(type);
      expect(exception['exception.message']).toMatch(message);
      expect(span.status.message).toBe(exception['exception.message']);
      expect(String(exception['exception.stacktrace'])).toContain('failures.test.js');
    };
    expectFailure('assertion fails', /Error/, /Expected: 3\s+Received: 2/);
    expectFailure('throws a custom error', 'PaymentError', 'card declined');
    expectFailure('rejects', 'TypeError', 'bad input');
    expectFailure('done with error', 'Error', 'callback failed');
    expectFailure('times out', 'Error', /Exceeded timeout of 100 ms/);
    expectFailure('throws a string', 'Error', /plain string/);
    expectFailure('throws an object', 'Error', /42/);
    expectFailure('unexpectedly passes', 'Error', /Failing test passed even though it was supposed to fail/);
    expect(test1('assertion fails').status.message).not.toMatch(/\u001b\[/);
  });

  test('test.failing that fails, skip, todo and tests outside test.only are never ERROR', () => {
    expect(test1('is expected to fail')).toMatchObject({status: {code: 'UNSET'}, attributes: {'test.case.result.status': 'pass', 'jest.test.failing': true}});
    for (const [name, status] of [
      ['is skipped', 'skip'],
      ['is todo', 'todo'],
      ['not focused', 'skip'],
    ]) {
      const span = test1(name);
      expect(span.status.code).toBe('UNSET');
      expect(span.attributes['jest.test.status']).toBe(status);
      expect(span.attributes['test.case.result.status']).toBeUndefined();
      expect(childrenOf(spans, span)).toEqual([]);
    }
    expect(test1('is skipped').attributes['jest.test.mode']).toBe('skip');
    expect(test1('focused').attributes).toMatchObject({'jest.test.mode': 'only', 'jest.test.status': 'pass'});
  });

  test('hooks: each hooks under their test, all hooks under the suite, failures everywhere they count', () => {
    const failingBefore = test1('beforeEach fails body never runs');
    const beforeEachSpan = onlySpan(childrenOf(spans, failingBefore), 'beforeEach (beforeEach fails)');
    expect(beforeEachSpan.status).toEqual({code: 'ERROR', message: 'seed failed'});
    expect(beforeEachSpan.attributes['jest.hook.type']).toBe('beforeEach');
    expect(failingBefore.status).toEqual({code: 'ERROR', message: 'seed failed'});

    const failingAfter = test1('afterEach fails body passes');
    expect(onlySpan(childrenOf(spans, failingAfter), 'afterEach (afterEach fails)').status.code).toBe('ERROR');
    expect(failingAfter.status).toEqual({code: 'ERROR', message: 'cleanup failed'});

    const hooksSuite = onlySpan(spans, 'hooks.test.js');
    const beforeAllSpan = onlySpan(childrenOf(spans, hooksSuite), 'beforeAll (beforeAll fails)');
    expect(beforeAllSpan.status).toEqual({code: 'ERROR', message: 'database down'});
    for (const name of ['beforeAll fails first', 'beforeAll fails second']) {
      expect(test1(name).status).toEqual({code: 'ERROR', message: 'database down'});
    }
    const allHooks = onlySpan(childrenOf(spans, hooksSuite), 'beforeAll (all hooks)');
    expect(childrenOf(spans, allHooks).map(span => span.name)).toEqual(['in beforeAll']);
    expect(onlySpan(childrenOf(spans, hooksSuite), 'afterAll (all hooks)').attributes['jest.hook.type']).toBe('afterAll');
    // Jest's own root beforeEach (clearMocks & co.) is not traced.
    expect(spans.filter(span => span.name === 'beforeEach')).toEqual([]);
  });

  test('retried tests: one span per attempt, failed attempts ERROR, the last attempt is the result', () => {
    const flaky = attempts('flaky passes on the third attempt');
    expect(flaky.map(span => [span.attributes['jest.test.attempt'], span.status.code, span.attributes['test.case.result.status']])).toEqual([
      [1, 'ERROR', 'fail'],
      [2, 'ERROR', 'fail'],
      [3, 'UNSET', 'pass'],
    ]);
    expect(flaky[1].status.message).toBe('attempt 2 failed');
    expect(new Set(flaky.map(span => span.traceId)).size).toBe(3);
    expect(attempts('always fails').map(span => span.status.code)).toEqual(['ERROR', 'ERROR', 'ERROR']);
  });

  test('the test body, its hooks and its HTTP calls run with the test span active', () => {
    const pays = test1('checkout pays');
    const children = childrenOf(spans, pays);
    expect(children.map(span => span.name).sort()).toEqual(['GET', 'GET', 'afterEach (checkout)', 'api step', 'beforeEach (checkout)', 'custom step']);
    expect(pays.attributes['seen.active.span']).toBe(pays.spanId);
    expect(String(pays.attributes['seen.traceparent'])).toMatch(new RegExp(`^00-${pays.traceId}-[0-9a-f]{16}-01$`));
    expect(childrenOf(spans, onlySpan(children, 'afterEach (checkout)')).map(span => span.name)).toEqual(['cleanup step']);
    expect(onlySpan(spans, 'api step').scope).toBe('user-code');

    const clients = children.filter(span => span.kind === 'CLIENT');
    const rateLimited = clients.find(span => span.attributes['http.response.status_code'] === 429);
    expect(rateLimited?.attributes['url.full']).toMatch(/\/rate$/);
    for (const client of clients) {
      // The service under test, started inside the test file, joins the test's trace through traceparent.
      const [server] = childrenOf(spans, client);
      expect(server.kind).toBe('SERVER');
    }
    expect(onlySpan(childrenOf(spans, test1('done passes')), 'in done callback')).toBeDefined();
  });

  test('node:http client spans end with the response, the error or the abort, and never trace the export itself', () => {
    const clientOf = (name: string) => {
      const [client, ...others] = childrenOf(spans, test1(name)).filter(span => span.kind === 'CLIENT');
      expect(others).toEqual([]);
      return client;
    };
    const refused = clientOf('a refused connection');
    expect(refused.attributes).toMatchObject({'http.request.method': 'GET', 'url.full': 'http://127.0.0.1:9/nothing', 'server.port': 9, 'error.type': 'ECONNREFUSED'});
    expect(refused.status).toEqual({code: 'ERROR', message: 'connect ECONNREFUSED 127.0.0.1:9'});
    expect(exceptions(refused)[0]).toMatchObject({'exception.type': 'ECONNREFUSED'});

    const cut = clientOf('a response cut off midway');
    expect(cut.attributes).toMatchObject({'http.response.status_code': 200, 'network.protocol.version': '1.1', 'network.peer.address': '127.0.0.1'});
    expect(cut.attributes['url.full']).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/slow$/);
    expect(cut.status).toEqual({code: 'ERROR', message: 'the response was aborted'});

    // Rendered headers cannot take a traceparent; the port comes from the socket.
    const raw = clientOf('headers given as a raw array');
    expect(raw.attributes['url.full']).toBe(`http://127.0.0.1:${raw.attributes['network.peer.port']}/echo`);
    expect(raw.attributes).toMatchObject({'http.response.status_code': 200, 'server.port': raw.attributes['network.peer.port']});
    expect(raw.status.code).toBe('UNSET');
    expect(childrenOf(spans, raw)).toEqual([]);

    // An upgrade hands the socket over without a response event: the span ends with its 101, without an error.
    const upgraded = clientOf('an upgraded connection');
    expect(upgraded.attributes['url.full']).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/socket$/);
    expect(upgraded.attributes).toMatchObject({'http.response.status_code': 101, 'network.peer.address': '127.0.0.1'});
    expect(upgraded.status.code).toBe('UNSET');

    const ended = test1('the response has ended');
    const client = clientOf('the response has ended');
    expect(client.endMs).toBeLessThanOrEqual(Number(ended.attributes['seen.response.end']));
    expect(client.attributes['http.request.header.x-request-id']).toEqual(['set-late']);
    expect(client.status.code).toBe('UNSET');
    expect(onlySpan(childrenOf(spans, client), 'GET').kind).toBe('SERVER');

    expect(spans.filter(span => String(span.attributes['url.full']).includes('/v1/traces'))).toEqual([]);
  });

  test('console output and the test API become events on the right span', () => {
    const pays = test1('checkout pays');
    expect(pays.events.map(event => event.name)).toEqual(['console', 'order placed']);
    expect(pays.events[0].attributes).toEqual({'jest.console.level': 'info', 'log.iostream': 'stdout', 'jest.console.message': 'paying'});
    expect(pays.events[1].attributes).toEqual({items: 3});
    const beforeEachSpan = onlySpan(childrenOf(spans, pays), 'beforeEach (checkout)');
    expect(beforeEachSpan.events[0].attributes['jest.console.message']).toBe('preparing cart');

    const chatty = test1('talks a lot');
    expect(chatty.events).toHaveLength(100);
    expect(chatty.events[99].attributes['jest.console.message']).toBe('line 99');
    expect(chatty.attributes['jest.console.dropped']).toBe(50);
    const long = test1('says one long thing').events[0].attributes;
    expect(long).toMatchObject({'jest.console.level': 'error', 'log.iostream': 'stderr', 'jest.console.truncated': true});
    expect(String(long['jest.console.message'])).toHaveLength(2000);
    expect(onlySpan(spans, 'console.test.js').events[0].attributes['jest.console.message']).toBe('loading the module');
  });

  test('test.concurrent tests each keep their own children', () => {
    for (const id of ['a', 'b', 'c']) {
      const testSpan = test1(`concurrent ${id}`);
      expect(testSpan.attributes['jest.test.concurrent']).toBe(true);
      const [work] = childrenOf(spans, testSpan);
      expect(work.name).toBe(`work ${id}`);
      const [client] = childrenOf(spans, work);
      expect(client.attributes['url.full']).toMatch(new RegExp(`id=${id}$`));
    }
  });

  test('secrets never leave the process; allowlisted harmless headers do', () => {
    const secrets = ['SECRET_PASSWORD', 'SECRET_QUERY', 'SECRET_TOKEN', 'SECRET_BEARER', 'SECRET_COOKIE', 'SECRET_APIKEY', 'SECRET_SETCOOKIE'];
    expect(receiver.rawBodies.length).toBeGreaterThan(0);
    for (const body of receiver.rawBodies) {
      for (const secret of secrets) expect([secret, body.includes(secret)]).toEqual([secret, false]);
    }
    for (const name of ['http with secrets everywhere', 'fetch with secrets everywhere']) {
      const [client] = childrenOf(spans, test1(name));
      expect(client.attributes['http.request.header.x-request-id']).toEqual(['req-42']);
      // Each list applies to its own side: the echoed x-request-id is allowlisted for requests only.
      expect(client.attributes['http.response.header.content-type']).toEqual(['application/json']);
      expect(client.attributes['http.response.header.x-request-id']).toBeUndefined();
      expect(client.attributes['url.full']).toContain('REDACTED');
      expect(Object.keys(client.attributes).filter(key => /authorization|cookie|api-key/.test(key))).toEqual([]);
    }
  });
});
