/**
 * The page's details: the selected test or file, its attempts, the chosen attempt's trace (drawn by
 * page-waterfall.ts), and the selected span's attributes and events. Part of the page script (see page-script.ts);
 * uses its shared state and helpers, `setView` and `clearListQuery` from page-list.ts.
 */
export const PAGE_DETAIL = String.raw`
  // Detail: the selected test (or file), its attempts, its waterfall, the selected span
  // Nothing listed (the list says why): no test, and no empty panes
  function showNothing() {
    $('detail').classList.add('is-empty');
    $('detail-head').textContent = '';
    $('attempts').textContent = '';
    $('span-detail').textContent = '';
    wf.rows = [];
    wf.selected = -1;
  }

  /**
   * Shows the item at index of the current view. Options: attempt (its number) and spanId to open, scroll (bring
   * its row into view in the list), write ('push' a new entry in the history or 'replace' the address; default replace).
   */
  function select(index, options) {
    options = options || {};
    var item = VIEWS[state.view].items[index];
    if (!item) return showNothing();
    state.selected = index;
    if (options.scroll) scrollIntoList(index);
    renderRows();
    $('detail').classList.remove('is-empty');
    var head = $('detail-head');
    head.textContent = '';
    var title = el('h2');
    var status = statusOf(item);
    title.appendChild(el('span', 'badge ' + statusClass(status), LABELS[status] || status));
    title.appendChild(document.createTextNode(' ' + item.name));
    head.appendChild(title);
    var where = el('div', 'muted');
    if (state.view === 'tests') {
      where.appendChild(document.createTextNode((item.suite || item.file) + (item.line ? ':' + item.line : '') + ' · ' + ms(item.durationMs) + ' · '));
      var suiteIndex = model.suites.findIndex(function (suite) { return suite.name === item.suite; });
      if (suiteIndex >= 0) {
        var link = el('button', 'link', 'file trace');
        link.addEventListener('click', function () { showItem('suites', suiteIndex, {write: 'push', scroll: true}); });
        where.appendChild(link);
      }
    } else {
      where.appendChild(document.createTextNode(ms(item.durationMs) + ' · the file\u2019s hooks, and its tests in time' + (item.flakyTests ? ' · ' + plural(item.flakyTests, 'flaky test') : '')));
    }
    head.appendChild(where);
    var attempts = item.attempts || [withTests(item)];
    var chosen = -1;
    if (options.attempt) chosen = attempts.findIndex(function (attempt) { return (attempt.attempt || 1) === options.attempt; });
    if (chosen < 0) {
      chosen = attempts.length - 1;
      for (var a = attempts.length - 1; a >= 0; a--) if (attempts[a].status === 'fail') { chosen = a; break; }
    }
    renderAttempts(item, attempts, chosen, options);
  }

  // Another view's item (the file of a test, a test in a file's trace): listed first if the search or filter hid it
  function showItem(view, index, options) {
    if (view !== state.view) setView(view);
    if (state.shown.indexOf(index) === -1) clearListQuery();
    select(index, options);
  }

  function openTest(index, attempt, spanId) {
    showItem('tests', index, {attempt: attempt, spanId: spanId, write: 'push', scroll: true});
    tree.focus();
  }

  function renderAttempts(item, attempts, chosen, options) {
    var bar = $('attempts');
    bar.textContent = '';
    if (attempts.length > 1) {
      attempts.forEach(function (attempt, position) {
        var button = el('button', statusClass(attempt.status), 'attempt ' + attempt.attempt + ' ' + (ICONS[attempt.status] || '') + ' ' + ms(attempt.durationMs));
        button.setAttribute('aria-pressed', String(position === chosen));
        button.addEventListener('click', function () { renderAttempts(item, attempts, position, {write: 'push'}); });
        bar.appendChild(button);
      });
    }
    var attempt = attempts[chosen];
    state.attempt = attempt.attempt || 1;
    var head = $('detail-head');
    var old = head.querySelector('.attempt-info');
    if (old) old.remove();
    var info = el('div', 'attempt-info');
    var error = attempt.error || attempt.message;
    if (error) info.appendChild(el('pre', 'message', error));
    if (attempt.frame) info.appendChild(codeFrame(attempt.frame));
    var trace = el('div', 'muted mono', 'trace ' + attempt.traceId + ' ');
    var url = traceUrl(attempt.traceId);
    if (url) {
      var anchor = el('a', '', 'open in trace viewer');
      anchor.href = url;
      anchor.target = '_blank';
      anchor.rel = 'noopener';
      trace.appendChild(anchor);
    }
    info.appendChild(trace);
    head.appendChild(info);
    showTrace(attempt.root, options.spanId);
    writeAddress(options.write === 'push');
  }

  function codeFrame(frame) {
    var box = el('div', 'frame mono');
    box.appendChild(el('div', 'muted', frame.file + ':' + frame.line + (frame.column ? ':' + frame.column : '')));
    var width = String(frame.lines[frame.lines.length - 1].number).length;
    frame.lines.forEach(function (line) {
      var number = String(line.number);
      while (number.length < width) number = ' ' + number;
      box.appendChild(el('div', line.number === frame.line ? 'at' : '', (line.number === frame.line ? '> ' : '  ') + number + ' | ' + line.text));
    });
    return box;
  }

  // A file's own trace holds its beforeAll/afterAll hooks; its tests are traces of their own. Shown together, in time,
  // each test with its spans (folded at first), each of them opening its test.
  function withTests(suite) {
    var children = suite.root.children.slice();
    model.tests.forEach(function (test, index) {
      if (test.suite !== suite.name) return;
      test.attempts.forEach(function (attempt) {
        children.push(shifted(attempt.root, attempt.startMs - suite.startMs, {index: index, attempt: attempt.attempt}));
      });
    });
    children.sort(function (a, b) { return a.offsetMs - b.offsetMs; });
    return Object.assign({}, suite, {root: Object.assign({}, suite.root, {children: children})});
  }

  function shifted(span, shift, opens) {
    var events = span.events.map(function (event) {
      return typeof event.offsetMs === 'number' ? Object.assign({}, event, {offsetMs: event.offsetMs + shift}) : event;
    });
    var children = span.children.map(function (child) { return shifted(child, shift, opens); });
    return Object.assign({}, span, {offsetMs: span.offsetMs + shift, events: events, children: children, opens: opens});
  }

  // A span received from a service under test names its service.
  function serviceOf(span) {
    var resource = model.resources[span.resource];
    return resource ? resource['service.name'] : undefined;
  }

  function label(span) {
    if (span.http) return span.http.method + ' ' + (span.http.target || span.http.url) + ' → ' + (span.http.statusCode || 'no response') + (span.http.host ? ' · ' + span.http.host : '');
    return span.name + (span.error && span.message ? ' — ' + span.message : '');
  }

  function table(entries) {
    var node = el('table', 'kv');
    entries.forEach(function (entry) {
      var tr = el('tr');
      tr.appendChild(keyCell(entry[0]));
      var value = entry[1];
      tr.appendChild(el('td', '', typeof value === 'string' ? value : JSON.stringify(value)));
      node.appendChild(tr);
    });
    return node;
  }

  // An attribute key breaks only after a dot, an underscore or a dash: http.response.|status_code, never mid-word
  function keyCell(key) {
    var cell = el('td', 'key');
    cell.title = key;
    String(key).split(/(?<=[._-])/).forEach(function (part, position) {
      if (position > 0) cell.appendChild(document.createElement('wbr'));
      cell.appendChild(document.createTextNode(part));
    });
    return cell;
  }

  function showSpan(span) {
    var box = $('span-detail');
    box.textContent = '';
    box.appendChild(el('h3', span.error ? 's-fail' : '', label(span)));
    if (span.opens) {
      var open = el('button', 'link', 'open this test');
      open.addEventListener('click', function () { openTest(span.opens.index, span.opens.attempt, span.type === 'test' ? undefined : span.spanId); });
      box.appendChild(open);
    }
    var facts = [
      ['type', span.type + ' (' + span.kind + ')'],
      ['start', '+' + ms(span.offsetMs)],
      ['duration', ms(span.durationMs)],
      ['status', span.error ? 'ERROR' + (span.message ? ': ' + span.message : '') : 'OK / unset'],
      ['span id', span.spanId]
    ];
    box.appendChild(table(facts));
    box.appendChild(el('h4', '', 'Attributes'));
    var keys = Object.keys(span.attributes).sort();
    box.appendChild(keys.length ? table(keys.map(function (key) { return [key, span.attributes[key]]; })) : el('div', 'muted', 'none'));
    box.appendChild(el('h4', '', 'Events (' + span.events.length + ')'));
    span.events.forEach(function (event) {
      var node = el('div', 'event ' + event.name);
      var at = typeof event.offsetMs === 'number' ? ' +' + ms(event.offsetMs) : '';
      var a = event.attributes || {};
      if (event.name === 'exception') {
        node.appendChild(el('div', 's-fail', (a['exception.type'] || 'exception') + at + ': ' + (a['exception.message'] || '')));
        var frames = String(a['exception.stacktrace'] || '').split('\n').filter(function (line) { return /^\s+at /.test(line); });
        if (frames.length) node.appendChild(el('pre', 'mono', frames.join('\n')));
      } else if (event.name === 'console') {
        node.appendChild(el('div', 'muted', 'console.' + (a['jest.console.level'] || 'log') + at));
        node.appendChild(el('pre', 'mono', a['jest.console.message']));
      } else {
        node.appendChild(el('div', '', event.name + at));
        var names = Object.keys(a);
        if (names.length) node.appendChild(table(names.map(function (key) { return [key, a[key]]; })));
      }
      box.appendChild(node);
    });
    var resource = model.resources[span.resource];
    if (resource) {
      var details = el('details');
      details.appendChild(el('summary', 'muted', 'Resource'));
      details.appendChild(table(Object.keys(resource).sort().map(function (key) { return [key, resource[key]]; })));
      box.appendChild(details);
    }
  }
`;
