import {spawnSync} from 'node:child_process';
import {mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {chromium} from 'playwright-core';
import {WORK} from '../support/paths';
import {NODE, runJest} from '../support/run-jest';

/*
 * `jest-otel flaky` (the packed package's build/cli.js) over a store filled by real Jest runs of the `flaky` fixture:
 * four runs on one commit, where the quote service answers 429 in three, and a fifth on another commit. A test that
 * fails its first attempt in every run and passes on the retry is flaky on both commits.
 */

const project = join(WORK, 'flaky');
const store = join(project, '.jest-otel');
const CLI = join(WORK, 'node_modules', 'jest-environment-otel', 'build', 'cli.js');
const COMMIT = '3f1e2d4c5b6a79880123456789abcdef01234567';
const NEXT_COMMIT = '9a8b7c6d5e4f30211032547698badcfe10325476';

function cli(args: string[]) {
  const run = spawnSync(NODE, [CLI, ...args], {cwd: project, encoding: 'utf8', env: {...process.env, NO_COLOR: '1'}});
  return {code: run.status, stdout: run.stdout, stderr: run.stderr};
}

interface JsonHint {
  kind: string;
  span: string;
  failures: number;
  text: string;
}
interface JsonFlaky {
  rank: number;
  suite: string;
  test: string;
  flakeRate: number;
  attempts: number;
  failures: number;
  passes: number;
  timeLostMs: number;
  runs: number;
  failedRuns: number;
  passedOnRetryRuns: number;
  revisions: Array<{revision: string | null; changes: string | null; runIds: string[]; attempts: number; failures: number}>;
  failureMessages: Array<{message: string; count: number}>;
  hints: JsonHint[];
  exampleFailure: {traceId: string; runId: string; revision: string | null};
  examplePass: {traceId: string; runId: string; revision: string | null};
}

/** Each run's id (its folder in the store), in the order they ran, with each test's outcome as Jest's --json says it. */
const ran: Array<{runId: string; outcomes: Record<string, string>}> = [];

function outcomeOf(result: {status: string; invocations?: number}): string {
  if (result.status === 'failed') return 'fail';
  if (result.status === 'passed') return (result.invocations ?? 1) > 1 ? 'flaky' : 'pass';
  return result.status === 'pending' ? 'skip' : result.status;
}

beforeAll(async () => {
  rmSync(store, {recursive: true, force: true});
  const runs: Array<[string, string]> = [
    [COMMIT, '200'],
    [COMMIT, '429'],
    [COMMIT, '429'],
    [COMMIT, '429'],
    [NEXT_COMMIT, '429'],
  ];
  for (const [commit, status] of runs) {
    // The commit is named, and the work tree said clean: the fixture lies in whatever checkout runs this test.
    const run = await runJest('flaky', {env: {FLAKY_STATUS: status, OTEL_RESOURCE_ATTRIBUTES: `vcs.ref.head.revision=${commit},jest.vcs.worktree.dirty=false`}});
    expect(run.results.numFailedTests).toBe(status === '200' ? 1 : 2);
    const runId = readdirSync(join(store, 'runs')).find(id => !ran.some(earlier => earlier.runId === id));
    const outcomes = Object.fromEntries(run.results.testResults.flatMap(file => file.assertionResults.map(result => [result.fullName, outcomeOf(result)])));
    ran.push({runId: runId!, outcomes});
  }
  expect(readdirSync(join(store, 'runs'))).toHaveLength(5);
}, 180_000);

test('the table ranks the flaky tests of the store, with the answer that failed them and their example traces', () => {
  const {code, stdout, stderr} = cli(['flaky', store]);
  expect(stderr).toBe('');
  expect(code).toBe(0);
  const {flaky} = JSON.parse(cli(['flaky', '--json', store]).stdout) as {flaky: JsonFlaky[]};
  const lines = stdout.split('\n');
  expect(lines[0]).toBe(`5 runs (2 revisions), 4 tests, 30 attempts in ${store}: 2 flaky tests`);
  expect(lines.slice(1, 3)).toEqual(['', '#  flake rate  failed   time lost  test']);
  expect(lines[3]).toMatch(/^1  75% {9}3 of 4   \d+ ms +quote\.test\.js › checkout gets a quote$/);
  expect(lines.slice(4, 11)).toEqual([
    '   failed in 3 of 4 runs, on revision 3f1e2d4',
    '   test error: expect(received).toBe(expected) // Object.is equality',
    '',
    '     Expected: 200',
    '     Received: 429 (all 3 failures)',
    '   hint: GET /quote → 429 in all 3 failures; 200 in the only pass',
    `   traces: failure ${flaky[0].exampleFailure.traceId}, pass ${flaky[0].examplePass.traceId}`,
  ]);
  expect(lines[12]).toMatch(/^2  50% {9}5 of 10  \d+ ms +retry\.test\.js › cart warms its cache$/);
  expect(lines.slice(13)).toEqual([
    '   passed on retry in 5 of 5 runs, on revision 3f1e2d4 and on revision 9a8b7c6',
    '   test error: cache is cold (all 5 failures)',
    '   hint: exception in warm cache only when failing (all 5 failures): cache is cold',
    `   traces: failure ${flaky[1].exampleFailure.traceId}, pass ${flaky[1].examplePass.traceId}`,
    '',
    'Failing, not flaky (every attempt failed, on a revision or in a run of unknown revision):',
    '  retry.test.js › cart is always broken  (10 of 10 attempts failed)',
    '',
  ]);
});

test('--json: the ranking, the counts per revision, the hints, and trace ids that are in the store', () => {
  const {code, stdout} = cli(['flaky', '--json', store]);
  expect(code).toBe(0);
  const report = JSON.parse(stdout) as {sources: string[]; summary: unknown; flaky: JsonFlaky[]; failing: unknown[]};
  expect(report.sources).toEqual([store]);
  expect(report.summary).toEqual({runs: 5, revisions: 2, runsWithoutRevision: 0, runsWithChanges: 0, tests: 4, attempts: 30, flaky: 2});
  const [quote, retry] = report.flaky;
  expect(quote).toMatchObject({
    rank: 1,
    suite: 'quote.test.js',
    test: 'checkout gets a quote',
    flakeRate: 0.75,
    attempts: 4,
    failures: 3,
    passes: 1,
    runs: 4,
    failedRuns: 3,
    passedOnRetryRuns: 0,
    failureMessages: [{message: 'expect(received).toBe(expected) // Object.is equality\n\nExpected: 200\nReceived: 429', count: 3}],
    hints: [{kind: 'http-status', span: 'GET /quote', failures: 3, text: 'GET /quote → 429 in all 3 failures; 200 in the only pass'}],
  });
  expect(quote.revisions).toEqual([{revision: COMMIT, changes: null, runIds: expect.any(Array), attempts: 4, failures: 3}]);
  expect(quote.timeLostMs).toBeGreaterThan(0);
  expect(retry).toMatchObject({rank: 2, suite: 'retry.test.js', test: 'cart warms its cache', flakeRate: 0.5, attempts: 10, failures: 5, runs: 5, failedRuns: 0, passedOnRetryRuns: 5});
  expect(retry.revisions.map(group => [group.revision, group.attempts, group.failures])).toEqual([
    [COMMIT, 8, 4],
    [NEXT_COMMIT, 2, 1],
  ]);
  expect(retry.hints).toEqual([{kind: 'error', span: 'warm cache', failures: 5, text: 'exception in warm cache only when failing (all 5 failures): cache is cold'}]);
  expect(report.failing).toEqual([{suite: 'retry.test.js', test: 'cart is always broken', attempts: 10, failures: 10}]);

  const stored = readdirSync(join(store, 'runs'))
    .flatMap(run => readdirSync(join(store, 'runs', run)).map(file => readFileSync(join(store, 'runs', run, file), 'utf8')))
    .join('');
  for (const test of report.flaky) {
    expect(test.exampleFailure.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(stored).toContain(`"traceId":"${test.exampleFailure.traceId}"`);
    expect(stored).toContain(`"traceId":"${test.examplePass.traceId}"`);
  }
});

test('with no source it reads .jest-otel in the current folder; a collector file of the same spans gives the same report', () => {
  const fromStore = JSON.parse(cli(['flaky', '--json', store]).stdout);
  const byDefault = JSON.parse(cli(['flaky', '--json']).stdout);
  expect(byDefault).toEqual({...fromStore, sources: ['.jest-otel']});

  const collector = join(project, 'collector');
  mkdirSync(collector, {recursive: true});
  const lines = readdirSync(join(store, 'runs')).flatMap(run =>
    readdirSync(join(store, 'runs', run)).map(file => readFileSync(join(store, 'runs', run, file), 'utf8')),
  );
  writeFileSync(join(collector, 'traces.json'), lines.join(''));
  expect({...JSON.parse(cli(['flaky', '--json', 'collector/traces.json']).stdout), sources: []}).toEqual({...fromStore, sources: []});
  expect({...JSON.parse(cli(['flaky', '--json', 'collector']).stdout), sources: []}).toEqual({...fromStore, sources: []});
});

test('bad usage exits with 2 and one line that names the problem; the command starts with a shebang', () => {
  expect(cli(['flaky', '--since=1d'])).toEqual({code: 2, stdout: '', stderr: 'jest-otel flaky: unknown option --since=1d (see jest-otel flaky --help)\n'});
  expect(cli(['flaky', 'no-such-store'])).toEqual({code: 2, stdout: '', stderr: 'jest-otel flaky: cannot read no-such-store: no such file or folder\n'});
  expect(cli(['flaky', 'jest.config.js']).stderr).toBe('jest-otel flaky: jest.config.js holds no OTLP/JSON ExportTraceServiceRequest\n');
  expect(readFileSync(CLI, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
});

describe('jest-otel report', () => {
  test('--version prints the package version', () => {
    const {version} = JSON.parse(readFileSync(join(WORK, 'node_modules', 'jest-environment-otel', 'package.json'), 'utf8')) as {version: string};
    expect(cli(['--version'])).toEqual({code: 0, stdout: `${version}\n`, stderr: ''});
  });

  test('writes the page of the newest run, of a run chosen by --run, of a run folder, and of a collector file', () => {
    const [first, second] = ran;
    expect(cli(['report', '--run', first.runId])).toEqual({code: 0, stdout: `Report of 6 tests (1 failed, 1 flaky, 2 passed, 1 skipped, 1 todo): .jest-otel/runs/${first.runId}/report.html\n`, stderr: ''});
    expect(cli(['report', `.jest-otel/runs/${second.runId}`])).toEqual({code: 0, stdout: `Report of 6 tests (2 failed, 1 flaky, 1 passed, 1 skipped, 1 todo): .jest-otel/runs/${second.runId}/report.html\n`, stderr: ''});
    expect(cli(['report'])).toEqual({code: 0, stdout: 'Report of 6 tests (2 failed, 1 flaky, 1 passed, 1 skipped, 1 todo): .jest-otel/report.html\n', stderr: ''});
    const page = readFileSync(join(store, 'runs', first.runId, 'report.html'), 'utf8');
    expect(page).toContain(`run ${first.runId}`);
    // The page embeds the chosen run's traces and no other run's.
    const traceIds = (run: string) => new Set([...readdirSync(join(store, 'runs', run)).filter(file => file.endsWith('.jsonl')).map(file => readFileSync(join(store, 'runs', run, file), 'utf8')).join('').matchAll(/"traceId":"([0-9a-f]{32})"/g)].map(match => match[1]));
    expect([...traceIds(first.runId)].every(id => page.includes(id))).toBe(true);
    expect([...traceIds(second.runId)].some(id => page.includes(id))).toBe(false);
    // Writing a report into an older run's folder does not make it the newest run.
    expect(readFileSync(join(store, 'report.html'), 'utf8')).toContain(`run ${ran[ran.length - 1].runId}`);

    const collector = join(project, 'collector-run');
    mkdirSync(collector, {recursive: true});
    const folder = join(store, 'runs', second.runId);
    writeFileSync(join(collector, 'traces.json'), readdirSync(folder).filter(file => file.endsWith('.jsonl')).map(file => readFileSync(join(folder, file), 'utf8')).join(''));
    expect(cli(['report', 'collector-run/traces.json', '-o', 'out/page.html'])).toEqual({code: 0, stdout: 'Report of 6 tests (2 failed, 1 flaky, 1 passed, 1 skipped, 1 todo): out/page.html\n', stderr: ''});
  });

  test('bad usage and sources without tests exit with 2 and one line', () => {
    expect(cli(['report', '--run'])).toEqual({code: 2, stdout: '', stderr: 'jest-otel report: --run needs a value (see jest-otel report --help)\n'});
    expect(cli(['report', '--run', 'nope']).stderr).toMatch(/^jest-otel report: no run nope in \.jest-otel \(its runs: [^)]+\)\n$/);
    expect(cli(['report', '--trace-url', 'http://jaeger/trace'])).toEqual({code: 2, stdout: '', stderr: 'jest-otel report: --trace-url must contain {traceId}, got http://jaeger/trace (see jest-otel report --help)\n'});
    expect(cli(['report', '--history', 'jest.config.js']).stderr).toBe('jest-otel report: --history reads one local trace store (a folder with runs/), got jest.config.js\n');
    expect(cli(['report', 'no-such-file.json'])).toEqual({code: 2, stdout: '', stderr: 'jest-otel report: cannot read no-such-file.json: no such file or folder\n'});
    expect(cli(['nope']).code).toBe(2);
  });

  test('--history: every kept run, newest first, the outcome of each test in each, linked to the report of that run', async () => {
    for (const {runId} of ran) expect(cli(['report', '--run', runId]).code).toBe(0);
    const {code, stdout, stderr} = cli(['report', '--history']);
    expect({code, stdout, stderr}).toEqual({code: 0, stdout: 'History of 5 runs, 6 tests: .jest-otel/history.html\n', stderr: ''});
    const browser = await chromium.launch({executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking']});
    try {
      const page = await browser.newPage({viewport: {width: 1000, height: 700}});
      const errors: string[] = [];
      page.on('pageerror', error => errors.push(String(error)));
      await page.goto(`file://${join(store, 'history.html')}`);
      const rows = await page.$$eval('#history tbody tr', trs =>
        trs.map(tr => ({
          name: (tr.querySelector('td.test')?.lastChild?.textContent ?? '').trim(),
          cells: [...tr.querySelectorAll('td:not(.test):not(.counts) > *')].map(cell => ({outcome: cell.getAttribute('data-outcome'), href: cell.getAttribute('href')})),
        })),
      );
      expect(errors).toEqual([]);
      const newestFirst = [...ran].reverse();
      expect(rows.map(row => row.name).sort()).toEqual(Object.keys(ran[0].outcomes).sort());
      for (const row of rows) {
        expect(row.cells.map(cell => cell.outcome)).toEqual(newestFirst.map(run => run.outcomes[row.name]));
        row.cells.forEach((cell, column) => {
          const [file, trace] = cell.href!.split('#');
          expect(file).toBe(`runs/${newestFirst[column].runId}/report.html`);
          expect(trace).toMatch(/^trace\/[0-9a-f]{32}$/);
          expect(readFileSync(join(store, file), 'utf8')).toContain(trace.slice('trace/'.length));
        });
      }
      // A square opens that run's report on that attempt: the test, the attempt whose trace it is.
      const retried = rows.find(row => row.name === 'cart warms its cache')!;
      const [file, anchor] = retried.cells[1].href!.split('#');
      await page.goto(`file://${join(store, file)}#${anchor}`);
      await page.waitForSelector('body[data-ready="true"]');
      expect(await page.textContent('#detail-head')).toContain('warms its cache');
      expect(await page.textContent('.attempt-info')).toContain(`trace ${anchor.slice('trace/'.length)}`);
      expect(errors).toEqual([]);
      await page.goto(`file://${join(store, 'history.html')}`);
      // Tests that failed in the newest run first; the filter keeps only the unstable ones.
      expect(rows[0].cells[0].outcome).toBe('fail');
      await page.check('#unstable');
      expect(await page.$$eval('#history tbody tr:not([hidden])', trs => trs.length)).toBe(3);
      await page.fill('#search', 'no such test');
      expect(await page.isVisible('#empty')).toBe(true);
    } finally {
      await browser.close();
    }
  }, 60_000);

  test('jest-otel flaky names the report of each cited trace, opened on it', () => {
    const {stdout} = cli(['flaky']);
    const links = [...stdout.matchAll(/(failure|pass)'s report: (\S+)#trace\/([0-9a-f]{32})/g)];
    expect(links.length).toBe(4);
    for (const [, , file, traceId] of links) expect(readFileSync(join(project, file), 'utf8')).toContain(traceId);
    const {flaky} = JSON.parse(cli(['flaky', '--json']).stdout) as {flaky: Array<{exampleFailure: {report?: string; traceId: string; runId: string}}>};
    for (const {exampleFailure} of flaky) expect(exampleFailure.report).toBe(`.jest-otel/runs/${exampleFailure.runId}/report.html#trace/${exampleFailure.traceId}`);
  });
});
