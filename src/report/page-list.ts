/**
 * The page's list of tests (or files): view switch, status filters, search, and the virtual rows. Part of the page
 * script (see page-script.ts); uses its shared state and helpers, and `select` / `showNothing` from page-detail.ts.
 */
export const PAGE_LIST = String.raw`
  // List: filters, search, virtual rows
  function setView(view) {
    state.view = view;
    state.filter = 'all';
    document.querySelectorAll('.views button').forEach(function (button) {
      button.setAttribute('aria-pressed', String(button.dataset.view === view));
    });
    var filters = $('filters');
    filters.textContent = '';
    ['all'].concat(VIEWS[view].filters).forEach(function (status) {
      var count = status === 'all' ? VIEWS[view].items.length : VIEWS[view].items.filter(function (item) { return item.status === status; }).length;
      if (status !== 'all' && count === 0) return;
      var button = el('button', status === 'all' ? '' : statusClass(status), (status === 'all' ? 'all' : LABELS[status]) + ' ' + count);
      button.dataset.status = status;
      button.setAttribute('aria-pressed', String(status === state.filter));
      button.addEventListener('click', function () {
        state.filter = status;
        filters.querySelectorAll('button').forEach(function (other) { other.setAttribute('aria-pressed', String(other === button)); });
        applyFilter();
      });
      filters.appendChild(button);
    });
    state.selected = -1;
    applyFilter();
  }

  function applyFilter() {
    var items = VIEWS[state.view].items;
    var query = state.query.trim().toLowerCase();
    var shown = [];
    for (var i = 0; i < items.length; i++) {
      if (state.filter !== 'all' && items[i].status !== state.filter) continue;
      if (query && haystack(state.view, i).indexOf(query) === -1) continue;
      shown.push(i);
    }
    state.shown = shown;
    spacer.style.height = shown.length * ROW_HEIGHT + 'px';
    list.scrollTop = 0;
    $('list-count').textContent = shown.length + ' of ' + items.length + ' ' + (items.length === 1 ? VIEWS[state.view].noun.slice(0, -1) : VIEWS[state.view].noun);
    renderRows();
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
      var row = el('div', 'row');
      row.style.top = position * ROW_HEIGHT + 'px';
      row.dataset.index = String(index);
      row.setAttribute('role', 'option');
      row.setAttribute('aria-selected', String(index === state.selected));
      row.appendChild(el('span', 'icon ' + statusClass(item.status), ICONS[item.status] || '·'));
      row.appendChild(el('div', 'name', item.name));
      row.appendChild(el('div', 'sub', state.view === 'tests' ? item.suite + (item.line ? ':' + item.line : '') : item.message || LABELS[item.status] || item.status));
      var meta = el('div', 'meta', ms(item.durationMs));
      if (item.attempts && item.attempts.length > 1) meta.appendChild(el('div', '', item.attempts.length + ' attempts'));
      if (item.failedCalls) meta.appendChild(el('div', 'failed-calls s-flaky', '! ' + item.failedCalls + (item.failedCalls === 1 ? ' failed call' : ' failed calls')));
      row.appendChild(meta);
      fragment.appendChild(row);
    }
    spacer.textContent = '';
    spacer.appendChild(fragment);
  }

  list.addEventListener('scroll', scheduleRows);
  window.addEventListener('resize', scheduleRows);
  list.addEventListener('click', function (event) {
    var row = event.target.closest('.row');
    if (row) select(Number(row.dataset.index));
  });
  list.addEventListener('keydown', function (event) {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    event.preventDefault();
    var position = state.shown.indexOf(state.selected);
    position = Math.max(0, Math.min(state.shown.length - 1, position + (event.key === 'ArrowDown' ? 1 : -1)));
    if (state.shown.length > 0) select(state.shown[position], true);
  });
  var searchTimer = 0;
  $('search').addEventListener('input', function (event) {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(function () { state.query = event.target.value; applyFilter(); }, 120);
  });
  document.querySelectorAll('.views button').forEach(function (button) {
    button.addEventListener('click', function () { if (button.dataset.view !== state.view) { setView(button.dataset.view); showNothing(); } });
  });

  function scrollIntoList(index) {
    var position = state.shown.indexOf(index);
    if (position < 0) return;
    var top = position * ROW_HEIGHT;
    if (top < list.scrollTop) list.scrollTop = top;
    else if (top + ROW_HEIGHT > list.scrollTop + list.clientHeight) list.scrollTop = top + ROW_HEIGHT - list.clientHeight;
  }
`;
