/// <reference lib="dom" />
import {cpSync, mkdirSync, readdirSync, rmSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import type {Browser, Page} from 'playwright-core';
import {renderHtml} from '../../src/report/html';
import {buildTimeline} from '../../src/report/model';
import {readRun, type StoredSpan} from '../../src/shared/store-read';
import {launchChromium, openReport} from '../support/report-page';
import {REPO, WORK} from '../support/paths';
import {runJest} from '../support/run-jest';

/*
 * The report as a place to investigate: the report fixture (a test failing on a 429, a flaky test, two files) run
 * once by real Jest with the reporter, its page opened in headless Chromium from file://. The waterfall folds,
 * zooms and finds; the keyboard moves through tests and spans; the address keeps the selected span and is followed;
 * the list and the detail agree; the page works from 700 px wide up.
 */

const project = join(WORK, 'report-investigate');
const storeDir = join(project, '.traces');
const report = join(storeDir, 'report.html');
// Screenshots of the states the README shows; docs/ holds copies of them, made by hand from these (as docs/report.png is).
const DOCS = join(REPO, 'artifacts');
const FAILED = 'insights loads the monthly trend';
const FLAKY = 'inventory answers after a retry';

let browser: Browser;
let spans: StoredSpan[];

beforeAll(async () => {
  // A copy of its own: the report test runs the same fixture at the same time
  rmSync(project, {recursive: true, force: true});
  cpSync(join(WORK, 'report'), project, {recursive: true});
  rmSync(storeDir, {recursive: true, force: true});
  const [run] = await Promise.all([runJest('report-investigate', {args: ['--runInBand']}), launchChromium().then(started => (browser = started))]);
  expect(run.code).toBe(1);
  const [runId] = readdirSync(join(storeDir, 'runs'));
  spans = readRun(join(storeDir, 'runs', runId));
});
afterAll(() => browser?.close());

let page: Page;
let errors: string[];
afterEach(async () => {
  expect(errors).toEqual([]);
  await page?.close();
});

async function open(options: {width?: number; hash?: string; file?: string} = {}): Promise<Page> {
  ({page, errors} = await openReport(browser, options.file ?? report, options));
  return page;
}

const rows = () => page.locator('#wf-tree .wf-row');
const selectedRow = () => page.locator('#wf-tree .wf-row[aria-selected="true"]');
const heading = () => page.locator('#detail-head h2').textContent();
const rowNames = () => page.locator('#list .row .name').allTextContents();
const activeId = () => page.evaluate(() => document.activeElement?.id);
const outline = (locator: ReturnType<Page['locator']>) => locator.evaluate(node => `${getComputedStyle(node).outlineStyle} ${getComputedStyle(node).outlineWidth}`);
const ticks = () => page.locator('#wf-scale span').allTextContents();

/** The failed test's three spans: its test span, its call answered 429, and the service's side of that call. */
function failedSpans(): {test: StoredSpan; call: StoredSpan; served: StoredSpan} {
  const test = spans.find(span => span.name === FAILED && span.attributes['jest.test.status'] === 'fail')!;
  const call = spans.find(span => span.parentSpanId === test.spanId && span.attributes['http.request.method'])!;
  const served = spans.find(span => span.parentSpanId === call.spanId)!;
  return {test, call, served};
}

describe('the waterfall', () => {
  test('folds and unfolds subtrees: a folded row says how many spans it hides', async () => {
    await open();
    expect(await heading()).toContain(FAILED);
    expect(await rows().count()).toBe(3);
    const root = rows().first();
    expect(await root.getAttribute('aria-expanded')).toBe('true');
    await root.locator('.wf-toggle').click();
    expect(await rows().count()).toBe(1);
    expect(await root.getAttribute('aria-expanded')).toBe('false');
    expect(await root.locator('.wf-toggle').getAttribute('data-hidden')).toBe('2');
    // The selection was inside: it moves up to the folded row
    expect(await selectedRow().getAttribute('data-span-id')).toBe(failedSpans().test.spanId);
    await rows().first().locator('.wf-toggle').click();
    expect(await rows().count()).toBe(3);
    await page.click('#collapse-all');
    expect(await rows().count()).toBe(2);
    await page.click('#expand-all');
    expect(await rows().count()).toBe(3);
  });

  test('a drag on the minimap or the axis zooms into that time range; Reset zoom and Escape go back', async () => {
    await open();
    expect((await ticks())[0]).toMatch(/^0(\.0+)? m?s$/);
    expect(await page.locator('#zoom-reset').isVisible()).toBe(false);
    const {call} = failedSpans();
    const bar = rows().filter({has: page.locator('.host')}).locator('.wf-bar');
    const before = (await bar.boundingBox())!;
    // Drag across the axis over the call's bar: the call then fills the track
    const axis = (await page.locator('#wf-scale').boundingBox())!;
    await page.mouse.move(before.x, axis.y + axis.height / 2);
    await page.mouse.down();
    await page.mouse.move(before.x + before.width / 2, axis.y + axis.height / 2, {steps: 3});
    await page.mouse.move(before.x + before.width, axis.y + axis.height / 2, {steps: 3});
    await page.mouse.up();
    await page.locator('#zoom-reset').waitFor({state: 'visible'});
    const after = (await bar.boundingBox())!;
    expect(after.width).toBeGreaterThan(axis.width * 0.9);
    const zoomed = (await ticks()).map(tick => Number.parseFloat(tick));
    expect(zoomed[0]).toBeGreaterThan(0);
    expect(zoomed[zoomed.length - 1]).toBeLessThanOrEqual(call.endMs - failedSpans().test.startMs + 0.5);
    await page.click('#zoom-reset');
    expect((await ticks())[0]).toMatch(/^0(\.0+)? m?s$/);
    expect(await page.locator('#zoom-reset').isVisible()).toBe(false);
    expect(Math.round((await bar.boundingBox())!.width)).toBe(Math.round(before.width));
    // On the minimap, a drag over its right half: the ticks start at the middle of the trace
    const minimap = (await page.locator('#wf-minimap').boundingBox())!;
    await page.mouse.move(minimap.x + minimap.width * 0.5, minimap.y + 5);
    await page.mouse.down();
    await page.mouse.move(minimap.x + minimap.width * 0.99, minimap.y + 5, {steps: 4});
    await page.mouse.up();
    await page.locator('#zoom-reset').waitFor({state: 'visible'});
    const total = failedSpans().test.endMs - failedSpans().test.startMs;
    expect(Number.parseFloat((await ticks())[0])).toBeGreaterThanOrEqual(total * 0.45);
    expect(await page.locator('#minimap .wf-window, #wf-minimap .wf-window').isVisible()).toBe(true);
    await selectedRow().click();
    await page.keyboard.press('Escape');
    await page.locator('#zoom-reset').waitFor({state: 'hidden'});
  });

  test('find in trace: matching spans marked and counted, next and previous, a match inside a folded subtree revealed', async () => {
    await open();
    const {served, test: testSpan} = failedSpans();
    await page.fill('#find', '429');
    await page.locator('#find-count', {hasText: /^1 of \d+$/}).waitFor();
    const count = await page.locator('#wf-tree .wf-row.is-match').count();
    expect(count).toBeGreaterThanOrEqual(2);
    expect(await page.locator('#find-count').textContent()).toBe(`1 of ${count}`);
    expect(await selectedRow().getAttribute('class')).toContain('is-match');
    const first = await selectedRow().getAttribute('data-span-id');
    await page.click('#find-next');
    expect(await page.locator('#find-count').textContent()).toBe(`2 of ${count}`);
    expect(await selectedRow().getAttribute('data-span-id')).not.toBe(first);
    await page.click('#find-prev');
    expect(await selectedRow().getAttribute('data-span-id')).toBe(first);
    await page.locator('#find').press('Shift+Enter');
    expect(await page.locator('#find-count').textContent()).toBe(`${count} of ${count}`);
    await page.locator('#find').press('Enter');
    expect(await page.locator('#find-count').textContent()).toBe(`1 of ${count}`);
    mkdirSync(DOCS, {recursive: true});
    await page.screenshot({path: join(DOCS, 'report-find.png')});
    await page.fill('#find', 'no-such-span-anywhere');
    await page.locator('#find-count', {hasText: /^no match$/}).waitFor();
    expect(await page.locator('#wf-tree .wf-row.is-match').count()).toBe(0);
    expect(await page.locator('#find-next').isDisabled()).toBe(true);
    // Folded, then found by its span id: unfolded and selected
    await page.locator('#find').press('Escape');
    expect(await page.locator('#find').inputValue()).toBe('');
    expect(await activeId()).toBe('wf-tree');
    await rows().first().locator('.wf-toggle').click();
    expect(await rows().count()).toBe(1);
    await page.keyboard.press('f');
    expect(await activeId()).toBe('find');
    await page.keyboard.type(served.spanId);
    await page.locator('#find-count', {hasText: /^1 of 1$/}).waitFor();
    expect(await rows().count()).toBe(3);
    expect(await selectedRow().getAttribute('data-span-id')).toBe(served.spanId);
    expect(await rows().first().getAttribute('data-span-id')).toBe(testSpan.spanId);
  });

  test('the keyboard: arrows through tests and spans, Left and Right fold and unfold, Enter opens, Escape goes back, focus visible', async () => {
    await open();
    await page.locator('#list .row', {hasText: FAILED}).click();
    expect(await activeId()).toBe('list');
    await page.keyboard.press('ArrowDown');
    await page.locator('#detail-head h2', {hasText: FLAKY}).waitFor();
    expect(await outline(page.locator('#list .row[aria-selected="true"]'))).toBe('solid 2px');
    await page.keyboard.press('ArrowUp');
    await page.locator('#detail-head h2', {hasText: FAILED}).waitFor();
    expect(await page.locator('#list').getAttribute('aria-activedescendant')).toBe(await page.locator('#list .row[aria-selected="true"]').getAttribute('id'));
    await page.keyboard.press('Enter');
    expect(await activeId()).toBe('wf-tree');
    const {test: testSpan, call, served} = failedSpans();
    const selected = () => selectedRow().getAttribute('data-span-id');
    expect(await selected()).toBe(served.spanId);
    expect(await outline(selectedRow())).toBe('solid 2px');
    expect(await page.locator('#wf-tree').getAttribute('aria-activedescendant')).toBe(await selectedRow().getAttribute('id'));
    await page.keyboard.press('ArrowUp');
    expect(await selected()).toBe(call.spanId);
    expect(await page.locator('#span-detail h3').textContent()).toMatch(/^GET \/insights\?period=month → 429 · 127\.0\.0\.1:\d+$/);
    await page.keyboard.press('ArrowLeft');
    expect(await rows().count()).toBe(2);
    await page.keyboard.press('ArrowLeft');
    expect(await selected()).toBe(testSpan.spanId);
    await page.keyboard.press('ArrowLeft');
    expect(await rows().count()).toBe(1);
    await page.keyboard.press('ArrowRight');
    expect(await rows().count()).toBe(2);
    await page.keyboard.press('ArrowDown');
    expect(await selected()).toBe(call.spanId);
    await page.keyboard.press('ArrowRight');
    expect(await rows().count()).toBe(3);
    await page.keyboard.press('ArrowRight');
    expect(await selected()).toBe(served.spanId);
    await page.keyboard.press('Escape');
    expect(await activeId()).toBe('list');
    await page.keyboard.press('/');
    expect(await activeId()).toBe('search');
  });

  test('the file view: its tests unfold to their spans; Enter on one opens the test at that span', async () => {
    await open();
    await page.click('.views button[data-view="suites"]');
    await page.locator('#list .row', {hasText: 'flaky.test.js'}).click();
    const firstAttempt = rows().filter({hasText: new RegExp(`^\\S+ ${FLAKY} — `)});
    expect(await firstAttempt.getAttribute('aria-expanded')).toBe('false');
    expect(await rows().filter({hasText: 'GET /inventory?attempt=1'}).count()).toBe(0);
    await firstAttempt.locator('.wf-toggle').click();
    const call = rows().filter({hasText: 'GET /inventory?attempt=1', has: page.locator('.host')});
    expect(await call.count()).toBe(1);
    const spanId = await call.getAttribute('data-span-id');
    await call.click();
    expect(await page.locator('#span-detail .link').textContent()).toBe('open this test');
    await page.keyboard.press('Enter');
    await page.locator('#detail-head h2', {hasText: FLAKY}).waitFor();
    expect(await page.locator('#attempts button[aria-pressed="true"]').textContent()).toMatch(/^attempt 1/);
    expect(await selectedRow().getAttribute('data-span-id')).toBe(spanId);
    expect(await page.locator('.views button[aria-pressed="true"]').textContent()).toBe('Tests');
  });
});

describe('the address', () => {
  test('keeps the selected test, attempt and span; back and forward and a pasted link follow it', async () => {
    await open();
    const {test: testSpan, call, served} = failedSpans();
    const hash = () => page.evaluate(() => location.hash);
    expect(await hash()).toBe(`#tests/0/1/${served.spanId}`);
    await rows().first().click();
    expect(await hash()).toBe(`#tests/0/1/${testSpan.spanId}`);
    await page.locator('#list .row', {hasText: FLAKY}).click();
    await page.locator('#detail-head h2', {hasText: FLAKY}).waitFor();
    expect(await hash()).toMatch(/^#tests\/1\/1\/[0-9a-f]{16}$/);
    await page.goBack();
    await page.locator('#detail-head h2', {hasText: FAILED}).waitFor();
    expect(await selectedRow().getAttribute('data-span-id')).toBe(testSpan.spanId);
    await page.goBack();
    await page.locator(`#wf-tree .wf-row[aria-selected="true"][data-span-id="${served.spanId}"]`).waitFor();
    await page.goForward();
    await page.locator(`#wf-tree .wf-row[aria-selected="true"][data-span-id="${testSpan.spanId}"]`).waitFor();
    // A link pasted into the open page's address bar
    await page.evaluate(target => (location.hash = target), `#tests/0/1/${call.spanId}`);
    await page.locator(`#wf-tree .wf-row[aria-selected="true"][data-span-id="${call.spanId}"]`).waitFor();
    // A link opened afresh: the flaky test's second attempt, at its test span, even when the search would hide it
    const retry = spans.find(span => span.name === FLAKY && span.attributes['jest.test.attempt'] === 2)!;
    await page.close();
    await open({hash: `#tests/1/2/${retry.spanId}`});
    expect(await heading()).toContain(FLAKY);
    expect(await page.locator('#attempts button[aria-pressed="true"]').textContent()).toMatch(/^attempt 2/);
    expect(await selectedRow().getAttribute('data-span-id')).toBe(retry.spanId);
    await page.fill('#search', 'monthly');
    await page.locator('#list-count', {hasText: /^1 of 7 tests$/}).waitFor();
    await page.evaluate(target => (location.hash = target), `#tests/1/1`);
    await page.locator('#detail-head h2', {hasText: FLAKY}).waitFor();
    expect(await page.locator('#search').inputValue()).toBe('');
    expect(await rowNames()).toContain(FLAKY);
  });
});

describe('list and detail agree', () => {
  test('a search or a filter that hides the selected test moves the detail to a listed one; chips count what the search finds', async () => {
    await open();
    await page.locator('#list .row', {hasText: FLAKY}).click();
    await page.fill('#search', 'monthly');
    await page.locator('#list-count', {hasText: /^1 of 7 tests$/}).waitFor();
    expect(await rowNames()).toEqual([FAILED]);
    expect(await heading()).toContain(FAILED);
    expect(await page.locator('#filters button').allTextContents()).toEqual(['all 1', 'failed 1', 'flaky 0', 'passed 0', 'skipped 0', 'todo 0']);
    await page.fill('#search', '');
    await page.locator('#list-count', {hasText: /^7 of 7 tests$/}).waitFor();
    expect(await page.locator('#filters button').allTextContents()).toEqual(['all 7', 'failed 1', 'flaky 1', 'passed 3', 'skipped 1', 'todo 1']);
    await page.click('#filters button[data-status="flaky"]');
    expect(await rowNames()).toEqual([FLAKY]);
    expect(await heading()).toContain(FLAKY);
  });

  test('nothing listed: the list says no tests match, the detail shows no test and no empty panes', async () => {
    await open();
    await page.click('#filters button[data-status="flaky"]');
    await page.fill('#search', 'zzz-matches-nothing');
    await page.locator('#list-count', {hasText: /^0 of 7 tests$/}).waitFor();
    expect(await page.locator('#list-empty').textContent()).toBe('No flaky tests match “zzz-matches-nothing”.Show all tests');
    expect(await page.locator('#detail-head h2').count()).toBe(0);
    for (const pane of ['#waterfall', '#span-detail', '#wf-tools', '#attempts']) expect(await page.locator(pane).isVisible()).toBe(false);
    expect(await page.evaluate(() => location.hash)).toBe('#tests');
    await page.locator('#list-empty .link').click();
    await page.locator('#list-count', {hasText: /^7 of 7 tests$/}).waitFor();
    expect(await heading()).toContain(FAILED);
  });

  test('the file view marks a file with a flaky test as flaky', async () => {
    await open();
    await page.click('.views button[data-view="suites"]');
    const row = page.locator('#list .row', {hasText: 'flaky.test.js'});
    expect(await row.locator('.icon').textContent()).toBe('↻');
    expect(await row.locator('.sub').textContent()).toBe('passed, 1 flaky test');
    expect(await page.locator('#filters button').allTextContents()).toEqual(['all 2', 'failed 1', 'flaky 1']);
    await page.click('#filters button[data-status="flaky"]');
    expect(await page.locator('#detail-head h2').textContent()).toBe('flaky flaky.test.js');
  });

  test('a run without file traces: the file view says so in its list, with no empty boxes', async () => {
    const file = join(WORK, 'report-no-files.html');
    const start = 1_700_000_000_000;
    const only: StoredSpan = {traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), name: 'alone', kind: 1, startMs: start, endMs: start + 5, attributes: {'test.case.name': 'alone', 'test.suite.name': 'a.test.js', 'jest.test.status': 'pass', 'jest.test.attempt': 1}, events: [], status: {code: 0}, resource: {'service.name': 'tests'}};
    writeFileSync(file, renderHtml(buildTimeline([only])));
    await open({file});
    await page.click('.views button[data-view="suites"]');
    expect(await page.locator('#list-empty').textContent()).toBe('No files in this run.');
    expect(await page.locator('#detail-head').textContent()).toBe('');
    for (const pane of ['#filters', '#waterfall', '#span-detail', '#wf-tools', '#attempts']) expect(await page.locator(pane).isVisible()).toBe(false);
  });
});

test('services under test: a colour each, the same on the badge, the bar and the legend', async () => {
  const start = 1_700_000_000_000;
  const traceId = 'c'.repeat(32);
  const make = (spanId: string, name: string, parent: string | undefined, service: string, from: number, to: number, attributes: Record<string, unknown> = {}): StoredSpan => ({
    traceId, spanId: spanId.padStart(16, '0'), parentSpanId: parent?.padStart(16, '0'), name, kind: parent ? 2 : 1, startMs: start + from, endMs: start + to, attributes, events: [], status: {code: 0}, resource: {'service.name': service},
  });
  const file = join(WORK, 'report-services.html');
  writeFileSync(
    file,
    renderHtml(
      buildTimeline([
        make('1', 'checks out', undefined, 'tests', 0, 40, {'test.case.name': 'checks out', 'test.suite.name': 'a.test.js', 'jest.test.status': 'pass', 'jest.test.attempt': 1}),
        make('2', 'POST /checkout', '1', 'orders-api', 2, 30),
        make('3', 'reserve stock', '2', 'stock-api', 5, 20),
        make('4', 'SELECT stock', '3', 'stock-api', 6, 12),
      ]),
    ),
  );
  await open({file});
  const colours = (selector: string) => page.locator(selector).evaluateAll(nodes => nodes.map(node => getComputedStyle(node).backgroundColor));
  const badges = await colours('#wf-tree .service');
  const bars = await colours('#wf-tree .from-service .wf-bar');
  expect(await page.locator('#wf-tree .service').allTextContents()).toEqual(['orders-api', 'stock-api', 'stock-api']);
  expect(new Set(badges).size).toBe(2);
  expect(badges[1]).toBe(badges[2]);
  expect(bars).toEqual(badges);
  expect(badges).not.toContain('rgba(0, 0, 0, 0)');
  expect(await page.locator('#wf-services .service').allTextContents()).toEqual(['orders-api', 'stock-api']);
  expect(await colours('#wf-services .service')).toEqual([badges[0], badges[1]]);
  // The test's own service has no badge
  expect(await rows().first().locator('.service').count()).toBe(0);
});

describe.each([700, 800, 1280])('%i px wide', width => {
  test('the waterfall’s bars and durations stay in view; attribute keys break only between their parts', async () => {
    await open({width});
    expect(await heading()).toContain(FAILED);
    const overflow = await page.evaluate(() => ({page: document.documentElement.scrollWidth - window.innerWidth, waterfall: document.getElementById('waterfall')!.scrollWidth - document.getElementById('waterfall')!.clientWidth}));
    expect(overflow).toEqual({page: 0, waterfall: 0});
    const box = (await page.locator('#waterfall').boundingBox())!;
    for (const selector of ['#wf-tree .wf-bar', '#wf-tree .wf-ms']) {
      for (const part of await page.locator(selector).all()) {
        const rect = (await part.boundingBox())!;
        expect(rect.x).toBeGreaterThanOrEqual(box.x - 1);
        expect(rect.x + rect.width).toBeLessThanOrEqual(box.x + box.width + 1);
      }
    }
    expect((await page.locator('#wf-tree .wf-row .wf-name').first().boundingBox())!.width).toBeGreaterThanOrEqual(140);
    // Where each key's lines break: only after a dot, an underscore or a dash, and never past the cell's edge
    const breaks = await page.locator('#span-detail table.kv tr > td:first-child').evaluateAll(cells =>
      cells.flatMap(cell => {
        const text = cell.textContent ?? '';
        const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
        const tops: number[] = [];
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          for (let offset = 0; offset < node.textContent!.length; offset += 1) {
            const range = document.createRange();
            range.setStart(node, offset);
            range.setEnd(node, offset + 1);
            tops.push(range.getBoundingClientRect().top);
          }
        }
        const bad = tops.flatMap((top, index) => (index > 0 && top > tops[index - 1] + 2 && !/[._-]/.test(text[index - 1]) ? [`${text.slice(0, index)}|${text.slice(index)}`] : []));
        return cell.scrollWidth > cell.clientWidth ? [...bad, `${text} overflows`] : bad;
      }),
    );
    expect(breaks).toEqual([]);
    if (width === 800) await page.screenshot({path: join(DOCS, 'report-narrow.png')});
  });
});
