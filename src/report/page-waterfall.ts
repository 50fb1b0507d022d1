/**
 * The page's waterfall: one trace's spans as a tree in time, to investigate with. Subtrees collapse and expand, a
 * drag on the minimap or the axis zooms into a time range, "find in trace" marks the spans that match and steps
 * through them, and the keyboard moves through the tree (the ARIA tree pattern). Only the rows of expanded subtrees
 * exist in the document. Part of the page script (see page-script.ts); uses its shared state and helpers, and
 * `showSpan`, `openTest`, `serviceOf` from page-detail.ts.
 */
export const PAGE_WATERFALL = String.raw`
  // Waterfall: rows of the trace in tree order; a row is {span, depth, parent, end}, its subtree the rows before end
  var wf = {rows: [], visible: [], nodes: {}, collapsed: {}, selected: -1, total: 1, from: 0, to: 1, own: undefined, query: '', matches: [], texts: []};
  var tree = $('wf-tree'), wfBox = $('waterfall'), minimap = $('wf-minimap'), scale = $('wf-scale'), findBox = $('find');

  function flatten(span, depth, parent, rows) {
    var index = rows.length;
    rows.push({span: span, depth: depth, parent: parent, end: 0});
    for (var i = 0; i < span.children.length; i++) flatten(span.children[i], depth + 1, index, rows);
    rows[index].end = rows.length;
    return rows;
  }
  function hasChildren(index) { return wf.rows[index].end > index + 1; }

  // A new trace: the span named by the address, else what explains a failure (the deepest ERROR or non-2xx span), else the root
  function showTrace(root, spanId) {
    wf.rows = flatten(root, 0, -1, []);
    wf.own = serviceOf(root);
    wf.collapsed = {};
    wf.texts = [];
    var total = 0, target = -1, culprit = -1, passed = -1;
    wf.rows.forEach(function (row, index) {
      var span = row.span;
      total = Math.max(total, span.offsetMs + span.durationMs);
      // In a file's trace, what explains its failure is in its failed tests (or its own hooks), not in a passing test
      if (span.opens && span.type === 'test' && !span.error) passed = row.end;
      // A file's tests start folded: the file's own hooks and its tests in time, each test's spans a click away
      if (span.opens && span.type === 'test' && hasChildren(index)) wf.collapsed[index] = true;
      if (spanId && span.spanId === spanId) target = index;
      if (index >= passed && row.depth > 0 && span.flagged && (culprit < 0 || row.depth > wf.rows[culprit].depth)) culprit = index;
    });
    wf.total = total || 1;
    wf.from = 0;
    wf.to = wf.total;
    wf.selected = -1;
    findBox.value = '';
    wf.query = '';
    wf.matches = [];
    if (target < 0) target = root.error && culprit >= 0 ? culprit : 0;
    expandTo(target);
    render();
    renderServices();
    selectRow(target, {scroll: true});
  }

  function visibleRows() {
    var out = [];
    for (var i = 0; i < wf.rows.length; i = wf.collapsed[i] ? wf.rows[i].end : i + 1) out.push(i);
    return out;
  }

  function expandTo(index) {
    var changed = false;
    for (var parent = wf.rows[index].parent; parent >= 0; parent = wf.rows[parent].parent) {
      if (wf.collapsed[parent]) { delete wf.collapsed[parent]; changed = true; }
    }
    return changed;
  }

  // Where a time falls on the track, in percent of the range in view (outside 0-100 when out of the zoomed range)
  function x(value) { return ((value - wf.from) / (wf.to - wf.from)) * 100; }
  function clamp(value) { return Math.max(0, Math.min(100, value)); }

  function render() {
    wf.visible = visibleRows();
    wf.nodes = {};
    var fragment = document.createDocumentFragment();
    wf.visible.forEach(function (index) {
      var node = rowNode(index);
      wf.nodes[index] = node;
      fragment.appendChild(node);
    });
    tree.textContent = '';
    tree.appendChild(fragment);
    if (wf.nodes[wf.selected]) tree.setAttribute('aria-activedescendant', 'wf-' + wf.selected);
    drawAxis();
    drawMinimap();
    markMatches();
  }

  function rowNode(index) {
    var row = wf.rows[index], span = row.span;
    var line = el('div', 'wf-row t-' + span.type + (span.error ? ' is-error' : '') + (span.flagged ? ' is-flagged' : ''));
    line.id = 'wf-' + index;
    line.dataset.row = String(index);
    line.dataset.spanId = span.spanId;
    line.setAttribute('role', 'treeitem');
    line.setAttribute('aria-level', String(row.depth + 1));
    line.setAttribute('aria-selected', String(index === wf.selected));
    var name = el('div', 'wf-name');
    name.style.paddingLeft = 4 + row.depth * 14 + 'px';
    var toggle = el('span', 'wf-toggle');
    toggle.setAttribute('aria-hidden', 'true');
    if (hasChildren(index)) {
      line.setAttribute('aria-expanded', String(!wf.collapsed[index]));
      if (wf.collapsed[index]) toggle.dataset.hidden = String(row.end - index - 1);
    }
    name.appendChild(toggle);
    name.appendChild(el('span', 'kind', span.type === 'span' ? span.kind : span.type));
    // Another service's span says whose it is first, where a narrow column never cuts it off (as Jaeger does)
    var service = serviceOf(span);
    var other = service && service !== wf.own;
    if (other) {
      name.appendChild(el('span', 'service ' + serviceClass(service), service));
      line.classList.add('from-service', serviceClass(service));
    }
    if (span.http) name.appendChild(el('span', 'code' + (span.flagged ? ' bad' : ''), span.http.statusCode || 'none'));
    name.appendChild(document.createTextNode(' ' + (span.http ? span.http.method + ' ' + (span.http.target || span.http.url) : label(span))));
    if (span.http && span.http.host) name.appendChild(el('span', 'host', span.http.host));
    name.title = label(span) + (other ? ' · ' + service : '');
    line.appendChild(name);
    line.appendChild(trackNode(span));
    return line;
  }

  // The bar in the range in view, and its duration beside it where there is room: after it, before it, or inside it
  function trackNode(span) {
    var track = el('div', 'wf-track');
    var start = x(span.offsetMs), end = x(span.offsetMs + span.durationMs);
    if (end < 0 || start > 100) {
      track.classList.add('out-of-range');
      return track;
    }
    var left = clamp(start), right = clamp(end);
    var bar = el('div', 'wf-bar');
    bar.style.left = left + '%';
    bar.style.width = right - left + '%';
    track.appendChild(bar);
    var time = el('span', 'wf-ms', ms(span.durationMs));
    if (right <= 72) time.style.left = right + '%';
    else if (left >= 28) { time.classList.add('before'); time.style.right = 100 - left + '%'; }
    else { time.classList.add('inside'); time.style.right = 100 - right + '%'; }
    track.appendChild(time);
    span.events.forEach(function (event) {
      if (typeof event.offsetMs !== 'number') return;
      var at = x(event.offsetMs);
      if (at < 0 || at > 100) return;
      var mark = el('div', 'wf-mark ' + event.name);
      mark.style.left = at + '%';
      mark.title = event.name + ' at ' + ms(event.offsetMs);
      track.appendChild(mark);
    });
    return track;
  }

  function drawAxis() {
    $('wf-count').textContent = plural(wf.rows.length, 'span');
    scale.querySelectorAll('span').forEach(function (tick) { tick.remove(); });
    axisTicks(wf.from, wf.to).forEach(function (tick) {
      var at = x(tick.value);
      var node = el('span', at < 8 ? 'start' : at > 92 ? 'end' : '', tick.label);
      node.style.left = at + '%';
      scale.appendChild(node);
    });
    var zoomed = wf.from > 0 || wf.to < wf.total;
    $('zoom-reset').hidden = !zoomed;
    var view = minimap.querySelector('.wf-window');
    view.hidden = !zoomed;
    view.style.left = (wf.from / wf.total) * 100 + '%';
    view.style.width = ((wf.to - wf.from) / wf.total) * 100 + '%';
  }

  // Round, distinct values: a step of 1, 2 or 5 times a power of ten, at most five ticks over the range in view
  function axisTicks(from, to) {
    var raw = (to - from) / 4;
    var power = Math.pow(10, Math.floor(Math.log10(raw)));
    var step = [1, 2, 5, 10].map(function (f) { return f * power; }).find(function (candidate) { return candidate >= raw; });
    var seconds = to >= 1000 && step >= 100;
    var unit = seconds ? step / 1000 : step;
    var decimals = Math.max(0, -Math.floor(Math.log10(unit) + 1e-9));
    var ticks = [];
    for (var i = Math.ceil(from / step - 1e-9); i * step <= to * (1 + 1e-9); i++) {
      var value = i * step;
      ticks.push({value: value, label: (seconds ? (value / 1000).toFixed(decimals) + ' s' : value.toFixed(decimals) + ' ms')});
    }
    return ticks;
  }

  // The whole trace in miniature, each span a line: the place to drag a range to zoom into
  function drawMinimap() {
    var canvas = minimap.querySelector('canvas');
    var width = minimap.clientWidth, height = minimap.clientHeight;
    var ratio = window.devicePixelRatio || 1;
    canvas.width = Math.max(1, Math.round(width * ratio));
    canvas.height = Math.max(1, Math.round(height * ratio));
    var context = canvas.getContext('2d');
    if (!context) return;
    context.scale(ratio, ratio);
    var style = getComputedStyle(document.documentElement);
    var colour = function (span) {
      var name = span.error ? '--fail' : span.flagged ? '--bar-flag' : span.type === 'http' ? '--bar-http' : span.type === 'hook' ? '--bar-hook' : span.type === 'test' || span.type === 'suite' ? '--bar-test' : '--bar';
      return style.getPropertyValue(name).trim() || '#888';
    };
    var line = Math.max(1, Math.min(4, (height - 4) / wf.rows.length));
    wf.rows.forEach(function (row, index) {
      var span = row.span;
      context.fillStyle = colour(span);
      context.fillRect((span.offsetMs / wf.total) * width, 2 + index * ((height - 4 - line) / Math.max(1, wf.rows.length - 1)), Math.max(1, (span.durationMs / wf.total) * width), line);
    });
  }

  function zoomTo(from, to) {
    var least = wf.total / 1000;
    if (to - from < least) { var middle = (from + to) / 2; from = middle - least / 2; to = middle + least / 2; }
    wf.from = Math.max(0, from);
    wf.to = Math.min(wf.total, to);
    render();
  }
  function resetZoom() { zoomTo(0, wf.total); }

  // A drag across a track picks a range: on the minimap, of the whole trace; on the axis, of the range in view
  function brush(track, whole) {
    track.addEventListener('pointerdown', function (event) {
      if (event.button !== 0 || wf.rows.length === 0) return;
      event.preventDefault();
      var rect = track.getBoundingClientRect();
      var from = whole ? 0 : wf.from, to = whole ? wf.total : wf.to;
      var fraction = function (clientX) { return Math.max(0, Math.min(1, (clientX - rect.left) / rect.width)); };
      var first = fraction(event.clientX);
      var band = el('div', 'wf-brush');
      track.appendChild(band);
      var move = function (next) {
        var last = fraction(next.clientX);
        band.style.left = Math.min(first, last) * 100 + '%';
        band.style.width = Math.abs(last - first) * 100 + '%';
      };
      var up = function (next) {
        window.removeEventListener('pointermove', move);
        window.removeEventListener('pointerup', up);
        band.remove();
        var last = fraction(next.clientX);
        if (Math.abs(last - first) * rect.width < 4) return;
        zoomTo(from + Math.min(first, last) * (to - from), from + Math.max(first, last) * (to - from));
      };
      move(event);
      window.addEventListener('pointermove', move);
      window.addEventListener('pointerup', up);
    });
  }
  brush(minimap, true);
  brush(scale, false);
  $('zoom-reset').addEventListener('click', resetZoom);

  function selectRow(index, options) {
    options = options || {};
    if (!wf.rows[index]) return;
    var old = wf.nodes[wf.selected];
    if (old) old.setAttribute('aria-selected', 'false');
    wf.selected = index;
    var node = wf.nodes[index];
    if (node) {
      node.setAttribute('aria-selected', 'true');
      tree.setAttribute('aria-activedescendant', node.id);
      if (options.scroll) node.scrollIntoView({block: 'nearest'});
    }
    showSpan(wf.rows[index].span);
    markMatches();
    if (options.write) writeAddress(options.write === 'push');
  }

  function toggle(index, open) {
    if (!hasChildren(index)) return;
    var closing = open === undefined ? !wf.collapsed[index] : !open;
    if (closing === Boolean(wf.collapsed[index])) return;
    if (closing) wf.collapsed[index] = true;
    else delete wf.collapsed[index];
    // A selection inside a subtree that folds moves up to the subtree's row
    var moved = closing && wf.selected > index && wf.selected < wf.rows[index].end;
    if (moved) wf.selected = index;
    render();
    if (moved) selectRow(index, {write: 'replace'});
  }

  function setAll(collapsed) {
    wf.collapsed = {};
    if (collapsed) wf.rows.forEach(function (row, index) { if (index > 0 && hasChildren(index)) wf.collapsed[index] = true; });
    // The selection, or the row of the outermost folded subtree it is in
    var shown = wf.selected;
    for (var parent = wf.rows[shown].parent; parent >= 0; parent = wf.rows[parent].parent) if (wf.collapsed[parent]) shown = parent;
    render();
    if (shown !== wf.selected) selectRow(shown, {write: 'replace'});
  }
  $('expand-all').addEventListener('click', function () { setAll(false); });
  $('collapse-all').addEventListener('click', function () { setAll(true); });

  // Enter on a row: a test in a file's trace opens that test (at the span), any other row with children folds or unfolds
  function openRow(index) {
    var span = wf.rows[index].span;
    if (span.opens) openTest(span.opens.index, span.opens.attempt, span.type === 'test' ? undefined : span.spanId);
    else toggle(index);
  }

  tree.addEventListener('click', function (event) {
    var line = event.target.closest('.wf-row');
    if (!line) return;
    var index = Number(line.dataset.row);
    if (event.target.closest('.wf-toggle')) toggle(index);
    else if (index !== wf.selected) selectRow(index, {write: 'push'});
  });
  tree.addEventListener('dblclick', function (event) {
    var line = event.target.closest('.wf-row');
    if (line && !event.target.closest('.wf-toggle')) toggle(Number(line.dataset.row));
  });
  tree.addEventListener('keydown', function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || wf.selected < 0) return;
    var position = wf.visible.indexOf(wf.selected);
    var row = wf.rows[wf.selected];
    var go = function (next) {
      next = Math.max(0, Math.min(wf.visible.length - 1, next));
      selectRow(wf.visible[next], {scroll: true, write: 'replace'});
    };
    switch (event.key) {
      case 'ArrowDown': go(position + 1); break;
      case 'ArrowUp': go(position - 1); break;
      case 'Home': go(0); break;
      case 'End': go(wf.visible.length - 1); break;
      case 'ArrowRight':
        if (hasChildren(wf.selected) && wf.collapsed[wf.selected]) toggle(wf.selected, true);
        else if (hasChildren(wf.selected)) go(position + 1);
        break;
      case 'ArrowLeft':
        if (hasChildren(wf.selected) && !wf.collapsed[wf.selected]) toggle(wf.selected, false);
        else if (row.parent >= 0) selectRow(row.parent, {scroll: true, write: 'replace'});
        else list.focus();
        break;
      case 'Enter': openRow(wf.selected); break;
      case 'Escape':
        if (wf.query) clearFind();
        else if (wf.from > 0 || wf.to < wf.total) resetZoom();
        else list.focus();
        break;
      default: return;
    }
    event.preventDefault();
  });

  // Find in trace: names, addresses, services, span ids, attribute keys and values, events
  function rowText(index) {
    if (wf.texts[index] === undefined) {
      var span = wf.rows[index].span;
      var parts = [label(span), span.name, span.spanId, serviceOf(span) || ''];
      Object.keys(span.attributes).forEach(function (key) { parts.push(key + '=' + String(span.attributes[key])); });
      span.events.forEach(function (event) {
        parts.push(event.name);
        Object.keys(event.attributes || {}).forEach(function (key) { parts.push(String(event.attributes[key])); });
      });
      wf.texts[index] = parts.join('\n').toLowerCase();
    }
    return wf.texts[index];
  }

  function runFind() {
    wf.query = findBox.value.trim().toLowerCase();
    wf.matches = [];
    if (wf.query) for (var i = 0; i < wf.rows.length; i++) if (rowText(i).indexOf(wf.query) !== -1) wf.matches.push(i);
    // As a browser's find does: the first match is shown as it is typed
    if (wf.matches.length) goToMatch(wf.matches[0]);
    else markMatches();
  }

  function goToMatch(index) {
    if (expandTo(index)) render();
    selectRow(index, {scroll: true, write: 'replace'});
  }

  // Next and previous from the selected span, in tree order, round the end
  function stepMatch(forward) {
    var matches = wf.matches;
    if (!matches.length) return;
    var next = forward ? matches.find(function (index) { return index > wf.selected; }) : matches.slice().reverse().find(function (index) { return index < wf.selected; });
    goToMatch(next !== undefined ? next : matches[forward ? 0 : matches.length - 1]);
  }

  function clearFind() {
    findBox.value = '';
    runFind();
    tree.focus();
  }

  function markMatches() {
    var matched = {};
    wf.matches.forEach(function (index) { matched[index] = true; });
    wf.visible.forEach(function (index) {
      var node = wf.nodes[index];
      node.classList.toggle('is-match', Boolean(matched[index]));
      node.classList.toggle('has-match', Boolean(wf.collapsed[index]) && wf.matches.some(function (match) { return match > index && match < wf.rows[index].end; }));
    });
    var count = $('find-count'), total = wf.matches.length, at = wf.matches.indexOf(wf.selected);
    count.textContent = !wf.query ? '' : total === 0 ? 'no match' : at >= 0 ? at + 1 + ' of ' + total : total + (total === 1 ? ' match' : ' matches');
    $('find-prev').disabled = $('find-next').disabled = total === 0;
  }

  var findTimer = 0;
  findBox.addEventListener('input', function () {
    clearTimeout(findTimer);
    findTimer = setTimeout(runFind, 80);
  });
  findBox.addEventListener('keydown', function (event) {
    if (event.key === 'Enter') {
      event.preventDefault();
      clearTimeout(findTimer);
      if (findBox.value.trim().toLowerCase() !== wf.query) runFind();
      else stepMatch(!event.shiftKey);
    } else if (event.key === 'Escape') {
      event.preventDefault();
      clearFind();
    }
  });
  $('find-next').addEventListener('click', function () { stepMatch(true); });
  $('find-prev').addEventListener('click', function () { stepMatch(false); });

  // Services other than the tests' own: one colour each, the same on every trace of the run
  var SERVICES = [];
  model.resources.forEach(function (resource) {
    var name = resource['service.name'];
    if (typeof name === 'string' && SERVICES.indexOf(name) === -1) SERVICES.push(name);
  });
  SERVICES.sort();
  function serviceClass(name) { return 'svc-' + (SERVICES.indexOf(name) % 8); }

  function renderServices() {
    var box = $('wf-services');
    box.textContent = '';
    var seen = [];
    wf.rows.forEach(function (row) {
      var service = serviceOf(row.span);
      if (service && service !== wf.own && seen.indexOf(service) === -1) seen.push(service);
    });
    seen.sort().forEach(function (service) { box.appendChild(el('span', 'service ' + serviceClass(service), service)); });
  }

  window.addEventListener('resize', function () { if (wf.rows.length) drawMinimap(); });
`;
