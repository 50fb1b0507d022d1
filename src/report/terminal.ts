import type {CodeFrame} from './code-frame';
import type {TimelineModel, TimelineSpan, TimelineTest} from './model';

/*
 * The terminal summary printed after Jest's own: for each failed test, its error and a compact tree of its last
 * attempt's trace, with failed spans and HTTP calls that did not answer 2xx marked; then the flaky tests, one line
 * each. Plain text unless `color` is set.
 */

export interface TerminalOptions {
  color?: boolean;
  /** `{traceId}` is replaced by each failed test's trace id. */
  traceUrlTemplate?: string;
  /** The HTML report's path, as it should be printed. */
  reportPath?: string;
  /** Failed tests shown with their tree; the others are counted. Default: 20. */
  maxTests?: number;
  /** Spans shown per tree; the others are counted. Default: 40. */
  maxSpans?: number;
}

type Paint = (code: string, text: string) => string;

const RED = '31';
const YELLOW = '33';
const DIM = '2';
const BOLD = '1';

export function renderTerminal(model: TimelineModel, options: TerminalOptions = {}): string {
  const paint: Paint = options.color ? (code, text) => `\u001b[${code}m${text}\u001b[0m` : (_code, text) => text;
  const maxTests = options.maxTests ?? 20;
  const failed = model.tests.filter(test => test.status === 'fail');
  const flaky = model.tests.filter(test => test.status === 'flaky');
  const lines: string[] = [];
  if (failed.length > 0) {
    lines.push('', paint(BOLD, `Traces of failed tests (${failed.length})`));
    for (const test of failed.slice(0, maxTests)) lines.push('', ...failedTest(test, paint, options, model.resources));
    if (failed.length > maxTests) lines.push('', paint(DIM, `… and ${failed.length - maxTests} more failed ${failed.length - maxTests === 1 ? 'test' : 'tests'}: see the HTML report`));
  }
  if (flaky.length > 0) {
    lines.push('', paint(BOLD, `Flaky tests, passed on a retry (${flaky.length})`));
    for (const test of flaky.slice(0, maxTests)) {
      lines.push(`${paint(YELLOW, '↻')} ${test.name}  ${paint(DIM, `(${test.suite}, ${test.attempts.length} attempts)`)}`);
      if (test.message) lines.push(`  ${paint(DIM, test.message)}`);
    }
    if (flaky.length > maxTests) lines.push(paint(DIM, `… and ${flaky.length - maxTests} more`));
  }
  if (options.reportPath) lines.push('', `HTML report: ${options.reportPath}`);
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}

function failedTest(test: TimelineTest, paint: Paint, options: TerminalOptions, resources: TimelineModel['resources']): string[] {
  const last = test.attempts[test.attempts.length - 1];
  const attempt = test.attempts.length > 1 ? `attempt ${last.attempt} of ${test.attempts.length}, ` : '';
  const lines = [`${paint(RED, `✗ ${test.name}`)}  ${paint(DIM, `(${test.suite}, ${attempt}trace ${last.traceId})`)}`];
  const error = last.error ?? last.message;
  if (error) lines.push(...error.split('\n').map(line => (line ? `  ${line}` : '')));
  if (last.frame) lines.push('', ...frameRows(last.frame, paint), '');
  // Spans of another service (received from the services under test) say whose they are.
  const ownService = serviceName(resources, last.root);
  const serviceOf = (span: TimelineSpan) => {
    const name = serviceName(resources, span);
    return name !== ownService ? name : undefined;
  };
  const deepest = deepestFailure(last.root.children);
  if (deepest && deepest.depth > 1) {
    const service = serviceOf(deepest.span);
    // An HTTP call by what it asked and got (`GET /v2/trends → 429`), as in the tree; another span by its name.
    const what = deepest.span.http ? httpCall(deepest.span.http) : deepest.span.name;
    const message = !deepest.span.http && deepest.span.message ? `: ${deepest.span.message}` : '';
    lines.push(`  ${paint(RED, `deepest failure: ${what}${service ? ` (${service})` : ''}${message}`)}`);
  }
  const rows = treeRows(last.root.children, '  ', paint, serviceOf);
  const maxSpans = options.maxSpans ?? 40;
  lines.push(...rows.slice(0, maxSpans));
  if (rows.length > maxSpans) lines.push(`  ${paint(DIM, `… ${rows.length - maxSpans} more ${rows.length - maxSpans === 1 ? 'span' : 'spans'}`)}`);
  if (options.traceUrlTemplate) lines.push(`  ${options.traceUrlTemplate.split('{traceId}').join(last.traceId)}`);
  return lines;
}

type ServiceOf = (span: TimelineSpan) => string | undefined;

/** `> 19 |     expect(response.status).toBe(200);` under `  api.test.js:19:29`, like Jest's own code frame. */
function frameRows(frame: CodeFrame, paint: Paint): string[] {
  const width = String(frame.lines[frame.lines.length - 1].number).length;
  const rows = frame.lines.map(({number, text}) => {
    const row = `${number === frame.line ? '>' : ' '} ${String(number).padStart(width)} | ${text}`.trimEnd();
    return number === frame.line ? paint(RED, `  ${row}`) : paint(DIM, `  ${row}`);
  });
  return [paint(DIM, `  ${frame.file}:${frame.line}${frame.column ? `:${frame.column}` : ''}`), ...rows];
}

function treeRows(spans: TimelineSpan[], indent: string, paint: Paint, serviceOf: ServiceOf): string[] {
  const rows: string[] = [];
  spans.forEach((span, index) => {
    const last = index === spans.length - 1;
    rows.push(`${indent}${paint(DIM, last ? '└ ' : '├ ')}${describeSpan(span, paint, serviceOf(span))}`);
    rows.push(...treeRows(span.children, `${indent}${paint(DIM, last ? '  ' : '│ ')}`, paint, serviceOf));
  });
  return rows;
}

/** The ERROR span furthest down the tree (the first of those as deep), with its depth (1: a child of the test). */
export function deepestFailure(spans: TimelineSpan[], depth = 1): {span: TimelineSpan; depth: number} | undefined {
  let found: {span: TimelineSpan; depth: number} | undefined;
  for (const span of spans) {
    const below = deepestFailure(span.children, depth + 1);
    const here = below ?? (span.error ? {span, depth} : undefined);
    if (here && (!found || here.depth > found.depth)) found = here;
  }
  return found;
}

function serviceName(resources: TimelineModel['resources'], span: TimelineSpan): string | undefined {
  const name = resources[span.resource]?.['service.name'];
  return typeof name === 'string' && name !== '' ? name : undefined;
}

/**
 * `GET /insights → 429 (12 ms, 127.0.0.1:4100)`; `✗` marks an ERROR span, `!` another non-2xx answer;
 * `· orders-api` names the service of a span from another one.
 */
export function describeSpan(span: TimelineSpan, paint: Paint = (_code, text) => text, service?: string): string {
  const ms = `(${[formatMs(span.durationMs), span.kind === 'server' ? 'server' : '', span.http?.host ?? ''].filter(Boolean).join(', ')})${service ? ` · ${service}` : ''}`;
  let text: string;
  if (span.http) {
    text = `${httpCall(span.http)} ${ms}`;
  } else {
    text = `${span.name} ${ms}`;
  }
  if (span.error) return paint(RED, `✗ ${text}${span.message && !span.http ? `: ${span.message}` : ''}`);
  if (span.flagged) return paint(YELLOW, `! ${text}`);
  return text;
}

/** `GET /insights?period=month → 429`. */
function httpCall(http: NonNullable<TimelineSpan['http']>): string {
  return `${http.method} ${http.target} → ${http.statusCode ?? 'no response'}`;
}

function formatMs(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  return `${(ms / 1_000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}
