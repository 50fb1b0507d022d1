import {readdirSync} from 'node:fs';
import {join} from 'node:path';
import {ATTR_JEST_VCS_WORKTREE_DIRTY} from '../pipeline/worktree';
import {RUNS_FOLDER, runTime} from '../pipeline/store';
import {ATTR_VCS_REF_HEAD_REVISION} from '../shared/semconv';
import {readRun, type StoredSpan} from '../shared/store-read';
import {escapeHtml, jsonForScript, pageStart} from './html';
import {buildTimeline, type TestOutcome} from './model';

/*
 * The run history of a local store: for each test, its outcome in each kept run, newest run first, the way CI
 * dashboards show a test's recent builds. Made from the store alone (each run folder's spans), so it needs no server
 * and no database; a cell links to the run's own report, on that attempt's trace.
 */

export interface HistoryRun {
  id: string;
  /** When the run's first test started (ms since the epoch). */
  startMs: number;
  /** `vcs.ref.head.revision` of the run's spans, when recorded. */
  revision?: string;
  /** The work tree had uncommitted changes. */
  dirty?: boolean;
  /** The run's report, relative to the store folder, when the run folder has one. */
  report?: string;
  counts: Record<TestOutcome, number>;
}

export interface HistoryCell {
  outcome: TestOutcome;
  /** The trace of the attempt that decided the outcome: the last failed one, else the last. */
  traceId: string;
  /** First line of the last failed attempt's error. */
  message?: string;
}

export interface HistoryTest {
  suite: string;
  name: string;
  file?: string;
  /** One per run, in the order of `HistoryModel.runs`; null where the test did not run (not there yet, or removed). */
  cells: Array<HistoryCell | null>;
  /** Runs in which it failed, and in which it failed and then passed on a retry. */
  failed: number;
  flaky: number;
}

export interface HistoryModel {
  /** Newest first. */
  runs: HistoryRun[];
  /** The ones that failed in the newest run first, then the most often failed or flaky, then by file and name. */
  tests: HistoryTest[];
}

export interface StoredRun {
  id: string;
  spans: StoredSpan[];
  /** Its report, relative to the store folder. */
  report?: string;
}

const REPORT_FILE = 'report.html';

/** Every run folder of a store with its spans, newest first; a folder being pruned while it is read is left out. */
export function readStoreRuns(storeDir: string): StoredRun[] {
  const root = join(storeDir, RUNS_FOLDER);
  const runs: Array<StoredRun & {time: number}> = [];
  for (const entry of readdirSync(root, {withFileTypes: true})) {
    if (!entry.isDirectory()) continue;
    const folder = join(root, entry.name);
    try {
      const files = readdirSync(folder);
      runs.push({id: entry.name, spans: readRun(folder), report: files.includes(REPORT_FILE) ? `${RUNS_FOLDER}/${entry.name}/${REPORT_FILE}` : undefined, time: runTime(folder)});
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return runs.sort((a, b) => b.time - a.time).map(({time: _time, ...run}) => run);
}

const OUTCOMES: TestOutcome[] = ['fail', 'flaky', 'pass', 'skip', 'todo'];

/** The history of the given runs (newest first); runs without a test span are left out. */
export function buildHistory(runs: readonly StoredRun[]): HistoryModel {
  const kept: HistoryRun[] = [];
  const rows = new Map<string, HistoryTest>();
  for (const run of runs) {
    const model = buildTimeline(run.spans);
    if (model.tests.length === 0) continue;
    const column = kept.length;
    const resource = run.spans.find(span => span.resource[ATTR_VCS_REF_HEAD_REVISION] !== undefined)?.resource;
    const counts = Object.fromEntries(OUTCOMES.map(outcome => [outcome, model.counts[outcome]])) as Record<TestOutcome, number>;
    kept.push({
      id: run.id,
      startMs: Math.min(...model.tests.map(test => test.startMs)),
      revision: typeof resource?.[ATTR_VCS_REF_HEAD_REVISION] === 'string' ? (resource[ATTR_VCS_REF_HEAD_REVISION] as string) : undefined,
      dirty: resource?.[ATTR_JEST_VCS_WORKTREE_DIRTY] === true ? true : undefined,
      report: run.report,
      counts,
    });
    // Tests of one file that share a full name are told apart by their declaration line, within a run.
    const seen = new Map<string, number>();
    for (const test of model.tests) {
      const base = `${test.file ?? test.suite}\u0000${test.name}`;
      const duplicate = seen.get(base) ?? 0;
      seen.set(base, duplicate + 1);
      const key = duplicate === 0 ? base : `${base}\u0000${duplicate}`;
      let row = rows.get(key);
      if (!row) {
        row = {suite: test.suite, name: test.name, file: test.file, cells: [], failed: 0, flaky: 0};
        rows.set(key, row);
      }
      if (row.cells[column]) continue;
      const deciding = [...test.attempts].reverse().find(attempt => attempt.status === 'fail') ?? test.attempts[test.attempts.length - 1];
      row.cells[column] = {outcome: test.status, traceId: deciding?.traceId ?? '', message: test.message};
      if (test.status === 'fail') row.failed += 1;
      if (test.status === 'flaky') row.flaky += 1;
    }
  }
  const tests = [...rows.values()].map(row => ({...row, cells: kept.map((_run, column) => row.cells[column] ?? null)}));
  const failsNow = (test: HistoryTest) => Number(test.cells[0]?.outcome === 'fail');
  tests.sort((a, b) => failsNow(b) - failsNow(a) || b.failed + b.flaky - (a.failed + a.flaky) || (a.file ?? a.suite).localeCompare(b.file ?? b.suite) || a.name.localeCompare(b.name));
  return {runs: kept, tests};
}

/** The history as one self-contained page, written beside the store's report (it links to the runs' reports). */
export function renderHistoryHtml(model: HistoryModel, storeName: string): string {
  const unstable = model.tests.filter(test => test.failed + test.flaky > 0).length;
  const title = `Test history · ${storeName}`;
  return `${pageStart(title, HISTORY_STYLE)}<header>
  <h1>Test history</h1>
  <span class="muted">${escapeHtml(`${plural(model.runs.length, 'run')} kept in ${storeName}, newest first · ${plural(model.tests.length, 'test')}, ${unstable} failed or flaky in at least one run`)}</span>
  ${model.runs[0]?.report ? `<a href="${escapeHtml(model.runs[0].report)}">Newest run's report</a>` : ''}
</header>
<div class="controls">
  <input id="search" type="search" placeholder="Filter by name or file" aria-label="Filter">
  <label><input id="unstable" type="checkbox"> only tests that failed or were flaky</label>
  <span id="shown" class="muted" aria-live="polite"></span>
  <span class="legend"><i class="cell fail"></i>failed <i class="cell flaky"></i>flaky <i class="cell pass"></i>passed <i class="cell skip"></i>skipped or todo <i class="cell none"></i>not run</span>
</div>
<table id="history"><thead></thead><tbody></tbody></table>
<p id="empty" class="muted" hidden>No tests match.</p>
<script type="application/json" id="history-data">${jsonForScript(model)}</script>
<script>${HISTORY_SCRIPT}</script>
</body>
</html>
`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

const HISTORY_STYLE = String.raw`
:root { color-scheme: light; --fail: #c62828; --flaky: #ef8f00; --pass: #2e7d32; --skip: #9e9e9e; --line: #e0e0e0; }
body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #212121; }
header { display: flex; gap: 16px; align-items: baseline; flex-wrap: wrap; padding: 12px 16px; border-bottom: 1px solid var(--line); }
h1 { font-size: 18px; margin: 0; }
.muted { color: #616161; }
.controls { display: flex; gap: 16px; align-items: center; flex-wrap: wrap; padding: 8px 16px; }
.controls input[type=search] { width: 260px; max-width: 100%; padding: 4px 8px; }
.legend { display: inline-flex; gap: 6px; align-items: center; color: #616161; }
table { border-collapse: collapse; margin: 0 16px 16px; }
th, td { padding: 2px 3px; border-bottom: 1px solid var(--line); text-align: center; }
th.test, td.test { text-align: left; padding-right: 12px; max-width: 48vw; overflow-wrap: anywhere; }
th.run { font-weight: normal; font-size: 11px; color: #616161; writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap; height: 88px; }
td.test .file { color: #616161; font-size: 12px; display: block; }
.cell { display: inline-block; width: 14px; height: 14px; border-radius: 3px; vertical-align: middle; }
a.cell:focus-visible { outline: 2px solid #1565c0; outline-offset: 1px; }
.cell.fail { background: var(--fail); } .cell.flaky { background: var(--flaky); } .cell.pass { background: var(--pass); }
.cell.skip, .cell.todo { background: var(--skip); } .cell.none { background: transparent; border: 1px dashed #bdbdbd; box-sizing: border-box; }
td.counts { font-size: 12px; color: #616161; white-space: nowrap; text-align: right; padding-left: 8px; }
`;

/* Filled in by the browser from the embedded model: one row per test, one cell per run. */
const HISTORY_SCRIPT = String.raw`(function () {
  'use strict';
  var model = JSON.parse(document.getElementById('history-data').textContent);
  var LABEL = {fail: 'failed', flaky: 'flaky (failed, then passed on a retry)', pass: 'passed', skip: 'skipped', todo: 'todo'};
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    for (var key in attrs) node.setAttribute(key, attrs[key]);
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function when(ms) {
    var d = new Date(ms);
    function two(n) { return (n < 10 ? '0' : '') + n; }
    return d.getFullYear() + '-' + two(d.getMonth() + 1) + '-' + two(d.getDate()) + ' ' + two(d.getHours()) + ':' + two(d.getMinutes());
  }
  function runLabel(run) {
    return 'run ' + run.id + ' · ' + when(run.startMs) + (run.revision ? ' · ' + run.revision.slice(0, 7) + (run.dirty ? ' (uncommitted changes)' : '') : '');
  }
  var head = el('tr');
  head.appendChild(el('th', {'class': 'test', scope: 'col'}, 'Test'));
  model.runs.forEach(function (run) {
    var th = el('th', {'class': 'run', scope: 'col', title: runLabel(run) + ' · ' + run.counts.fail + ' failed, ' + run.counts.flaky + ' flaky, ' + run.counts.pass + ' passed'}, when(run.startMs));
    head.appendChild(th);
  });
  head.appendChild(el('th', {'class': 'counts', scope: 'col'}, 'failed · flaky'));
  document.querySelector('#history thead').appendChild(head);
  var body = document.querySelector('#history tbody');
  var rows = model.tests.map(function (test) {
    var tr = el('tr');
    var name = el('td', {'class': 'test'});
    name.appendChild(el('span', {'class': 'file'}, test.suite || test.file));
    name.appendChild(document.createTextNode(test.name));
    tr.appendChild(name);
    test.cells.forEach(function (cell, column) {
      var run = model.runs[column];
      var td = el('td');
      if (!cell) {
        td.appendChild(el('span', {'class': 'cell none', title: 'not run in ' + runLabel(run), 'aria-label': 'not run in ' + runLabel(run)}));
      } else {
        var label = LABEL[cell.outcome] + ' in ' + runLabel(run) + (cell.message ? ': ' + cell.message : '');
        var mark = run.report
          ? el('a', {'class': 'cell ' + cell.outcome, href: run.report + '#trace/' + cell.traceId, title: label, 'aria-label': label})
          : el('span', {'class': 'cell ' + cell.outcome, title: label, 'aria-label': label});
        mark.setAttribute('data-outcome', cell.outcome);
        td.appendChild(mark);
      }
      tr.appendChild(td);
    });
    tr.appendChild(el('td', {'class': 'counts'}, test.failed + ' · ' + test.flaky));
    body.appendChild(tr);
    return {tr: tr, text: ((test.suite || test.file) + ' ' + test.name).toLowerCase(), unstable: test.failed + test.flaky > 0};
  });
  var search = document.getElementById('search');
  var unstable = document.getElementById('unstable');
  function apply() {
    var words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    rows.forEach(function (row) {
      var visible = (!unstable.checked || row.unstable) && words.every(function (word) { return row.text.indexOf(word) !== -1; });
      row.tr.hidden = !visible;
      if (visible) shown += 1;
    });
    document.getElementById('shown').textContent = shown + ' of ' + rows.length + ' tests shown';
    document.getElementById('empty').hidden = shown > 0;
  }
  search.addEventListener('input', apply);
  unstable.addEventListener('change', apply);
  apply();
})();
`;
