import {spawnSync, type SpawnSyncReturns} from 'node:child_process';
import {cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync} from 'node:fs';
import {join} from 'node:path';
import {pathToFileURL} from 'node:url';
import {chromium} from 'playwright-core';
import {latestRun, readRun, type StoredSpan} from '../../src/shared/store-read';
import {REPO, WORK} from '../support/paths';

/*
 * `npm run demo` as a new user runs it, on a copy of example/ (so that the test run leaves the user's own demo output
 * alone): the suite's global setup starts the shop API and its dependencies as processes of their own, traced by
 * OpenTelemetry's SDK and sending to the run's receiver. The stored run must hold the story the README tells: test →
 * shop-api → inventory in one trace with the retry, the third party's 429, a flaky test's two attempts, a skipped and
 * a todo test; the page must open on the call that failed; no process of the demo may outlive it.
 */

const DEMO = join(WORK, 'demo');
const OWN_STORE = join(REPO, 'example', '.jest-otel', 'runs');
const SERVICES = join(DEMO, 'example', 'services');
const ARTIFACTS = join(REPO, 'artifacts');
const CLIENT = 3;
const SERVER = 2;
const ERROR = 2;

function runsIn(folder: string): string[] {
  return existsSync(folder) ? readdirSync(folder).sort() : [];
}

/** Command lines of the processes still running a script of the demo's copy. */
function demoProcesses(): string[] {
  const lines: string[] = [];
  for (const pid of readdirSync('/proc').filter(name => /^\d+$/.test(name))) {
    let command: string;
    try {
      command = readFileSync(join('/proc', pid, 'cmdline'), 'utf8').split('\0').join(' ');
    } catch {
      continue;
    }
    if (command.includes(SERVICES)) lines.push(`${pid}: ${command}`);
  }
  return lines;
}

let ownRuns: string[];
let demo: SpawnSyncReturns<string>;
let spans: StoredSpan[];

beforeAll(() => {
  rmSync(DEMO, {recursive: true, force: true});
  mkdirSync(DEMO, {recursive: true});
  cpSync(join(REPO, 'example'), join(DEMO, 'example'), {recursive: true, filter: source => !source.includes('.jest-otel')});
  symlinkSync(join(REPO, 'build'), join(DEMO, 'build'));
  symlinkSync(join(REPO, 'node_modules'), join(DEMO, 'node_modules'));
  ownRuns = runsIn(OWN_STORE);
  demo = spawnSync(process.execPath, [join(DEMO, 'example', 'run-demo.js')], {
    cwd: DEMO,
    encoding: 'utf8',
    env: {...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: '', OTEL_TRACES_EXPORTER: '', NO_COLOR: '1', JEST_OTEL_RECEIVER_PORT: '0'},
    timeout: 120_000,
  });
  const folder = latestRun(join(DEMO, 'example', '.jest-otel'));
  if (!folder) throw new Error(`the demo stored no run:\n${demo.stdout}\n${demo.stderr}`);
  spans = readRun(folder);
});

const serviceOf = (span: StoredSpan) => span.resource['service.name'];
const byStart = (a: StoredSpan, b: StoredSpan) => a.startMs - b.startMs;

function testSpans(name: string): StoredSpan[] {
  return spans.filter(span => span.attributes['test.case.name'] === name && span.attributes['jest.test.status'] !== undefined).sort(byStart);
}

function childrenOf(parent: StoredSpan, predicate: (span: StoredSpan) => boolean = () => true): StoredSpan[] {
  return spans.filter(span => span.traceId === parent.traceId && span.parentSpanId === parent.spanId && predicate(span)).sort(byStart);
}

function one(found: StoredSpan[], what: string): StoredSpan {
  if (found.length !== 1) throw new Error(`expected one ${what}, found ${found.length}: ${found.map(span => `${span.name} ${JSON.stringify(span.attributes)}`).join(' | ')}`);
  return found[0];
}

const status = (span: StoredSpan) => span.attributes['http.response.status_code'];

test('the demo ends on its own, says what it traced and where to look, and leaves no process behind', () => {
  expect(demo.error).toBeUndefined();
  expect(demo.status).toBe(0);
  expect(demo.stderr).not.toMatch(/did not exit|open handle|still sending|dropped|not exported/);
  expect(demoProcesses()).toEqual([]);
  expect(demo.stdout).toMatch(/Traced 10 tests \(11 attempts\) in \d+ spans, \d+ of them sent by the services under test \(shop-api \d+, inventory \d+\)\./);
  expect(demo.stdout).toMatch(/Traces of this run: example\/\.jest-otel\/runs\/[0-9a-f]{16}\/ /);
  expect(demo.stdout).toContain('Timeline of this run: example/.jest-otel/report.html');
  expect(demo.stdout).toContain('✗ insights loads the monthly trend: fails on purpose; the call that failed it, GET /v2/trends?period=month → 429 in shop-api, is selected when the page opens');
  expect(demo.stdout).toContain('↻ receipts downloads the receipt of an order: flaky, failed then passed on its retry (jest.retryTimes): 2 attempts');
  expect(demo.stdout).toContain('! orders checks the stock: passed, though calls inside it failed (marked in the list): GET /stock/tea → 500 in shop-api, retried → 200');
  expect(demo.stdout).toContain('○ orders cancels an order, ✎ orders refunds an order');
  // The reporter's terminal summary, after Jest's own: the failed test's tree reaches into the shop.
  expect(demo.stderr).toContain('deepest failure: GET /v2/trends?period=month → 429 (shop-api)');
  expect(demo.stderr).toMatch(/└ ✗ GET \/insights\?period=month → 429 \(\d+ ms, 127\.0\.0\.1:\d+\)\n {4}└ ! GET \/insights\?period=month → 429 \(\d+ ms, server\) · shop-api\n {6}└ ✗ GET \/v2\/trends\?period=month → 429 /);
  expect(existsSync(join(DEMO, 'example', '.jest-otel', 'report.html'))).toBe(true);
  // The checkout's own demo output is untouched.
  expect(runsIn(OWN_STORE)).toEqual(ownRuns);
});

test('test → shop-api → inventory in one trace: the inventory’s 500, the shop’s retry and its 200', () => {
  const testSpan = one(testSpans('orders checks the stock'), 'test span');
  expect(testSpan.attributes['jest.test.status']).toBe('pass');
  const call = one(childrenOf(testSpan, span => span.kind === CLIENT), 'call of the test');
  expect(call.attributes['url.full']).toMatch(/\/stock\/tea$/);
  const served = one(childrenOf(call), 'shop-api server span');
  expect([serviceOf(served), served.kind, status(served)]).toEqual(['shop-api', SERVER, 200]);
  const downstream = childrenOf(served, span => span.kind === CLIENT);
  expect(downstream.map(span => [serviceOf(span), status(span), span.status.code])).toEqual([
    ['shop-api', 500, ERROR],
    ['shop-api', 200, 0],
  ]);
  for (const [index, attempt] of downstream.entries()) {
    const inventory = one(childrenOf(attempt), 'inventory server span');
    expect([serviceOf(inventory), inventory.kind, status(inventory)]).toEqual(['inventory', SERVER, index === 0 ? 500 : 200]);
    const query = one(childrenOf(inventory), 'inventory query');
    expect([query.name, query.status.code]).toEqual(['SELECT stock', index === 0 ? ERROR : 0]);
  }
});

test('the third party’s 429 is the shop’s call under the failed test; the third party itself sends nothing', () => {
  const testSpan = one(testSpans('insights loads the monthly trend'), 'test span');
  expect(testSpan.status.code).toBe(ERROR);
  const call = one(childrenOf(testSpan, span => span.kind === CLIENT), 'call of the test');
  const served = one(childrenOf(call), 'shop-api server span');
  const upstream = one(childrenOf(served), 'call to the third party');
  expect([serviceOf(upstream), upstream.kind, status(upstream), upstream.status.code]).toEqual(['shop-api', CLIENT, 429, ERROR]);
  expect(upstream.attributes['url.full']).toMatch(/\/v2\/trends\?period=month$/);
  expect(new Set(spans.map(serviceOf))).toEqual(new Set(['example-suite', 'shop-api', 'inventory']));
});

test('the flaky test’s two attempts, each a trace of its own; the skipped and todo tests', () => {
  const attempts = testSpans('receipts downloads the receipt of an order');
  expect(attempts.map(span => [span.attributes['jest.test.attempt'], span.attributes['jest.test.status']])).toEqual([
    [1, 'fail'],
    [2, 'pass'],
  ]);
  expect(attempts[0].traceId).not.toBe(attempts[1].traceId);
  const answers = attempts.map(attempt => status(one(childrenOf(one(childrenOf(attempt, span => span.kind === CLIENT), 'call')), 'server span')));
  expect(answers).toEqual([404, 200]);
  expect(one(testSpans('orders cancels an order'), 'skipped test').attributes['jest.test.status']).toBe('skip');
  expect(one(testSpans('orders refunds an order'), 'todo test').attributes['jest.test.status']).toBe('todo');
});

test('the page opens on the failed test with the 429 selected; the retried calls sit under the test’s call', async () => {
  const browser = await chromium.launch({executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking']});
  try {
    const page = await browser.newPage({viewport: {width: 1400, height: 850}});
    await page.goto(pathToFileURL(join(DEMO, 'example', '.jest-otel', 'report.html')).href);
    await page.waitForSelector('body[data-ready="true"]');
    expect(await page.locator('#list .row[aria-selected="true"] .name').textContent()).toBe('insights loads the monthly trend');
    expect(await page.locator('#span-detail h3').textContent()).toMatch(/^GET \/v2\/trends\?period=month → 429 · 127\.0\.0\.1:\d+$/);
    const selected = page.locator('#waterfall .wf-row[aria-selected="true"]');
    expect(await selected.locator('.service').textContent()).toBe('shop-api');
    // Every service badge is whole, however long the span's name: none is cut off by the name column.
    const clipped = await page.$$eval('#waterfall .wf-name .service', badges =>
      badges.filter(badge => badge.getBoundingClientRect().right > badge.closest('.wf-name')!.getBoundingClientRect().right).map(badge => badge.textContent),
    );
    expect(await page.locator('#waterfall .wf-name .service').count()).toBeGreaterThan(0);
    expect(clipped).toEqual([]);
    const chips = (await page.locator('#filters button').allTextContents()).map(text => text.replace(/\s+/g, ' '));
    expect(chips).toEqual(['all 10', 'failed 1', 'flaky 1', 'passed 6', 'skipped 1', 'todo 1']);
    mkdirSync(ARTIFACTS, {recursive: true});
    await page.screenshot({path: join(ARTIFACTS, 'demo-report.png')});

    await page.locator('#list .row', {hasText: 'orders checks the stock'}).click();
    const rows = (await page.locator('#waterfall .wf-row').allTextContents()).map(text => text.replace(/\s+/g, ' '));
    const stock = rows.filter(text => text.includes('GET /stock/tea'));
    // The test's call, the shop's side of it, the shop's two calls to the inventory and the inventory's two answers.
    expect(stock).toHaveLength(6);
    expect(stock.filter(text => text.includes('inventory'))).toHaveLength(2);
    expect(await page.locator('#waterfall .wf-row.is-flagged, #waterfall .wf-row.is-error', {hasText: '500'}).count()).toBeGreaterThanOrEqual(2);
    expect(rows.filter(text => text.includes('SELECT stock'))).toHaveLength(2);
    await page.locator('#waterfall .wf-row', {hasText: 'inventory'}).filter({hasText: '500'}).click();
    expect(await page.locator('#span-detail h3').textContent()).toBe('GET /stock/tea → 500');
    expect(await page.locator('#span-detail').textContent()).toContain('inventory');
    await page.screenshot({path: join(ARTIFACTS, 'demo-report-services.png')});
  } finally {
    await browser.close();
  }
});
