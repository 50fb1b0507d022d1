import type {TimelineModel} from './model';
import {PAGE_SCRIPT} from './page-script';
import {PAGE_STYLE} from './page-style';

/**
 * The report as one self-contained HTML page: inline style and script, the model embedded as JSON. Nothing is
 * fetched, so it opens from file:// and can be attached to a CI run as is.
 */
export function renderHtml(model: TimelineModel): string {
  const title = `Test traces${model.runId ? ` · run ${model.runId}` : ''}`;
  return `${pageStart(title, PAGE_STYLE)}<header>
  <h1>Test traces</h1>
  <span id="run" class="muted mono"></span>
  <span id="totals" class="totals"></span>
</header>
<main>
  <aside id="sidebar">
    <div class="views" role="group" aria-label="View"><button data-view="tests" aria-pressed="true">Tests</button><button data-view="suites" aria-pressed="false">Files</button></div>
    <input id="search" type="search" placeholder="Filter by name, file or error" aria-label="Filter" aria-keyshortcuts="/" autocomplete="off">
    <div id="filters" role="group" aria-label="Status"></div>
    <div id="list-empty" class="empty" role="status" hidden></div>
    <div id="list" tabindex="0" role="listbox" aria-label="Tests"><div id="list-spacer"></div></div>
    <div id="list-count"></div>
  </aside>
  <section id="detail" aria-label="Selected">
    <div id="detail-head"></div>
    <div id="attempts"></div>
    <div id="wf-tools" role="toolbar" aria-label="Trace">
      <input id="find" type="search" placeholder="Find in trace" aria-label="Find in trace" aria-keyshortcuts="f" autocomplete="off">
      <span id="find-count" class="muted" aria-live="polite"></span>
      <button id="find-prev" type="button" aria-label="Previous match" title="Previous match (Shift+Enter)" disabled>&#8593;</button>
      <button id="find-next" type="button" aria-label="Next match" title="Next match (Enter)" disabled>&#8595;</button>
      <button id="expand-all" type="button">Expand all</button>
      <button id="collapse-all" type="button">Collapse all</button>
      <button id="zoom-reset" type="button" hidden>Reset zoom</button>
      <span id="wf-services"></span>
    </div>
    <div id="waterfall">
      <div class="wf-head">
        <div class="wf-mini"><div class="wf-name muted">drag to zoom</div><div class="wf-track" id="wf-minimap" title="Drag to zoom into a time range"><canvas aria-hidden="true"></canvas><div class="wf-window" hidden></div></div></div>
        <div class="wf-axis"><div class="wf-name" id="wf-count"></div><div class="wf-track" id="wf-scale" title="Drag to zoom in"></div></div>
      </div>
      <div id="wf-tree" role="tree" aria-label="Spans" tabindex="0"></div>
    </div>
    <div id="span-detail" aria-label="Span" role="region"></div>
  </section>
</main>
<script type="application/json" id="timeline-data">${jsonForScript(model)}</script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}

/** The start of a self-contained page of the report's, up to its body: the title, and the style inline. */
export function pageStart(title: string, style: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${style}</style>
</head>
<body>
`;
}

/**
 * JSON that cannot end the script element it sits in, nor open a comment there: `<`, `>` and `&` become `\u003c`,
 * `\u003e`, `\u0026` (the same string to JSON.parse). U+2028/2029 too, for readers that treat them as line ends.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, char => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, char => `&#${char.charCodeAt(0)};`);
}
