/// <reference lib="dom" />
import {readFileSync, rmSync} from 'node:fs';
import {createServer, type Server} from 'node:http';
import type {AddressInfo} from 'node:net';
import {join} from 'node:path';
import {pathToFileURL} from 'node:url';
import {chromium} from 'playwright-core';
import {latestRun, readRun, type StoredSpan} from '../../src/shared/store-read';
import {WORK} from '../support/paths';
import {runJest, type JestRun} from '../support/run-jest';

/*
 * The backend fixture: each test file starts a service in a child process, traced by the OpenTelemetry Node.js SDK,
 * which exports with the stock OTLP/HTTP exporter (protobuf in one file, JSON in the other) to the receiver the run
 * started. The services' spans must be in the run's store under the test's fetch span, in the report and in the
 * failure tree, in band and with two workers.
 */

const project = join(WORK, 'backend');
const storeDir = join(project, '.jest-otel');

function spansOf(run: JestRun): StoredSpan[] {
  const folder = latestRun(storeDir);
  if (!folder) throw new Error(`no run folder in ${storeDir}:\n${run.stderr}`);
  return readRun(folder);
}

function only(spans: StoredSpan[], predicate: (span: StoredSpan) => boolean, what: string): StoredSpan {
  const found = spans.filter(predicate);
  if (found.length !== 1) throw new Error(`expected one ${what}, found ${found.length} among: ${spans.map(span => span.name).join(' | ')}`);
  return found[0];
}

describe.each([['--runInBand'], ['--maxWorkers=2']])('backend fixture with jest %s', mode => {
  let run: JestRun;
  let spans: StoredSpan[];

  beforeAll(async () => {
    rmSync(storeDir, {recursive: true, force: true});
    run = await runJest('backend', {args: [mode]});
    spans = spansOf(run);
  });

  test('the outcome is the tests’ own; the receiver’s own requests are no spans of the run, and nothing is lost', () => {
    expect(run.code).toBe(1);
    expect(run.results.numPassedTests).toBe(2);
    expect(run.results.numFailedTests).toBe(2);
    expect(spans.filter(span => JSON.stringify(span.attributes).includes('/v1/traces'))).toEqual([]);
    expect(run.stderr).not.toMatch(/not exported|dropped|still sending/);
  });

  test.each(['proto', 'json'])('the %s service’s spans nest under the fetch span of the test that called it', format => {
    for (const [title, path, child] of [
      [`${format}: gets an order`, '/orders/7', 'SELECT orders'],
      [`${format}: checks the stock`, '/stock/7', 'SELECT stock'],
    ]) {
      const testSpan = only(spans, span => span.attributes['test.case.name'] === title, `test span "${title}"`);
      const client = only(spans, span => span.traceId === testSpan.traceId && span.kind === 3 && String(span.attributes['url.full']).endsWith(path), `fetch span of ${path}`);
      const server = only(spans, span => span.traceId === testSpan.traceId && span.kind === 2, `server span of ${path}`);
      expect(server.parentSpanId).toBe(client.spanId);
      expect(server.resource['service.name']).toBe(`orders-api-${format}`);
      const inner = only(spans, span => span.traceId === testSpan.traceId && span.name === child, child);
      expect(inner.parentSpanId).toBe(server.spanId);
      expect(inner.status.code).toBe(child === 'SELECT stock' ? 2 : 0);
    }
  });

  test('the failure tree shows the service’s spans, marked with its name, and names the deepest failing span', () => {
    for (const format of ['proto', 'json']) {
      const tree = run.stderr.slice(run.stderr.indexOf(`✗ ${format}: checks the stock`));
      expect(tree).toMatch(new RegExp(`GET /stock/7 → 500 \\(\\d+ ms, server\\) · orders-api-${format}`));
      expect(tree).toMatch(new RegExp(`✗ SELECT stock \\(\\d+ ms\\) · orders-api-${format}: stock table is locked`));
      expect(tree).toMatch(new RegExp(`deepest failure: SELECT stock \\(orders-api-${format}\\): stock table is locked`));
    }
  });

  test('the HTML report shows the service’s spans in the test’s waterfall, failures highlighted, service named', async () => {
    const html = readFileSync(join(storeDir, 'report.html'), 'utf8');
    expect(html).toContain('orders-api-json');
    const browser = await chromium.launch({executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking']});
    try {
      const page = await browser.newPage();
      await page.goto(pathToFileURL(join(storeDir, 'report.html')).href);
      await page.waitForSelector('body[data-ready="true"]');
      await page.locator('#list .row', {hasText: 'proto: checks the stock'}).click();
      const rows = page.locator('#waterfall .wf-row');
      const texts = (await rows.allTextContents()).map(text => text.replace(/\s+/g, ' '));
      expect(texts.find(text => text.includes('SELECT stock'))).toContain('orders-api-proto');
      // The service has a colour of its own: its badges and its entry in the trace's legend
      const colour = (selector: string) => page.locator(selector).evaluateAll(nodes => nodes.map(node => getComputedStyle(node).backgroundColor));
      const badges = await colour('#waterfall .wf-row .service');
      expect(badges.length).toBeGreaterThan(0);
      expect(new Set(badges).size).toBe(1);
      expect(badges[0]).not.toBe('rgba(0, 0, 0, 0)');
      expect(await page.locator('#wf-services .service').allTextContents()).toEqual(['orders-api-proto']);
      expect(await colour('#wf-services .service')).toEqual([badges[0]]);
      expect(await page.locator('#waterfall .wf-row.is-error', {hasText: 'SELECT stock'}).count()).toBe(1);
      // The test's call and the service's side of it, both answered 500.
      expect(await page.locator('#waterfall .wf-row.is-flagged', {hasText: 'GET /stock/7'}).count()).toBe(2);
      // The test's own spans are not marked with a service: its call names the host it went to instead.
      const ownCall = page.locator('#waterfall .wf-row', {has: page.locator('.host', {hasText: '127.0.0.1'})});
      expect(await ownCall.count()).toBe(1);
      expect(await ownCall.locator('.service').count()).toBe(0);
    } finally {
      await browser.close();
    }
  });
});

describe('a port already taken', () => {
  let holder: Server;
  beforeAll(async () => {
    holder = createServer((_request, response) => response.end());
    await new Promise<void>(resolve => holder.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise(resolve => holder.close(resolve)));

  test('is left to its owner: the run says so in one line, and the services still reach the receiver', async () => {
    const port = (holder.address() as AddressInfo).port;
    rmSync(storeDir, {recursive: true, force: true});
    const run = await runJest('backend', {args: ['--runInBand'], env: {JEST_OTEL_RECEIVER_PORT: String(port)}});
    const lines = run.stderr.split('\n').filter(line => line.includes(`port ${port} is taken`));
    expect(lines).toHaveLength(1);
    expect(spansOf(run).filter(span => span.resource['service.name'] === 'orders-api-proto').length).toBe(4);
  });
});

test.each([['--runInBand'], ['--maxWorkers=2']])('a service started by the global setup (jest %s) reaches the receiver the global setup started; bad requests change nothing', async mode => {
  const setupStore = join(WORK, 'backend-setup', '.jest-otel');
  rmSync(setupStore, {recursive: true, force: true});
  const run = await runJest('backend-setup', {args: [mode]});
  // Two tests calling the service, one posting bad requests to the receiver.
  expect(run.results.numPassedTests).toBe(3);
  expect(run.code).toBe(0);
  const folder = latestRun(setupStore);
  if (!folder) throw new Error(`no run folder:\n${run.stderr}`);
  const spans = readRun(folder);
  expect(run.stderr).not.toMatch(/not exported|dropped|still sending/);
  for (const n of [1, 2]) {
    const testSpan = only(spans, span => span.attributes['test.case.name'] === `orders ${n}: gets an order`, `test ${n}`);
    const client = only(spans, span => span.traceId === testSpan.traceId && span.kind === 3, `fetch span of test ${n}`);
    const server = only(spans, span => span.traceId === testSpan.traceId && span.kind === 2, `server span of test ${n}`);
    expect(server.parentSpanId).toBe(client.spanId);
    expect(server.resource['service.name']).toBe('orders-api-proto');
  }
});
