import {mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {pathToFileURL} from 'node:url';
import {chromium, type Browser, type Page} from 'playwright-core';
import {renderHtml} from '../../src/report/html';
import {buildTimeline} from '../../src/report/model';
import {readRun, type StoredSpan} from '../../src/shared/store-read';
import {REPO, WORK} from '../support/paths';
import {outcomes, runJest, type JestRun} from '../support/run-jest';

/*
 * The report fixture (a test that fails on a 429, a flaky test retried once, skipped and todo tests, two files) run by
 * real Jest with the reporter, in band and with two workers; the page it writes is opened in headless Chromium from
 * file://. Then a generated run of 10,000 tests, to see that the page stays usable at that size.
 */

const project = join(WORK, 'report');
const storeDir = join(project, '.traces');
const ARTIFACTS = join(REPO, 'artifacts');
const FAILED = 'insights loads the monthly trend';
const FLAKY = 'inventory answers after a retry';

let browser: Browser;

beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});
afterAll(() => browser?.close());

/** Opens a page from file://, recording every request it makes and every script error. */
async function open(file: string): Promise<{page: Page; requests: string[]; errors: string[]}> {
  const page = await browser.newPage({viewport: {width: 1400, height: 850}});
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', request => requests.push(request.url()));
  page.on('pageerror', error => errors.push(error.message));
  await page.goto(pathToFileURL(file).href);
  await page.waitForSelector('body[data-ready="true"]');
  return {page, requests, errors};
}

const rowNames = (page: Page) => page.locator('#list .row .name').allTextContents();

describe.each([
  ['--runInBand', 'report.png'],
  ['--maxWorkers=2', 'report-two-workers.png'],
])('report fixture with jest %s', (mode, screenshot) => {
  let run: JestRun;
  let runId: string;
  let spans: StoredSpan[];
  let page: Page;
  let requests: string[];
  let errors: string[];

  beforeAll(async () => {
    rmSync(storeDir, {recursive: true, force: true});
    run = await runJest('report', {args: [mode]});
    [runId] = readdirSync(join(storeDir, 'runs'));
    spans = readRun(join(storeDir, 'runs', runId));
    ({page, requests, errors} = await open(join(storeDir, 'report.html')));
  });
  afterAll(() => page?.close());

  const traceOf = (name: string) => spans.filter(span => span.name === name && span.attributes['jest.test.status'] === 'fail').map(span => span.traceId);

  test('test outcomes are Jest’s own; the reporter adds no warning', () => {
    expect(run.code).toBe(1);
    expect(outcomes(run.results)).toEqual({
      'api.test.js › insights loads the weekly trend': 'passed',
      'api.test.js › insights loads the monthly trend': 'failed',
      'api.test.js › orders lists orders in a step of its own': 'passed',
      'api.test.js › orders exports a PDF': 'pending',
      'api.test.js › orders prints the invoice': 'todo',
      'flaky.test.js › inventory answers after a retry': 'passed',
      'flaky.test.js › stock is counted': 'passed',
    });
    expect(run.stderr).not.toContain('[jest-environment-otel]');
    const pids = new Set(spans.filter(span => span.attributes['jest.test.status']).map(span => span.resource['process.pid']));
    expect(pids.size).toBe(mode === '--runInBand' ? 1 : 2);
  });

  test('the reporter records one run span, around every test, with the run’s counts and its run id', () => {
    const [runSpan, ...others] = spans.filter(span => span.name === 'jest run');
    expect(others).toEqual([]);
    expect(runSpan.attributes).toMatchObject({
      'jest.run.id': runId,
      'jest.run.status': 'failure',
      'jest.run.tests': 7,
      'jest.run.tests.passed': 4,
      'jest.run.tests.failed': 1,
      'jest.run.tests.skipped': 1,
      'jest.run.tests.todo': 1,
      'jest.run.suites': 2,
      'jest.run.suites.failed': 1,
    });
    expect(runSpan.parentSpanId).toBeUndefined();
    expect(runSpan.status.code).toBe(2);
    const tests = spans.filter(span => span.attributes['jest.test.status']);
    expect(Math.min(...tests.map(span => span.startMs))).toBeGreaterThanOrEqual(runSpan.startMs);
    expect(Math.max(...tests.map(span => span.endMs))).toBeLessThanOrEqual(runSpan.endMs);
  });

  test('the page goes to the environment’s store folder, with a copy in this run’s folder', () => {
    expect(new Set(spans.map(span => span.attributes['jest.run.id']).filter(Boolean))).toEqual(new Set([runId]));
    expect(readdirSync(join(storeDir, 'runs'))).toEqual([runId]);
    expect(readFileSync(join(storeDir, 'runs', runId, 'report.html'), 'utf8')).toBe(readFileSync(join(storeDir, 'report.html'), 'utf8'));
  });

  test('after Jest’s summary: the failed test’s trace tree with the 429 marked, a trace link, the flaky test, the page', () => {
    const [failedTrace] = traceOf(FAILED);
    const tail = run.stderr.slice(run.stderr.indexOf('Ran all test suites.'));
    expect(tail).toContain('Traces of failed tests (1)');
    expect(tail).toContain(
      [
        `✗ ${FAILED}  (api.test.js, trace ${failedTrace})`,
        '  expect(received).toBe(expected) // Object.is equality',
        '',
        '  Expected: 200',
        '  Received: 429',
        '',
        '  api.test.js:19:29',
        '    17 |     console.log(\'asking for the monthly trend\');',
        '    18 |     const response = await fetch(`${service.url}/insights?period=month`);',
        '  > 19 |     expect(response.status).toBe(200);',
        '    20 |   });',
        '    21 | });',
        '',
      ].join('\n'),
    );
    expect(tail).toMatch(/\n  └ ✗ GET \/insights\?period=month → 429 \(\d+ ms, 127\.0\.0\.1:\d+\)\n    └ ! GET \/insights\?period=month → 429 \(\d+ ms, server\)\n/);
    expect(tail).toContain(`  http://localhost:16686/trace/${failedTrace}\n`);
    expect(tail).toContain(`↻ ${FLAKY}  (flaky.test.js, 2 attempts)`);
    expect(tail).toMatch(/\nHTML report: \.traces\/report\.html\n/);
  });

  test('the page needs nothing but its own file and runs without errors', () => {
    expect(errors).toEqual([]);
    expect(requests.filter(url => !url.startsWith('file:'))).toEqual([]);
  });

  test('the list: failed tests first, then flaky ones, then the rest by file; the status filter narrows it', async () => {
    expect(await rowNames(page)).toEqual([
      FAILED,
      FLAKY,
      'insights loads the weekly trend',
      'orders lists orders in a step of its own',
      'orders exports a PDF',
      'orders prints the invoice',
      'stock is counted',
    ]);
    const icon = (name: string) => page.locator('#list .row', {hasText: name}).locator('.icon').textContent();
    expect([await icon(FAILED), await icon(FLAKY), await icon('stock is counted')]).toEqual(['✕', '↻', '✓']);
    const marked = await page.locator('#list .row', {has: page.locator('.failed-calls')}).locator('.name').allTextContents();
    expect(marked).toEqual(['orders lists orders in a step of its own']);
    expect(await page.locator('#list .row .failed-calls').textContent()).toBe('! 1 failed call');
    await page.click('#filters button[data-status="flaky"]');
    expect(await rowNames(page)).toEqual([FLAKY]);
    await page.click('#filters button[data-status="all"]');
    await page.fill('#search', 'ORDERS');
    await page.locator('#list-count', {hasText: /^3 of 7 tests$/}).waitFor();
    expect(await rowNames(page)).toEqual(['orders lists orders in a step of its own', 'orders exports a PDF', 'orders prints the invoice']);
    await page.fill('#search', '');
    await page.locator('#list-count', {hasText: /^7 of 7 tests$/}).waitFor();
  });

  test('the selected failed test starts with its whole error and the failing line; search reads the error, the code and the calls', async () => {
    await page.locator('#list .row', {hasText: FAILED}).click();
    expect(await page.locator('#detail-head pre.message').textContent()).toBe('expect(received).toBe(expected) // Object.is equality\n\nExpected: 200\nReceived: 429');
    expect(await page.locator('#detail-head .frame .at').textContent()).toBe('> 19 |     expect(response.status).toBe(200);');
    expect(await page.locator('#detail-head .frame .muted').textContent()).toBe('api.test.js:19:29');
    const box = await page.locator('#detail-head pre.message').boundingBox();
    expect(box!.y + box!.height).toBeLessThan(850 / 2);
    for (const query of ['Received: 429', 'Rate Exceeded', 'insights?period', 'toBe(200)']) {
      await page.fill('#search', query);
      await page.locator('#list-count', {hasText: /^1 of 7 tests$/}).waitFor();
      expect(await rowNames(page)).toEqual([FAILED]);
    }
    await page.fill('#search', '');
    await page.locator('#list-count', {hasText: /^7 of 7 tests$/}).waitFor();
  });

  test('selecting the failed test shows its waterfall with the 429 call highlighted', async () => {
    await page.locator('#list .row', {hasText: FLAKY}).click();
    await page.locator('#list .row', {hasText: FAILED}).click();
    await page.locator('#detail-head h2', {hasText: FAILED}).waitFor();
    const rows = page.locator('#waterfall .wf-row');
    expect(await rows.count()).toBe(3);
    const call = rows.filter({has: page.locator('.host', {hasText: /^127\.0\.0\.1:\d+$/})});
    expect(await call.locator('.wf-name').textContent()).toMatch(/^http429 GET \/insights\?period=month127\.0\.0\.1:\d+$/);
    expect(await call.getAttribute('class')).toContain('t-http');
    expect((await call.getAttribute('class'))!.split(' ')).toEqual(expect.arrayContaining(['is-error', 'is-flagged']));
    const served = rows.filter({hasText: 'GET /insights?period=month', hasNot: page.locator('.host')});
    expect((await served.getAttribute('class'))!.split(' ')).toContain('is-flagged');
    expect((await rows.first().getAttribute('class'))!.split(' ')).toContain('is-error');
    expect(await page.locator('#waterfall .wf-row[aria-selected="true"]').textContent()).toContain('GET /insights?period=month');
    expect(await page.locator('#span-detail h3').textContent()).toBe('GET /insights?period=month → 429');
    const ticks = await page.locator('#waterfall .wf-axis .wf-track span').allTextContents();
    expect(new Set(ticks).size).toBe(ticks.length);
    expect(ticks[0]).toMatch(/^0(\.0+)? m?s$/);
    const values = ticks.map(tick => Number.parseFloat(tick));
    const step = values[1] - values[0];
    const mantissa = step / 10 ** Math.floor(Math.log10(step) + 1e-9);
    expect([1, 2, 5].some(round => Math.abs(mantissa - round) < 1e-6)).toBe(true);
    values.forEach((value, index) => expect(value).toBeCloseTo(index * step, 6));
    expect(await page.locator('#waterfall .wf-axis .wf-name').textContent()).toBe('3 spans');
    expect(await page.locator('#detail-head a').getAttribute('href')).toBe(`http://localhost:16686/trace/${traceOf(FAILED)[0]}`);
  });

  test('selecting a span shows its attributes and events', async () => {
    const rows = page.locator('#waterfall .wf-row');
    await rows.first().click();
    const details = page.locator('#span-detail');
    expect(await details.locator('.event.console').textContent()).toMatch(/^console\.log \+[\d.]+ msasking for the monthly trend$/);
    expect(await details.locator('.event.exception').textContent()).toContain('expect(received).toBe(expected)');
    await rows.filter({has: page.locator('.host')}).click();
    await page.locator('#span-detail h3', {hasText: /^GET \/insights\?period=month → 429 · 127\.0\.0\.1:\d+$/}).waitFor();
    const attributes = Object.fromEntries(
      await details.locator('table.kv').nth(1).locator('tr').evaluateAll(trs => trs.map(tr => [tr.children[0].textContent, tr.children[1].textContent])),
    );
    expect(attributes).toMatchObject({'http.request.method': 'GET', 'http.response.status_code': '429'});
    expect(attributes['url.full']).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/insights\?period=month$/);
    mkdirSync(ARTIFACTS, {recursive: true});
    await page.screenshot({path: join(ARTIFACTS, screenshot)});
  });

  test('the flaky test shows both attempts, the failed one first; the file view puts hooks and tests in time', async () => {
    await page.locator('#list .row', {hasText: FLAKY}).click();
    expect(await page.locator('#attempts button').allTextContents()).toEqual([expect.stringMatching(/^attempt 1 ✕/), expect.stringMatching(/^attempt 2 ✓/)]);
    expect(await page.locator('#attempts button[aria-pressed="true"]').textContent()).toMatch(/^attempt 1/);
    expect(await page.locator('#waterfall .wf-row.is-flagged', {hasText: '503'}).count()).toBe(2);
    expect(await page.locator('#span-detail h3').textContent()).toBe('GET /inventory?attempt=1 → 503');
    await page.locator('#attempts button', {hasText: 'attempt 2'}).click();
    expect(await page.locator('#waterfall .wf-row[aria-selected="true"]').getAttribute('class')).toContain('t-test');
    await page.click('#detail-head .link');
    expect(await page.locator('#detail-head h2').textContent()).toContain('flaky.test.js');
    const names = await page.locator('#waterfall .wf-row .wf-name').allTextContents();
    expect(names.map(name => name.replace(/^\S+ /, ''))).toEqual([
      expect.stringMatching(/^flaky\.test\.js/),
      'beforeAll',
      expect.stringMatching(new RegExp(`^${FLAKY} — expect`)),
      'stock is counted',
      FLAKY,
      'afterAll',
    ]);
  });
});

/** A run of `count` tests in 100 files: a hook and an HTTP call each, one test in 97 failing, one in 89 flaky. */
function syntheticRun(count: number): StoredSpan[] {
  const spans: StoredSpan[] = [];
  const resource = {'service.name': 'generated'};
  const hex = (value: number, length: number) => value.toString(16).padStart(length, '0');
  let id = 0;
  for (let index = 0; index < count; index += 1) {
    const suite = `suite-${index % 100}.test.js`;
    const attempts = index % 89 === 0 ? 2 : 1;
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      const failed = index % 97 === 0 || attempt < attempts;
      const traceId = hex((id += 1), 32);
      const testId = hex((id += 1), 16);
      const start = 1_700_000_000_000 + index * 10 + attempt * 5;
      const name = `generated test ${index}`;
      const attributes = {'test.case.name': name, 'test.suite.name': suite, 'jest.test.status': failed ? 'fail' : 'pass', 'jest.test.attempt': attempt, 'code.line.number': index};
      spans.push(
        {traceId, spanId: testId, name, kind: 1, startMs: start, endMs: start + 8, attributes, events: [], status: failed ? {code: 2, message: `failed ${index}`} : {code: 0}, resource},
        {traceId, spanId: hex((id += 1), 16), parentSpanId: testId, name: 'beforeEach', kind: 1, startMs: start, endMs: start + 1, attributes: {'jest.hook.type': 'beforeEach'}, events: [], status: {code: 0}, resource},
        {
          traceId,
          spanId: hex((id += 1), 16),
          parentSpanId: testId,
          name: 'GET',
          kind: 3,
          startMs: start + 2,
          endMs: start + 6,
          attributes: {'http.request.method': 'GET', 'url.full': `http://127.0.0.1:4100/items/${index}`, 'http.response.status_code': failed ? 500 : 200},
          events: [],
          status: {code: failed ? 2 : 0},
          resource,
        },
      );
    }
  }
  return spans;
}

test('a run of 10,000 tests: the list renders only what is in view, and search and selection work', async () => {
  const file = join(WORK, 'report-10000.html');
  writeFileSync(file, renderHtml(buildTimeline(syntheticRun(10_000), {runId: 'generated'})));
  const {page, errors} = await open(file);
  try {
    // The page's own work (the model parsed, the filters counted, the first rows and the first failed test's trace
    // drawn) well within a second; reading the 12 MB file before it depends on the machine's load, so it is only shown
    const [start, ready] = await page.evaluate(() => ['report-start', 'report-ready'].map(name => performance.getEntriesByName(name)[0]?.startTime));
    process.stdout.write(`10,000-test page: script from ${Math.round(start)} ms, ready ${Math.round(ready - start)} ms later\n`);
    expect(ready - start).toBeLessThan(1000);
    expect(await page.textContent('#list-count')).toBe('10000 of 10000 tests');
    expect(await page.locator('#list .row').count()).toBeLessThan(60);
    expect(await rowNames(page).then(names => names[0])).toBe('generated test 0');
    await page.locator('#list').evaluate(list => (list.scrollTop = list.scrollHeight));
    await page.locator('#list .row .name', {hasText: /^generated test 9999$/}).waitFor();
    await page.fill('#search', 'generated test 9876');
    await page.locator('#list-count', {hasText: /^1 of 10000 tests$/}).waitFor();
    await page.locator('#list .row').click();
    await page.locator('#detail-head h2', {hasText: /generated test 9876$/}).waitFor();
    expect(await page.locator('#waterfall .wf-row').count()).toBe(3);
    expect(errors).toEqual([]);
  } finally {
    await page.close();
  }
});

test('one test: words in the singular, and axis ticks at round, distinct values', async () => {
  const file = join(WORK, 'report-1.html');
  writeFileSync(file, renderHtml(buildTimeline(syntheticRun(1), {runId: 'generated'})));
  const {page, errors} = await open(file);
  try {
    expect(await page.textContent('#list-count')).toBe('1 of 1 test');
    expect(await page.locator('#totals .muted').textContent()).toBe('1 test in 0 files');
    await page.locator('#list .row').click();
    await page.locator('#attempts button', {hasText: 'attempt 2'}).click();
    expect(await page.locator('#waterfall .wf-axis .wf-track span').allTextContents()).toEqual(['0 ms', '2 ms', '4 ms', '6 ms', '8 ms']);
    expect(errors).toEqual([]);
  } finally {
    await page.close();
  }
});
