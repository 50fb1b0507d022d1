import {addCodeFrames} from '../../src/report/code-frame';
import {escapeHtml, jsonForScript, renderHtml} from '../../src/report/html';
import {buildTimeline, type TimelineModel} from '../../src/report/model';
import {PAGE_SCRIPT} from '../../src/report/page-script';
import {describeSpan, renderTerminal} from '../../src/report/terminal';
import type {StoredSpan} from '../../src/shared/store-read';

/*
 * The two renderers over a model: the HTML page (self-contained, data that cannot break out of its script element)
 * and the terminal summary (the failed test's tree, marks, links, colour only when asked).
 */

const RESOURCE = {'service.name': 'unit'};
let ids = 0;

function span(fields: Partial<StoredSpan> & {name: string; traceId: string}): StoredSpan {
  ids += 1;
  return {spanId: `span${ids}`, kind: 1, startMs: 1000, endMs: 1001, attributes: {}, events: [], status: {code: 0}, resource: RESOURCE, ...fields};
}

function testSpan(name: string, traceId: string, status: string, extra: Partial<StoredSpan> = {}, attempt = 1): StoredSpan {
  return span({
    name,
    traceId,
    startMs: 1000,
    endMs: 1040,
    attributes: {'test.case.name': name, 'test.suite.name': 'api.test.js', 'jest.test.status': status, 'jest.test.attempt': attempt, 'code.line.number': 3},
    status: status === 'fail' ? {code: 2, message: 'expect(received).toBe(expected) // Object.is equality\n\nExpected: 200\nReceived: 429'} : {code: 0},
    ...extra,
  });
}

function failingRun(): StoredSpan[] {
  const failed = testSpan('insights loads the monthly trend', 'a'.repeat(32), 'fail');
  const hook = span({name: 'beforeEach (insights)', traceId: failed.traceId, parentSpanId: failed.spanId, startMs: 1001, endMs: 1002, attributes: {'jest.hook.type': 'beforeEach'}});
  const call = span({
    name: 'GET',
    traceId: failed.traceId,
    parentSpanId: failed.spanId,
    kind: 3,
    startMs: 1003,
    endMs: 1015,
    status: {code: 2},
    attributes: {'http.request.method': 'GET', 'url.full': 'http://127.0.0.1:4100/insights', 'http.response.status_code': 429},
  });
  const served = span({
    name: 'GET',
    traceId: failed.traceId,
    parentSpanId: call.spanId,
    kind: 2,
    startMs: 1004,
    endMs: 1005,
    attributes: {'http.request.method': 'GET', 'url.path': '/insights', 'http.response.status_code': 429},
  });
  const broken = span({name: 'parse answer', traceId: failed.traceId, parentSpanId: failed.spanId, startMs: 1016, endMs: 1017, status: {code: 2, message: 'Unexpected token R\nin JSON'}});
  return [failed, hook, call, served, broken, testSpan('orders load', 'b'.repeat(32), 'pass')];
}

describe('renderHtml', () => {
  const hostile = '</script><script>alert(1)</script><!-- & \u2028';
  const model = buildTimeline(
    [
      testSpan(hostile, 'c'.repeat(32), 'fail', {events: [{name: 'console', attributes: {'jest.console.message': '</SCRIPT >'}}]}),
      testSpan('plain', 'd'.repeat(32), 'pass'),
    ],
    {runId: '<b>run</b>', traceUrlTemplate: 'http://localhost:16686/trace/{traceId}'},
  );
  const html = renderHtml(model);

  test('one self-contained page: inline style and script, nothing loaded from elsewhere', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<style>');
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/i);
    expect(html).not.toMatch(/@import|url\(/);
  });

  test('data cannot close its script element or open a comment, and reads back as the same model', () => {
    expect(html.match(/<\/script/gi)).toHaveLength(2);
    expect(html).not.toContain('<!--');
    const json = /<script type="application\/json" id="timeline-data">([\s\S]*?)<\/script>/.exec(html)![1];
    expect(json).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(model)));
  });

  test('the title escapes the run id', () => {
    expect(html).toContain('<title>Test traces · run &#60;b&#62;run&#60;/b&#62;</title>');
    expect(escapeHtml(`a&b<c>"d'`)).toBe('a&#38;b&#60;c&#62;&#34;d&#39;');
  });

  test('jsonForScript round-trips every character it escapes', () => {
    const value = {text: '<>&\u2028\u2029</script>'};
    expect(JSON.parse(jsonForScript(value))).toEqual(value);
  });

  test('the page script is valid JavaScript', () => {
    expect(() => new Function(PAGE_SCRIPT)).not.toThrow();
  });
});

describe('renderTerminal', () => {
  const model = buildTimeline(failingRun());

  test('each failed test: its error, the tree of its trace with failures and non-2xx calls marked, a link', () => {
    const text = renderTerminal(model, {traceUrlTemplate: 'http://localhost:16686/trace/{traceId}', reportPath: '.jest-otel/report.html'});
    expect(text).toBe(
      [
        '',
        'Traces of failed tests (1)',
        '',
        `✗ insights loads the monthly trend  (api.test.js, trace ${'a'.repeat(32)})`,
        '  expect(received).toBe(expected) // Object.is equality',
        '',
        '  Expected: 200',
        '  Received: 429',
        '  ├ beforeEach (insights) (1 ms)',
        '  ├ ✗ GET /insights → 429 (12 ms, 127.0.0.1:4100)',
        '  │ └ ! GET /insights → 429 (1 ms, server)',
        '  └ ✗ parse answer (1 ms): Unexpected token R',
        `  http://localhost:16686/trace/${'a'.repeat(32)}`,
        '',
        'HTML report: .jest-otel/report.html',
        '',
      ].join('\n'),
    );
  });

  test('spans of another service name it; the deepest failing span is named when it is below a first-level span', () => {
    const failed = testSpan('orders checks the stock', 'c'.repeat(32), 'fail');
    const backend = {'service.name': 'orders-api'};
    const call = span({name: 'GET', traceId: failed.traceId, parentSpanId: failed.spanId, kind: 3, startMs: 1003, endMs: 1015, status: {code: 2}, attributes: {'http.request.method': 'GET', 'url.full': 'http://127.0.0.1:4100/stock/7', 'http.response.status_code': 500}});
    const served = span({name: 'GET /stock/:id', traceId: failed.traceId, parentSpanId: call.spanId, kind: 2, startMs: 1004, endMs: 1012, status: {code: 2}, resource: backend, attributes: {'http.request.method': 'GET', 'url.path': '/stock/7', 'http.response.status_code': 500}});
    const query = span({name: 'SELECT stock', traceId: failed.traceId, parentSpanId: served.spanId, startMs: 1005, endMs: 1006, status: {code: 2, message: 'stock table is locked'}, resource: backend});
    const text = renderTerminal(buildTimeline([failed, call, served, query]));
    expect(text).toContain(
      [
        '  deepest failure: SELECT stock (orders-api): stock table is locked',
        '  └ ✗ GET /stock/7 → 500 (12 ms, 127.0.0.1:4100)',
        '    └ ✗ GET /stock/7 → 500 (8 ms, server) · orders-api',
        '      └ ✗ SELECT stock (1 ms) · orders-api: stock table is locked',
      ].join('\n'),
    );
  });

  test('a deepest failure that is an HTTP call is named by its method, path and answer, not by its span name', () => {
    const failed = testSpan('insights loads the monthly trend', 'd'.repeat(32), 'fail');
    const backend = {'service.name': 'shop-api'};
    const call = span({name: 'GET', traceId: failed.traceId, parentSpanId: failed.spanId, kind: 3, startMs: 1003, endMs: 1015, status: {code: 2}, attributes: {'http.request.method': 'GET', 'url.full': 'http://127.0.0.1:4100/insights?period=month', 'http.response.status_code': 429}});
    const served = span({name: 'GET', traceId: failed.traceId, parentSpanId: call.spanId, kind: 2, startMs: 1004, endMs: 1012, resource: backend, attributes: {'http.request.method': 'GET', 'url.path': '/insights', 'url.query': 'period=month', 'http.response.status_code': 429}});
    const upstream = span({name: 'GET', traceId: failed.traceId, parentSpanId: served.spanId, kind: 3, startMs: 1005, endMs: 1010, status: {code: 2}, resource: backend, attributes: {'http.request.method': 'GET', 'url.full': 'http://127.0.0.1:4200/v2/trends?period=month', 'http.response.status_code': 429}});
    expect(renderTerminal(buildTimeline([failed, call, served, upstream]))).toContain('  deepest failure: GET /v2/trends?period=month → 429 (shop-api)\n');
  });

  test('the whole error without colour codes, and the failing line of the test file with the lines around it', () => {
    const stack = 'Error: expect(received).toBe(expected)\n    at Object.toBe (/project/node_modules/expect/build/index.js:1:1)\n    at Object.toBe (/project/api.test.js:4:29)';
    const coloured = testSpan('coloured', 'c'.repeat(32), 'fail', {
      attributes: {'test.case.name': 'coloured', 'test.suite.name': 'api.test.js', 'jest.test.status': 'fail', 'jest.test.attempt': 1, 'code.file.path': '/project/api.test.js'},
      status: {code: 2, message: 'expect(\u001b[31mreceived\u001b[39m).toBe(\u001b[32mexpected\u001b[39m)\n\nExpected: \u001b[32m200\u001b[39m\nReceived: \u001b[31m429\u001b[39m'},
      events: [{name: 'exception', attributes: {'exception.stacktrace': stack}}],
    });
    const framed = buildTimeline([coloured]);
    const sources: Record<string, string> = {'/project/api.test.js': ['a', 'b', 'c', '    expect(response.status).toBe(200);', 'e', 'f', 'g'].join('\n')};
    addCodeFrames(framed, file => file.replace('/project/', ''), file => sources[file]);
    expect(framed.tests[0]).toMatchObject({error: 'expect(received).toBe(expected)\n\nExpected: 200\nReceived: 429', frame: {file: 'api.test.js', line: 4, column: 29}});
    expect(renderTerminal(framed).split('\n').slice(4, 16)).toEqual([
      '  expect(received).toBe(expected)',
      '',
      '  Expected: 200',
      '  Received: 429',
      '',
      '  api.test.js:4:29',
      '    2 | b',
      '    3 | c',
      '  > 4 |     expect(response.status).toBe(200);',
      '    5 | e',
      '    6 | f',
      '',
    ]);
  });

  test('plain text unless colour is asked for', () => {
    expect(renderTerminal(model)).not.toContain('\u001b[');
    const coloured = renderTerminal(model, {color: true});
    expect(coloured).toContain('\u001b[31m✗ GET /insights → 429 (12 ms, 127.0.0.1:4100)\u001b[0m');
    expect(coloured).toContain('\u001b[33m! GET /insights → 429 (1 ms, server)\u001b[0m');
  });

  test('flaky tests get one line each; nothing to say is an empty string', () => {
    const flaky = buildTimeline([
      testSpan('sometimes', 'e'.repeat(32), 'fail'),
      testSpan('sometimes', 'f'.repeat(32), 'pass', {startMs: 1100, endMs: 1110}, 2),
    ]);
    expect(renderTerminal(flaky)).toBe(
      ['', 'Flaky tests, passed on a retry (1)', '↻ sometimes  (api.test.js, 2 attempts)', '  expect(received).toBe(expected) // Object.is equality', ''].join('\n'),
    );
    expect(renderTerminal(buildTimeline([testSpan('fine', 'g'.repeat(32), 'pass')]))).toBe('');
  });

  test('long lists are cut: failed tests beyond maxTests and spans beyond maxSpans are counted', () => {
    const many: TimelineModel = {...model, tests: Array.from({length: 3}, () => model.tests[0])};
    const text = renderTerminal(many, {maxTests: 2, maxSpans: 2});
    expect(text.match(/^✗ insights/gm)).toHaveLength(2);
    expect(text).toContain('… and 1 more failed test: see the HTML report');
    expect(text.match(/… 2 more spans/g)).toHaveLength(2);
    const four = renderTerminal({...model, tests: Array.from({length: 4}, () => model.tests[0])}, {maxTests: 2, maxSpans: 3});
    expect(four).toContain('… and 2 more failed tests: see the HTML report');
    expect(four.match(/… 1 more span\n/g)).toHaveLength(2);
  });

  test('describeSpan says what an HTTP call did', () => {
    const call = model.tests[0].attempts[0].root.children[1];
    expect(call.http).toEqual({method: 'GET', url: 'http://127.0.0.1:4100/insights', target: '/insights', host: '127.0.0.1:4100', statusCode: 429});
    expect(describeSpan(call)).toBe('✗ GET /insights → 429 (12 ms, 127.0.0.1:4100)');
    expect(describeSpan({...call, error: false, flagged: false, http: {...call.http!, statusCode: 200}, durationMs: 2500})).toBe('GET /insights → 200 (2.50 s, 127.0.0.1:4100)');
    expect(describeSpan({...call, http: {method: 'GET', url: 'http://127.0.0.1:9/', target: '/', host: '127.0.0.1:9'}})).toBe('✗ GET / → no response (12 ms, 127.0.0.1:9)');
  });
});
