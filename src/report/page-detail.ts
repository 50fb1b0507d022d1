/**
 * The page's details: the selected test or file, its attempts, the waterfall of the chosen attempt's spans, and the
 * selected span's attributes and events. Part of the page script (see page-script.ts); uses its shared state and
 * helpers, and `setView` from page-list.ts.
 */
export const PAGE_DETAIL = String.raw`
  // Detail: the selected test (or file), its attempts, its waterfall, the selected span
  function showNothing() {
    $('detail-head').textContent = '';
    $('attempts').textContent = '';
    $('waterfall').textContent = '';
    $('span-detail').textContent = '';
    $('detail-head').appendChild(el('div', 'empty', VIEWS[state.view].items.length === 0 ? 'No ' + VIEWS[state.view].noun + ' in this run.' : 'Select a test to see its trace.'));
  }

  function select(index, fromKeyboard) {
    state.selected = index;
    var item = VIEWS[state.view].items[index];
    if (!item) return showNothing();
    if (fromKeyboard) scrollIntoList(index);
    renderRows();
    history.replaceState(null, '', '#' + state.view + '/' + index);
    var head = $('detail-head');
    head.textContent = '';
    var title = el('h2');
    title.appendChild(el('span', 'badge ' + statusClass(item.status), LABELS[item.status] || item.status));
    title.appendChild(document.createTextNode(' ' + item.name));
    head.appendChild(title);
    var where = el('div', 'muted');
    if (state.view === 'tests') {
      where.appendChild(document.createTextNode((item.suite || item.file) + (item.line ? ':' + item.line : '') + ' · ' + ms(item.durationMs) + ' · '));
      var suiteIndex = model.suites.findIndex(function (suite) { return suite.name === item.suite; });
      if (suiteIndex >= 0) {
        var link = el('button', 'link', 'file trace');
        link.addEventListener('click', function () { setView('suites'); select(suiteIndex, true); });
        where.appendChild(link);
      }
    } else {
      where.appendChild(document.createTextNode(ms(item.durationMs) + ' · the file\u2019s hooks, and its tests in time'));
    }
    head.appendChild(where);
    var attempts = item.attempts || [withTests(item)];
    var chosen = attempts.length - 1;
    for (var a = attempts.length - 1; a >= 0; a--) if (attempts[a].status === 'fail') { chosen = a; break; }
    renderAttempts(item, attempts, chosen);
  }

  function renderAttempts(item, attempts, chosen) {
    var bar = $('attempts');
    bar.textContent = '';
    if (attempts.length > 1) {
      attempts.forEach(function (attempt, position) {
        var button = el('button', statusClass(attempt.status), 'attempt ' + attempt.attempt + ' ' + (ICONS[attempt.status] || '') + ' ' + ms(attempt.durationMs));
        button.setAttribute('aria-pressed', String(position === chosen));
        button.addEventListener('click', function () { renderAttempts(item, attempts, position); });
        bar.appendChild(button);
      });
    }
    var attempt = attempts[chosen];
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
    renderWaterfall(attempt.root);
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

  // A file's own trace holds its beforeAll/afterAll hooks; its tests are traces of their own. Shown together, in time.
  function withTests(suite) {
    var children = suite.root.children.slice();
    model.tests.forEach(function (test, index) {
      if (test.suite !== suite.name) return;
      test.attempts.forEach(function (attempt) {
        var shift = attempt.startMs - suite.startMs;
        var events = attempt.root.events.map(function (event) {
          return typeof event.offsetMs === 'number' ? Object.assign({}, event, {offsetMs: event.offsetMs + shift}) : event;
        });
        var row = Object.assign({}, attempt.root, {children: [], offsetMs: shift, events: events, testIndex: index});
        children.push(row);
      });
    });
    children.sort(function (a, b) { return a.offsetMs - b.offsetMs; });
    return Object.assign({}, suite, {root: Object.assign({}, suite.root, {children: children})});
  }

  function flatten(span, depth, rows) {
    rows.push({span: span, depth: depth});
    for (var i = 0; i < span.children.length; i++) flatten(span.children[i], depth + 1, rows);
    return rows;
  }

  // A span received from a service under test names its service.
  function serviceOf(span) {
    var resource = model.resources[span.resource];
    return resource ? resource['service.name'] : undefined;
  }

  function renderWaterfall(root) {
    var rows = flatten(root, 0, []);
    var total = 0;
    rows.forEach(function (row) { total = Math.max(total, row.span.offsetMs + row.span.durationMs); });
    total = total || 1;
    var pct = function (value) { return Math.max(0, Math.min(100, (value / total) * 100)) + '%'; };
    var box = $('waterfall');
    box.textContent = '';
    var axis = el('div', 'wf-axis');
    axis.appendChild(el('div', 'wf-name', plural(rows.length, 'span')));
    var scale = el('div', 'wf-track');
    axisTicks(total).forEach(function (tick) {
      var node = el('span', tick.value / total > 0.92 ? 'end' : '', tick.label);
      node.style.left = (tick.value / total) * 100 + '%';
      scale.appendChild(node);
    });
    axis.appendChild(scale);
    box.appendChild(axis);
    var fragment = document.createDocumentFragment();
    var first = null, culprit = null;
    var ownService = serviceOf(root);
    rows.forEach(function (row) {
      var span = row.span;
      var line = el('div', 'wf-row t-' + span.type + (span.error ? ' is-error' : '') + (span.flagged ? ' is-flagged' : ''));
      line.dataset.spanId = span.spanId;
      line.setAttribute('role', 'option');
      var name = el('div', 'wf-name');
      name.style.paddingLeft = 8 + row.depth * 14 + 'px';
      name.appendChild(el('span', 'kind', span.type === 'span' ? span.kind : span.type));
      if (span.http) name.appendChild(el('span', 'code' + (span.flagged ? ' bad' : ''), span.http.statusCode || 'none'));
      name.appendChild(document.createTextNode(' ' + (span.http ? span.http.method + ' ' + (span.http.target || span.http.url) : label(span))));
      if (span.http && span.http.host) name.appendChild(el('span', 'host', span.http.host));
      var service = serviceOf(span);
      if (service && service !== ownService) name.appendChild(el('span', 'service', service));
      name.title = label(span) + (service && service !== ownService ? ' · ' + service : '');
      line.appendChild(name);
      var track = el('div', 'wf-track');
      var bar = el('div', 'wf-bar');
      bar.style.left = pct(span.offsetMs);
      bar.style.width = pct(span.durationMs);
      track.appendChild(bar);
      var time = el('span', 'wf-ms', ms(span.durationMs));
      time.style.left = pct(span.offsetMs + span.durationMs);
      track.appendChild(time);
      span.events.forEach(function (event) {
        if (typeof event.offsetMs !== 'number') return;
        var mark = el('div', 'wf-mark ' + event.name);
        mark.style.left = pct(event.offsetMs);
        mark.title = event.name + ' at ' + ms(event.offsetMs);
        track.appendChild(mark);
      });
      line.appendChild(track);
      line.addEventListener('click', function () { selectSpan(span, line); });
      fragment.appendChild(line);
      if (!first) first = {span: span, line: line};
      if (row.depth > 0 && span.flagged && (!culprit || row.depth > culprit.depth)) culprit = {span: span, line: line, depth: row.depth};
    });
    box.appendChild(fragment);
    // A failure opens on what explains it: the deepest ERROR span or non-2xx answer, not the test's own span.
    var chosen = root.error && culprit ? culprit : first;
    selectSpan(chosen.span, chosen.line);
    if (chosen !== first) chosen.line.scrollIntoView({block: 'nearest'});
  }

  // Round, distinct values: a step of 1, 2 or 5 times a power of ten, at most five ticks from 0
  function axisTicks(total) {
    var raw = total / 4;
    var power = Math.pow(10, Math.floor(Math.log10(raw)));
    var step = [1, 2, 5, 10].map(function (f) { return f * power; }).find(function (candidate) { return candidate >= raw; });
    var seconds = total >= 1000 && step >= 100;
    var unit = seconds ? step / 1000 : step;
    var decimals = Math.max(0, -Math.floor(Math.log10(unit) + 1e-9));
    var ticks = [];
    for (var i = 0; i * step <= total * (1 + 1e-9); i++) {
      var value = i * step;
      ticks.push({value: value, label: (seconds ? (value / 1000).toFixed(decimals) + ' s' : value.toFixed(decimals) + ' ms')});
    }
    return ticks;
  }

  function label(span) {
    if (span.http) return span.http.method + ' ' + (span.http.target || span.http.url) + ' → ' + (span.http.statusCode || 'no response') + (span.http.host ? ' · ' + span.http.host : '');
    return span.name + (span.error && span.message ? ' — ' + span.message : '');
  }

  function table(entries) {
    var node = el('table', 'kv');
    entries.forEach(function (entry) {
      var tr = el('tr');
      tr.appendChild(el('td', '', entry[0]));
      var value = entry[1];
      tr.appendChild(el('td', '', typeof value === 'string' ? value : JSON.stringify(value)));
      node.appendChild(tr);
    });
    return node;
  }

  function selectSpan(span, line) {
    document.querySelectorAll('.wf-row[aria-selected="true"]').forEach(function (row) { row.setAttribute('aria-selected', 'false'); });
    line.setAttribute('aria-selected', 'true');
    var box = $('span-detail');
    box.textContent = '';
    box.appendChild(el('h3', span.error ? 's-fail' : '', label(span)));
    if (span.testIndex !== undefined) {
      var open = el('button', 'link', 'open this test');
      open.addEventListener('click', function () { setView('tests'); select(span.testIndex, true); });
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
