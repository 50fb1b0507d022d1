/**
 * The page's list of tests (or files): view switch, status filters, search, and the virtual rows. Part of the page
 * script (see page-script.ts); uses its shared state and helpers, and `select` / `showNothing` from page-detail.ts.
 * The list and the detail agree: a search or a filter that hides the selected item selects the first one listed,
 * or shows nothing when nothing matches; the filters count what the search finds.
 */
export const PAGE_LIST = String.raw`
  // List: filters, search, virtual rows
  var chips = {};
  function setView(view) {
    state.view = view;
    state.filter = 'all';
    document.querySelectorAll('.views button').forEach(function (button) {
      button.setAttribute('aria-pressed', String(button.dataset.view === view));
    });
    list.setAttribute('aria-label', view === 'tests' ? 'Tests' : 'Files');
    var filters = $('filters');
    filters.textContent = '';
    filters.hidden = VIEWS[view].items.length === 0;
    chips = {};
    // The statuses of the whole run get a chip each; their counts follow the search
    ['all'].concat(VIEWS[view].filters).forEach(function (status) {
      if (status !== 'all' && !VIEWS[view].items.some(function (item) { return statusOf(item) === status; })) return;
      var button = el('button', status === 'all' ? '' : statusClass(status));
      button.dataset.status = status;
      button.setAttribute('aria-pressed', String(status === state.filter));
      button.addEventListener('click', function () {
        setFilter(status);
        applyFilter();
        keepSelection();
      });
      chips[status] = button;
      filters.appendChild(button);
    });
    state.selected = -1;
    applyFilter();
  }

  function setFilter(status) {
    state.filter = status;
    Object.keys(chips).forEach(function (key) { chips[key].setAttribute('aria-pressed', String(key === status)); });
  }

  function clearListQuery() {
    $('search').value = '';
    state.query = '';
    setFilter('all');
    applyFilter();
  }

  function applyFilter() {
    var view = VIEWS[state.view];
    var items = view.items;
    var query = state.query.trim().toLowerCase();
    var shown = [];
    var counts = {all: 0};
    for (var i = 0; i < items.length; i++) {
      if (query && haystack(state.view, i).indexOf(query) === -1) continue;
      var status = statusOf(items[i]);
      counts.all += 1;
      counts[status] = (counts[status] || 0) + 1;
      if (state.filter === 'all' || status === state.filter) shown.push(i);
    }
    Object.keys(chips).forEach(function (status) {
      chips[status].textContent = (status === 'all' ? 'all' : LABELS[status]) + ' ' + (counts[status] || 0);
    });
    state.shown = shown;
    spacer.style.height = shown.length * ROW_HEIGHT + 'px';
    list.scrollTop = 0;
    $('list-count').textContent = shown.length + ' of ' + items.length + ' ' + (items.length === 1 ? view.noun.slice(0, -1) : view.noun);
    var empty = $('list-empty');
    empty.hidden = shown.length > 0;
    empty.textContent = '';
    if (!shown.length) {
      empty.appendChild(el('div', '', items.length === 0 ? 'No ' + view.noun + ' in this run.' :
        'No ' + (state.filter === 'all' ? '' : LABELS[state.filter] + ' ') + view.noun + ' match' + (query ? ' \u201c' + state.query.trim() + '\u201d' : '') + '.'));
      if (query || state.filter !== 'all') {
        var clear = el('button', 'link', 'Show all ' + view.noun);
        clear.addEventListener('click', function () { clearListQuery(); keepSelection(); list.focus(); });
        empty.appendChild(clear);
      }
    }
    renderRows();
  }

  // The detail shows an item that is listed: the selected one while it is, else the first, else nothing
  function keepSelection() {
    if (state.shown.indexOf(state.selected) !== -1) return;
    if (state.shown.length) select(state.shown[0], {write: 'replace'});
    else {
      state.selected = -1;
      showNothing();
      writeAddress(false);
    }
  }

  var pending = false;
  function scheduleRows() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(function () { pending = false; renderRows(); });
  }

  function renderRows() {
    var items = VIEWS[state.view].items;
    var first = Math.max(0, Math.floor(list.scrollTop / ROW_HEIGHT) - 8);
    var last = Math.min(state.shown.length, Math.ceil((list.scrollTop + list.clientHeight) / ROW_HEIGHT) + 8);
    var fragment = document.createDocumentFragment();
    for (var position = first; position < last; position++) {
      var index = state.shown[position];
      var item = items[index];
      var status = statusOf(item);
      var row = el('div', 'row');
      row.style.top = position * ROW_HEIGHT + 'px';
      row.id = 'item-' + index;
      row.dataset.index = String(index);
      row.setAttribute('role', 'option');
      row.setAttribute('aria-selected', String(index === state.selected));
      row.appendChild(el('span', 'icon ' + statusClass(status), ICONS[status] || '·'));
      row.appendChild(el('div', 'name', item.name));
      var sub = state.view === 'tests' ? item.suite + (item.line ? ':' + item.line : '') : item.message || (item.flakyTests ? 'passed, ' + plural(item.flakyTests, 'flaky test') : LABELS[status] || status);
      row.appendChild(el('div', 'sub', sub));
      var meta = el('div', 'meta', ms(item.durationMs));
      if (item.attempts && item.attempts.length > 1) meta.appendChild(el('div', '', item.attempts.length + ' attempts'));
      if (item.failedCalls) meta.appendChild(el('div', 'failed-calls s-flaky', '! ' + item.failedCalls + (item.failedCalls === 1 ? ' failed call' : ' failed calls')));
      row.appendChild(meta);
      fragment.appendChild(row);
    }
    spacer.textContent = '';
    spacer.appendChild(fragment);
    if (state.shown.indexOf(state.selected) !== -1 && document.getElementById('item-' + state.selected)) list.setAttribute('aria-activedescendant', 'item-' + state.selected);
    else list.removeAttribute('aria-activedescendant');
  }

  list.addEventListener('scroll', scheduleRows);
  window.addEventListener('resize', scheduleRows);
  list.addEventListener('click', function (event) {
    var row = event.target.closest('.row');
    if (row && Number(row.dataset.index) !== state.selected) select(Number(row.dataset.index), {write: 'push'});
  });
  // Up and down move through the list; Enter or Right opens the selected item's trace; Escape clears the search
  list.addEventListener('keydown', function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    var position = state.shown.indexOf(state.selected);
    var move = {ArrowDown: position + 1, ArrowUp: position - 1, Home: 0, End: state.shown.length - 1, PageDown: position + 10, PageUp: position - 10}[event.key];
    if (move !== undefined) {
      event.preventDefault();
      if (state.shown.length > 0) select(state.shown[Math.max(0, Math.min(state.shown.length - 1, move))], {scroll: true, write: 'replace'});
    } else if ((event.key === 'Enter' || event.key === 'ArrowRight') && state.selected >= 0) {
      event.preventDefault();
      tree.focus();
      var node = tree.querySelector('.wf-row[aria-selected="true"]');
      if (node) node.scrollIntoView({block: 'nearest'});
    } else if (event.key === 'Escape' && (state.query || state.filter !== 'all')) {
      event.preventDefault();
      clearListQuery();
      keepSelection();
    }
  });
  var searchTimer = 0;
  function search() {
    clearTimeout(searchTimer);
    state.query = $('search').value;
    applyFilter();
    keepSelection();
  }
  $('search').addEventListener('input', function () {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(search, 120);
  });
  $('search').addEventListener('keydown', function (event) {
    if (event.key === 'Escape') {
      event.preventDefault();
      $('search').value = '';
      search();
      list.focus();
    } else if (event.key === 'Enter' || event.key === 'ArrowDown') {
      event.preventDefault();
      search();
      list.focus();
    }
  });
  document.querySelectorAll('.views button').forEach(function (button) {
    button.addEventListener('click', function () {
      if (button.dataset.view === state.view) return;
      setView(button.dataset.view);
      if (state.shown.length) select(state.shown[0], {write: 'push'});
      else {
        showNothing();
        writeAddress(true);
      }
    });
  });

  function scrollIntoList(index) {
    var position = state.shown.indexOf(index);
    if (position < 0) return;
    var top = position * ROW_HEIGHT;
    if (top < list.scrollTop) list.scrollTop = top;
    else if (top + ROW_HEIGHT > list.scrollTop + list.clientHeight) list.scrollTop = top + ROW_HEIGHT - list.clientHeight;
  }
`;
