/** The report page's stylesheet, inlined so that the file opens anywhere with no network. */
export const PAGE_STYLE = String.raw`
:root {
  --bg: #fff; --fg: #1f2328; --muted: #656d76; --line: #d0d7de; --panel: #f6f8fa; --hover: #eef1f4; --selected: #dbe9ff;
  --fail: #cf222e; --fail-bg: #ffebe9; --flaky: #9a6700; --flaky-bg: #fff8c5; --pass: #1a7f37; --skip: #8c959f;
  --bar: #5b8def; --bar-test: #8c959f; --bar-hook: #a475f9; --bar-http: #1b998b; --bar-flag: #e16f24;
  --focus: #0969da; --match: #fff0a8; --match-line: #d4a72c;
  --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0d1117; --fg: #e6edf3; --muted: #8d96a0; --line: #30363d; --panel: #161b22; --hover: #1c2330; --selected: #1f3a5f;
    --fail: #ff7b72; --fail-bg: #3d1518; --flaky: #d29922; --flaky-bg: #3a2e0a; --pass: #3fb950; --skip: #6e7681;
    --focus: #58a6ff; --match: #4a3f0b; --match-line: #d29922;
  }
}
* { box-sizing: border-box; }
[hidden] { display: none !important; }
html, body { height: 100%; margin: 0; }
body { font: 13px/1.4 system-ui, -apple-system, Segoe UI, sans-serif; color: var(--fg); background: var(--bg); display: flex; flex-direction: column; }
button { font: inherit; color: inherit; cursor: pointer; }
header { display: flex; align-items: baseline; gap: 16px; padding: 10px 16px; border-bottom: 1px solid var(--line); flex-wrap: wrap; }
header h1 { font-size: 16px; margin: 0; }
.muted { color: var(--muted); }
.mono { font-family: var(--mono); }
.totals { display: flex; gap: 12px; }
.s-fail { color: var(--fail); } .s-flaky { color: var(--flaky); } .s-pass { color: var(--pass); } .s-skip, .s-todo { color: var(--skip); }
main { flex: 1; display: flex; min-height: 0; }
#sidebar { flex: none; width: clamp(230px, 34%, 560px); display: flex; flex-direction: column; border-right: 1px solid var(--line); }
.views { display: flex; border-bottom: 1px solid var(--line); }
.views button { flex: 1; border: 0; background: none; padding: 8px; border-bottom: 2px solid transparent; }
.views button[aria-pressed="true"] { border-bottom-color: var(--bar); font-weight: 600; }
#search { margin: 8px; padding: 6px 8px; border: 1px solid var(--line); border-radius: 6px; background: var(--bg); color: var(--fg); font: inherit; }
#filters { display: flex; flex-wrap: wrap; gap: 4px; padding: 0 8px 8px; }
#filters button { border: 1px solid var(--line); background: var(--bg); border-radius: 12px; padding: 2px 10px; }
#filters button[aria-pressed="true"] { background: var(--selected); border-color: var(--bar); }
#list { flex: 1; overflow-y: auto; position: relative; outline: none; border-top: 1px solid var(--line); }
#list-empty { border-top: 1px solid var(--line); }
#list-empty .link { margin-top: 6px; color: var(--bar); background: none; border: 0; padding: 0; text-decoration: underline; }
#list:focus .row[aria-selected="true"], #wf-tree:focus .wf-row[aria-selected="true"] { outline: 2px solid var(--focus); outline-offset: -2px; }
#list:focus-visible, #wf-tree:focus-visible { box-shadow: inset 0 0 0 1px var(--focus); }
button:focus-visible, input:focus-visible { outline: 2px solid var(--focus); outline-offset: 1px; }
#list-spacer { position: relative; }
.row { position: absolute; left: 0; right: 0; height: 44px; padding: 4px 10px 4px 30px; border-bottom: 1px solid var(--line); cursor: pointer; overflow: hidden; }
.row:hover { background: var(--hover); }
.row[aria-selected="true"] { background: var(--selected); }
.row .icon { position: absolute; left: 10px; top: 5px; font-weight: 700; }
.row .name { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; padding-right: 70px; }
.row .sub { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; color: var(--muted); font-size: 12px; padding-right: 70px; }
.row .meta { position: absolute; right: 10px; top: 5px; color: var(--muted); font-size: 12px; text-align: right; }
#list-count { padding: 6px 10px; color: var(--muted); border-top: 1px solid var(--line); }
#detail { flex: 1; display: flex; flex-direction: column; min-width: 0; }
#detail.is-empty #attempts, #detail.is-empty #wf-tools, #detail.is-empty #waterfall, #detail.is-empty #span-detail { display: none; }
#detail.is-empty #detail-head { border-bottom: 0; }
#wf-tools { display: flex; flex-wrap: wrap; align-items: center; gap: 4px 6px; padding: 4px 16px; border-top: 1px solid var(--line); }
#wf-tools button { border: 1px solid var(--line); background: var(--bg); border-radius: 6px; padding: 1px 8px; }
#wf-tools button:disabled { opacity: .45; cursor: default; }
#find { width: 13em; min-width: 8em; padding: 3px 6px; border: 1px solid var(--line); border-radius: 6px; background: var(--bg); color: var(--fg); font: inherit; }
#find-count { min-width: 4.5em; font-size: 12px; }
#wf-services { display: flex; flex-wrap: wrap; gap: 4px; margin-left: auto; }
#wf-services .service { margin: 0; }
#detail-head { padding: 12px 16px 8px; border-bottom: 1px solid var(--line); }
#detail-head h2 { font-size: 15px; margin: 0 0 4px; word-break: break-word; }
#detail-head .message { font-family: var(--mono); white-space: pre-wrap; color: var(--fail); margin: 6px 0 0; max-height: 40vh; overflow: auto; }
#detail-head .frame { white-space: pre; overflow-x: auto; margin: 6px 0; padding: 4px 8px; border-left: 3px solid var(--line); font-size: 12px; }
#detail-head .frame .at { color: var(--fail); font-weight: 600; }
#detail-head a, #detail-head .link { color: var(--bar); background: none; border: 0; padding: 0; text-decoration: underline; }
.badge { display: inline-block; padding: 0 6px; border-radius: 4px; font-size: 12px; font-weight: 600; }
.badge.s-fail { background: var(--fail-bg); } .badge.s-flaky { background: var(--flaky-bg); }
#attempts { display: flex; gap: 4px; padding: 6px 16px; flex-wrap: wrap; }
#attempts:empty { display: none; }
#attempts button { border: 1px solid var(--line); background: var(--bg); border-radius: 6px; padding: 2px 8px; }
#attempts button[aria-pressed="true"] { background: var(--selected); border-color: var(--bar); }
#waterfall { flex: 0 1 auto; max-height: 60%; overflow-y: auto; overflow-x: hidden; min-height: 80px; border-bottom: 1px solid var(--line); }
.wf-head { position: sticky; top: 0; z-index: 1; background: var(--panel); border-bottom: 1px solid var(--line); color: var(--muted); font-size: 11px; }
.wf-mini, .wf-axis, .wf-row { display: flex; }
.wf-mini { height: 26px; border-bottom: 1px solid var(--line); }
.wf-mini .wf-name { font-size: 11px; padding-top: 5px; }
#wf-minimap, #wf-scale { cursor: crosshair; touch-action: none; user-select: none; }
#wf-minimap canvas { position: absolute; inset: 0; width: 100%; height: 100%; }
.wf-window { position: absolute; top: 0; bottom: 0; border: 1px solid var(--focus); box-shadow: 0 0 0 9999px rgba(127, 127, 127, .28); pointer-events: none; }
.wf-mini .wf-track { overflow: hidden; margin-top: 2px; margin-bottom: 2px; }
.wf-axis { height: 20px; }
.wf-brush { position: absolute; top: 0; bottom: 0; background: rgba(9, 105, 218, .18); border: 1px solid var(--focus); pointer-events: none; }
.wf-name { flex: none; width: clamp(150px, 40%, 480px); padding: 3px 8px 3px 4px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.wf-track { flex: 1; min-width: 0; position: relative; margin-right: 10px; }
.wf-row .wf-track { overflow: hidden; }
.wf-axis .wf-track span { position: absolute; top: 3px; transform: translateX(-50%); white-space: nowrap; }
.wf-axis .wf-track span.start { transform: none; }
.wf-axis .wf-track span.end { transform: translateX(-100%); }
.wf-name .host { color: var(--muted); font-weight: normal; margin-left: 8px; }
.wf-toggle { display: inline-block; min-width: 14px; font-size: 10px; color: var(--muted); cursor: pointer; }
.wf-row[aria-expanded="true"] > .wf-name .wf-toggle::before { content: "\25BE"; }
.wf-row[aria-expanded="false"] > .wf-name .wf-toggle::before { content: "\25B8"; }
.wf-row[aria-expanded="false"] > .wf-name .wf-toggle::after { content: attr(data-hidden); margin: 0 3px 0 1px; font-size: 10px; }
.wf-row { cursor: pointer; border-bottom: 1px solid transparent; scroll-margin-top: 48px; }
.wf-row:hover { background: var(--hover); }
.wf-row.is-match { background: var(--match); box-shadow: inset 3px 0 var(--match-line); }
.wf-row.has-match .wf-toggle { color: var(--match-line); font-weight: 700; }
.wf-row[aria-selected="true"] { background: var(--selected); }
.wf-row.is-match[aria-selected="true"] { box-shadow: inset 3px 0 var(--match-line); }
.wf-row.is-error .wf-name, .wf-row.is-flagged .wf-name { color: var(--fail); font-weight: 600; }
.wf-row.is-flagged:not(.is-error) .wf-name { color: var(--flaky); }
.wf-bar { position: absolute; top: 4px; height: 14px; min-width: 2px; border-radius: 2px; background: var(--bar); }
.t-test .wf-bar, .t-suite .wf-bar { background: var(--bar-test); }
.t-hook .wf-bar { background: var(--bar-hook); }
.t-http .wf-bar { background: var(--bar-http); }
.from-service .wf-bar { background: var(--svc); }
.is-flagged .wf-bar { background: var(--bar-flag); }
.is-error .wf-bar { background: var(--fail); }
.wf-ms { position: absolute; top: 3px; font-size: 11px; color: var(--muted); white-space: nowrap; padding-left: 4px; }
.wf-ms.before { padding: 0 4px 0 0; }
.wf-ms.inside { padding: 0 4px 0 0; color: #fff; text-shadow: 0 0 2px rgba(0, 0, 0, .6); }
.wf-mark { position: absolute; top: 2px; width: 2px; height: 18px; background: var(--fg); opacity: .55; }
.wf-mark.exception { background: var(--fail); opacity: 1; }
.svc-0 { --svc: #2f6fde; } .svc-1 { --svc: #b5489a; } .svc-2 { --svc: #6a5acd; } .svc-3 { --svc: #2a8f5a; }
.svc-4 { --svc: #c26d1c; } .svc-5 { --svc: #3f8fb0; } .svc-6 { --svc: #8a6d3b; } .svc-7 { --svc: #7a4fbd; }
.code { display: inline-block; font-size: 11px; font-weight: 600; padding: 0 4px; margin-right: 2px; border-radius: 3px; background: var(--panel); border: 1px solid var(--line); color: var(--pass); }
.code.bad { color: #fff; background: var(--bar-flag); border-color: var(--bar-flag); }
.is-error .code.bad { background: var(--fail); border-color: var(--fail); }
.service { margin: 0 4px 0 2px; padding: 0 4px; border: 1px solid var(--svc, var(--line)); border-radius: 3px; font-size: 10px; font-weight: 600; color: #fff; background: var(--svc, var(--muted)); }
.kind { display: inline-block; min-width: 38px; font-size: 10px; color: var(--muted); text-transform: uppercase; }
#span-detail { flex: 1; overflow: auto; min-width: 0; padding: 10px 16px; min-height: 120px; }
#span-detail .link { color: var(--bar); background: none; border: 0; padding: 0 0 6px; text-decoration: underline; }
#span-detail h3 { margin: 0 0 6px; font-size: 14px; word-break: break-word; }
#span-detail h4 { margin: 14px 0 4px; font-size: 12px; text-transform: uppercase; color: var(--muted); }
table.kv { border-collapse: collapse; width: 100%; font-size: 12px; }
table.kv td { border-top: 1px solid var(--line); padding: 3px 6px; vertical-align: top; overflow-wrap: anywhere; }
table.kv td.key { width: 32%; font-family: var(--mono); color: var(--muted); overflow-wrap: break-word; }
table.kv td:last-child { font-family: var(--mono); white-space: pre-wrap; }
.event { border-left: 3px solid var(--line); padding: 2px 8px; margin: 6px 0; }
.event.exception { border-color: var(--fail); }
.event.exception > div { white-space: pre-wrap; }
.event pre { margin: 4px 0 0; white-space: pre-wrap; font-size: 12px; max-height: 260px; overflow: auto; }
.empty { padding: 24px 16px; color: var(--muted); }
@media (max-width: 1000px) {
  .wf-name { width: clamp(140px, 46%, 480px); }
  .wf-name .kind { display: none; }
  #detail-head, #span-detail, #wf-tools, #attempts { padding-left: 10px; padding-right: 10px; }
}
`;
