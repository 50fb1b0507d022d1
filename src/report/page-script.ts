import {PAGE_DETAIL} from './page-detail';
import {PAGE_LIST} from './page-list';
import {PAGE_WATERFALL} from './page-waterfall';

/*
 * The report page's script, inlined. It reads the model from the page's JSON block and builds everything with DOM
 * calls and textContent (never markup from data). The test list is virtual: only the rows in view exist, so a run
 * of ten thousand tests costs the same to show and to scroll as a run of ten. Details are built when selected.
 *
 * One function scope in the page, written in four parts: the shared state and helpers here, the list
 * (page-list.ts), the details (page-detail.ts) and the waterfall (page-waterfall.ts). The address keeps what is
 * selected (see START). Plain ES2020, no template literals (this is a template literal).
 */
const SHARED = String.raw`
  if (performance.mark) performance.mark('report-start');
  var model = JSON.parse(document.getElementById('timeline-data').textContent);
  var ROW_HEIGHT = 44;
  var ICONS = {fail: '✕', flaky: '↻', pass: '✓', skip: '○', todo: '✎', failure: '✕', timed_out: '✕', aborted: '✕', success: '✓', skipped: '○'};
  var LABELS = {fail: 'failed', flaky: 'flaky', pass: 'passed', skip: 'skipped', todo: 'todo', failure: 'failed', timed_out: 'timed out', aborted: 'aborted', success: 'passed', skipped: 'skipped'};
  var VIEWS = {
    tests: {items: model.tests, filters: ['fail', 'flaky', 'pass', 'skip', 'todo'], noun: 'tests'},
    suites: {items: model.suites, filters: ['failure', 'timed_out', 'aborted', 'flaky', 'success', 'skipped'], noun: 'files'}
  };
  var state = {view: 'tests', filter: 'all', query: '', shown: [], selected: -1, attempt: 1};
  var haystacks = {tests: [], suites: []};

  var $ = function (id) { return document.getElementById(id); };
  var list = $('list'), spacer = $('list-spacer');

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function statusClass(status) {
    return 's-' + (status === 'failure' || status === 'timed_out' || status === 'aborted' ? 'fail' : status === 'success' ? 'pass' : status === 'skipped' ? 'skip' : status);
  }
  // A file that succeeded with a test that passed on a retry is shown (and filtered) as flaky
  function statusOf(item) {
    return item.status === 'success' && item.flakyTests ? 'flaky' : item.status;
  }
  function ms(value) {
    if (value < 1) return value.toFixed(2) + ' ms';
    if (value < 1000) return Math.round(value) + ' ms';
    return (value / 1000).toFixed(value < 10000 ? 2 : 1) + ' s';
  }
  function plural(count, noun) {
    return count + ' ' + noun + (count === 1 ? '' : 's');
  }
  function traceUrl(traceId) {
    if (!model.traceUrlTemplate) return null;
    var url = model.traceUrlTemplate.split('{traceId}').join(traceId);
    return /^https?:\/\//i.test(url) ? url : null;
  }
  function haystack(view, index) {
    var cache = haystacks[view];
    if (cache[index] === undefined) {
      var item = VIEWS[view].items[index];
      var parts = [item.name, item.suite, item.error || item.message];
      if (item.frame) item.frame.lines.forEach(function (line) { parts.push(line.text); });
      (item.attempts || [item]).forEach(function (attempt) { spanTexts(attempt.root, parts); });
      cache[index] = parts.join('\n').toLowerCase();
    }
    return cache[index];
  }

  // What a search finds in a trace: each call's method, address and answer, each error, each captured response body
  function spanTexts(span, parts) {
    if (span.http) parts.push(span.http.method + ' ' + span.http.url + ' ' + (span.http.statusCode || ''));
    if (span.error && span.message) parts.push(span.message);
    var body = span.attributes['http.response.body.content'];
    if (typeof body === 'string') parts.push(body);
    for (var i = 0; i < span.children.length; i++) spanTexts(span.children[i], parts);
  }

  // Header totals
  (function header() {
    var c = model.counts;
    $('run').textContent = (model.runId ? 'run ' + model.runId : '') + (model.generatedAt ? ' · ' + new Date(model.generatedAt).toLocaleString() : '');
    var totals = $('totals');
    [['fail', c.fail], ['flaky', c.flaky], ['pass', c.pass], ['skip', c.skip], ['todo', c.todo]].forEach(function (pair) {
      if (pair[1] > 0) totals.appendChild(el('span', statusClass(pair[0]), pair[1] + ' ' + LABELS[pair[0]]));
    });
    totals.appendChild(el('span', 'muted', plural(c.total, 'test') + ' in ' + plural(c.suites, 'file')));
  })();
`;

const START = String.raw`
  // The address: #<view>/<position>/<attempt>/<span id> (tests or suites; position in the view's list, from 0).
  // A selection made with the mouse or Enter is a new entry in the history, one made with the arrows replaces it.
  // Or #trace/<trace id>[/<span id>]: the test attempt (or file) of that trace, as jest-otel flaky and the run history
  // link to it, which stays right however the page orders its lists.
  function readAddress() {
    var byTrace = /^#trace\/([0-9a-f]{32})(?:\/([^/]+))?$/.exec(location.hash);
    if (byTrace) return findTrace(byTrace[1], byTrace[2] ? decodeURIComponent(byTrace[2]) : undefined);
    var match = /^#(tests|suites)\/(\d+)(?:\/(\d+)(?:\/([^/]+))?)?$/.exec(location.hash);
    if (!match || !VIEWS[match[1]].items[Number(match[2])]) return null;
    return {view: match[1], index: Number(match[2]), attempt: match[3] ? Number(match[3]) : undefined, spanId: match[4] ? decodeURIComponent(match[4]) : undefined};
  }
  function findTrace(traceId, spanId) {
    for (var t = 0; t < model.tests.length; t++) {
      var attempts = model.tests[t].attempts;
      for (var a = 0; a < attempts.length; a++) {
        if (attempts[a].traceId === traceId) return {view: 'tests', index: t, attempt: attempts[a].attempt || 1, spanId: spanId};
      }
    }
    for (var s = 0; s < model.suites.length; s++) if (model.suites[s].traceId === traceId) return {view: 'suites', index: s, spanId: spanId};
    return null;
  }
  function writeAddress(push) {
    var parts = [state.view];
    if (state.selected >= 0) {
      parts.push(state.selected, state.attempt);
      if (wf.rows[wf.selected]) parts.push(encodeURIComponent(wf.rows[wf.selected].span.spanId));
    }
    var hash = '#' + parts.join('/');
    if (hash !== location.hash) history[push ? 'pushState' : 'replaceState'](null, '', hash);
  }
  // Back, forward, or a link pasted into the address bar of the open page
  window.addEventListener('hashchange', function () {
    var address = readAddress();
    if (!address) return;
    if (address.view === state.view && address.index === state.selected && (address.attempt || state.attempt) === state.attempt) {
      var row = wf.rows.findIndex(function (candidate) { return candidate.span.spanId === address.spanId; });
      if (row >= 0 && row !== wf.selected) {
        if (expandTo(row)) render();
        selectRow(row, {scroll: true});
      }
      return;
    }
    showItem(address.view, address.index, {attempt: address.attempt, spanId: address.spanId, scroll: true});
  });

  // / filters the list, f finds in the trace (when not typing already)
  document.addEventListener('keydown', function (event) {
    var target = event.target;
    if (event.altKey || event.ctrlKey || event.metaKey || (target && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA'))) return;
    if (event.key === '/') { event.preventDefault(); $('search').focus(); }
    else if (event.key === 'f' && wf.rows.length) { event.preventDefault(); findBox.focus(); }
  });

  // Start: the view and selection in the address, else the first test
  var start = readAddress();
  setView(start ? start.view : 'tests');
  if (start) select(start.index, {attempt: start.attempt, spanId: start.spanId, scroll: true});
  else if (state.shown.length) select(state.shown[0]);
  else showNothing();
  document.body.dataset.ready = 'true';
  if (performance.mark) performance.mark('report-ready');
`;

export const PAGE_SCRIPT = `(function () {\n  'use strict';${SHARED}${PAGE_LIST}${PAGE_DETAIL}${PAGE_WATERFALL}${START}})();\n`;
