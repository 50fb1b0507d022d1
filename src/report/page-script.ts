import {PAGE_DETAIL} from './page-detail';
import {PAGE_LIST} from './page-list';

/*
 * The report page's script, inlined. It reads the model from the page's JSON block and builds everything with DOM
 * calls and textContent (never markup from data). The test list is virtual: only the rows in view exist, so a run
 * of ten thousand tests costs the same to show and to scroll as a run of ten. Details are built when selected.
 *
 * One function scope in the page, written in three parts: the shared state and helpers here, the list
 * (page-list.ts) and the details (page-detail.ts). Plain ES2020, no template literals (this is a template literal).
 */
const SHARED = String.raw`
  var model = JSON.parse(document.getElementById('timeline-data').textContent);
  var ROW_HEIGHT = 44;
  var ICONS = {fail: '✕', flaky: '↻', pass: '✓', skip: '○', todo: '✎', failure: '✕', timed_out: '✕', aborted: '✕', success: '✓', skipped: '○'};
  var LABELS = {fail: 'failed', flaky: 'flaky', pass: 'passed', skip: 'skipped', todo: 'todo', failure: 'failed', timed_out: 'timed out', aborted: 'aborted', success: 'passed', skipped: 'skipped'};
  var VIEWS = {
    tests: {items: model.tests, filters: ['fail', 'flaky', 'pass', 'skip', 'todo'], noun: 'tests'},
    suites: {items: model.suites, filters: ['failure', 'timed_out', 'aborted', 'success', 'skipped'], noun: 'files'}
  };
  var state = {view: 'tests', filter: 'all', query: '', shown: [], selected: -1};
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
  // Start: the view and selection in the address, else the first test
  var match = /^#(tests|suites)\/(\d+)$/.exec(location.hash);
  setView(match ? match[1] : 'tests');
  var start = match ? Number(match[2]) : state.shown[0];
  if (start !== undefined && VIEWS[state.view].items[start]) select(start, true);
  else showNothing();
  document.body.dataset.ready = 'true';
`;

export const PAGE_SCRIPT = `(function () {\n  'use strict';${SHARED}${PAGE_LIST}${PAGE_DETAIL}${START}})();\n`;
