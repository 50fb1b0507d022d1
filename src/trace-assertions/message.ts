import {REDACTED, redactAttribute, redactUrl} from '../pipeline/redact';
import type {Gathered, ServicesState, TraceScope} from './collect';
import type {TraceSpan} from './types';

/*
 * What a trace assertion says when it fails: the spans that did arrive, as a tree like the terminal summary's
 * (`GET /orders/7 → 500 (3 ms, server) · orders-api`), the spans that matched or came nearest, how long it waited
 * and where the services' spans came from. Everything a service sent is redacted as the tests' own spans are.
 */

export interface Redaction {
  secretParams: ReadonlySet<string>;
  secretHeaders: readonly string[];
}

/** A text with the URLs in it redacted (credentials, secret query parameters), word by word. */
export function redactText(text: string, redaction: Redaction): string {
  return text.replace(/[^\s"'<>]+/g, word => (word.includes('://') || word.includes('?') || word.includes('#') ? redactUrl(word, redaction.secretParams) : word));
}

/** Most spans shown in a tree; the others are counted. */
const MAX_ROWS = 60;

export function formatMs(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  return `${(ms / 1_000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

/** One span on one line: `✗` marks an ERROR span, `!` an HTTP answer other than 2xx (or none). */
export function describeSpan(span: TraceSpan, ownService: string, redaction: Redaction): string {
  const label = span.http ? `${span.http.method} ${redactText(span.http.path, redaction)} → ${span.http.statusCode ?? 'no response'}` : redactText(span.name, redaction);
  const kind = span.kind === 'server' || span.kind === 'client' || span.kind === 'producer' || span.kind === 'consumer' ? `, ${span.kind}` : '';
  const service = span.origin === 'service' || span.service !== ownService ? ` · ${span.service || 'unknown service'}` : '';
  const text = `${label} (${formatMs(span.durationMs)}${kind})${service}`;
  if (span.status.code === 'error') return `✗ ${text}${span.status.message ? `: ${redactText(firstLine(span.status.message), redaction)}` : ''}`;
  const code = span.http?.statusCode;
  if (span.http && (code === undefined || code < 200 || code > 299)) return `! ${text}`;
  return text;
}

/** The spans as a tree (children under their parent, by start time); `marked` spans end with `◀`. */
export function treeRows(spans: readonly TraceSpan[], ownService: string, redaction: Redaction, marked: ReadonlySet<TraceSpan> = new Set()): string[] {
  const ids = new Set(spans.map(span => span.spanId));
  const children = new Map<string, TraceSpan[]>();
  const roots: TraceSpan[] = [];
  for (const span of spans) {
    if (span.parentSpanId && ids.has(span.parentSpanId) && span.parentSpanId !== span.spanId) {
      const list = children.get(span.parentSpanId);
      if (list) list.push(span);
      else children.set(span.parentSpanId, [span]);
    } else {
      roots.push(span);
    }
  }
  const rows: string[] = [];
  const seen = new Set<TraceSpan>();
  const visit = (list: TraceSpan[], indent: string, top: boolean) => {
    list.forEach((span, index) => {
      if (seen.has(span)) return;
      seen.add(span);
      const last = index === list.length - 1;
      const branch = top ? '' : last ? '└ ' : '├ ';
      rows.push(`${indent}${branch}${describeSpan(span, ownService, redaction)}${marked.has(span) ? '  ◀' : ''}`);
      visit(children.get(span.spanId) ?? [], top ? indent : `${indent}${last ? '  ' : '│ '}`, false);
    });
  };
  visit(roots, '  ', true);
  if (rows.length <= MAX_ROWS) return rows;
  return [...rows.slice(0, MAX_ROWS), `  … ${rows.length - MAX_ROWS} more spans`];
}

/** How long the assertion waited, and why it stopped. */
export function waitLine(gathered: Gathered, scope: Pick<TraceScope, 'timeoutMillis' | 'quietMillis'>): string {
  const waited = formatMs(gathered.waitedMillis);
  if (gathered.timedOut) {
    const bound = gathered.waitedMillis + 50 < scope.timeoutMillis ? "before the test's own timeout" : `timeoutMillis: ${scope.timeoutMillis}`;
    return `waited ${waited}, the longest it may: ${bound}`;
  }
  if (gathered.settled) return `waited ${waited}, until no span had ended or arrived for ${formatMs(scope.quietMillis)}`;
  return `after ${waited}`;
}

/** Where the services' spans come from, or why there are none. */
export function servicesLine(spans: readonly TraceSpan[], services: ServicesState): string {
  const counts = new Map<string, number>();
  for (const span of spans) if (span.origin === 'service') counts.set(span.service, (counts.get(span.service) ?? 0) + 1);
  const names = [...counts].map(([name, count]) => `${name || 'unknown service'} ${count}`).join(', ');
  switch (services.state) {
    case 'read':
      return `Spans of services: ${names || 'none arrived'}, from the run's receiver${services.dropped > 0 ? ` (which dropped ${services.dropped} spans of this run: over receiver.maxBufferedBytes)` : ''}`;
    case 'no receiver':
      return "Spans of services: not available, no receiver runs in this run (the reporter jest-environment-otel/reporter, or globalSetup jest-environment-otel/global-setup, starts it): only the test's own spans were checked";
    case 'failed':
      return `Spans of services: the run's receiver could not be asked (${services.error}): only the test's own spans were checked`;
    case 'off':
      return `Spans of services: ${services.why}`;
  }
}

/** An attribute value as a message may show it. */
export function showValue(redaction: Redaction): (key: string, value: unknown) => string {
  return (key, value) => {
    const redacted = redactAttribute(key, value, redaction.secretParams, redaction.secretHeaders);
    return redacted === REDACTED ? REDACTED : (JSON.stringify(redacted) ?? String(redacted));
  };
}

function firstLine(text: string): string {
  return text.split('\n').find(line => line.trim() !== '')?.trim() ?? '';
}
