import type {TimelineModel} from './model';
import {PAGE_SCRIPT} from './page-script';
import {PAGE_STYLE} from './page-style';

/**
 * The report as one self-contained HTML page: inline style and script, the model embedded as JSON. Nothing is
 * fetched, so it opens from file:// and can be attached to a CI run as is.
 */
export function renderHtml(model: TimelineModel): string {
  const title = `Test traces${model.runId ? ` · run ${model.runId}` : ''}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
<header>
  <h1>Test traces</h1>
  <span id="run" class="muted mono"></span>
  <span id="totals" class="totals"></span>
</header>
<main>
  <aside id="sidebar">
    <div class="views"><button data-view="tests" aria-pressed="true">Tests</button><button data-view="suites" aria-pressed="false">Files</button></div>
    <input id="search" type="search" placeholder="Filter by name, file or error" aria-label="Filter">
    <div id="filters"></div>
    <div id="list" tabindex="0" role="listbox" aria-label="Tests"><div id="list-spacer"></div></div>
    <div id="list-count"></div>
  </aside>
  <section id="detail">
    <div id="detail-head"></div>
    <div id="attempts"></div>
    <div id="waterfall" role="listbox" aria-label="Spans"></div>
    <div id="span-detail"></div>
  </section>
</main>
<script type="application/json" id="timeline-data">${jsonForScript(model)}</script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
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
