import {httpOf} from '../report/model';
import type {StoredSpan} from '../shared/store-read';
import type {SpanKindName, SpanSelector, SpanStatusName, TraceSpan} from './types';

/*
 * Which spans a selector picks, and why a span is not picked. Values are compared with the `equals` of the caller's
 * Jest (the matcher context's, which knows asymmetric matchers); a RegExp matches a string. Selectors come from the
 * test file's realm: nothing here relies on `instanceof`.
 */

export type Equals = (actual: unknown, expected: unknown) => boolean;

const KINDS: SpanKindName[] = ['internal', 'internal', 'server', 'client', 'producer', 'consumer'];
const STATUSES: SpanStatusName[] = ['unset', 'ok', 'error'];
export const SELECTOR_KEYS: ReadonlyArray<keyof SpanSelector> = ['name', 'service', 'kind', 'status', 'attributes', 'resource', 'within', 'where'];

/** A stored span (the worker's own, or one received) as assertions read it. */
export function toTraceSpan(span: StoredSpan, origin: TraceSpan['origin']): TraceSpan {
  const http = httpOf(span);
  const service = span.resource['service.name'];
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    ...(span.parentSpanId ? {parentSpanId: span.parentSpanId} : {}),
    name: span.name,
    kind: KINDS[span.kind] ?? 'internal',
    service: typeof service === 'string' ? service : '',
    status: {code: STATUSES[span.status.code] ?? 'unset', ...(span.status.message ? {message: span.status.message} : {})},
    ...(http ? {http: {method: http.method, path: http.target.split(/[?#]/)[0] || '/', ...(http.statusCode !== undefined ? {statusCode: http.statusCode} : {})}} : {}),
    startMs: span.startMs,
    durationMs: Math.max(0, Math.round((span.endMs - span.startMs) * 1000) / 1000),
    attributes: span.attributes,
    resource: span.resource,
    events: span.events,
    origin,
  };
}

export function isRegExp(value: unknown): value is RegExp {
  return Object.prototype.toString.call(value) === '[object RegExp]';
}

/** `actual` matched by `expected`: a RegExp tests a string, anything else goes to `equals`. */
export function matchesValue(actual: unknown, expected: unknown, equals: Equals): boolean {
  if (isRegExp(expected)) {
    if (typeof actual !== 'string') return false;
    expected.lastIndex = 0;
    return expected.test(actual);
  }
  return equals(actual, expected);
}

/** The spans by id, for `within`. */
export type SpanById = ReadonlyMap<string, TraceSpan>;

/** How an attribute's value is said in a reason (the message redacts it). */
export type ShowValue = (key: string, value: unknown) => string;
const showJson: ShowValue = (_key, value) => JSON.stringify(value) ?? String(value);

/** The keys of the selector the span does not match (empty: it matches), each said with what the span has. */
export function mismatches(span: TraceSpan, selector: SpanSelector, equals: Equals, byId: SpanById, show: ShowValue = showJson): string[] {
  const reasons: string[] = [];
  if (selector.name !== undefined) {
    const label = span.http ? `${span.http.method} ${span.http.path}` : undefined;
    if (!matchesValue(span.name, selector.name, equals) && !(label !== undefined && matchesValue(label, selector.name, equals))) {
      reasons.push(`name is "${span.name}"${label && label !== span.name ? ` (${label})` : ''}`);
    }
  }
  if (selector.service !== undefined && !matchesValue(span.service, selector.service, equals)) reasons.push(`service is "${span.service}"`);
  if (selector.kind !== undefined && span.kind !== selector.kind) reasons.push(`kind is ${span.kind}`);
  if (selector.status !== undefined) {
    if (typeof selector.status === 'number') {
      if (span.http?.statusCode !== selector.status) reasons.push(span.http ? `status is ${span.http.statusCode ?? 'none (no response)'}` : 'not an HTTP span');
    } else if (span.status.code !== selector.status) {
      reasons.push(`status is ${span.status.code}`);
    }
  }
  for (const [where, expected, actual] of [
    ['attribute', selector.attributes, span.attributes],
    ['resource attribute', selector.resource, span.resource],
  ] as const) {
    for (const [key, value] of Object.entries(expected ?? {})) {
      if (!(key in actual)) reasons.push(`no ${where} ${key}`);
      else if (!matchesValue(actual[key], value, equals)) reasons.push(`${where} ${key} is ${show(key, actual[key])}`);
    }
  }
  if (selector.within !== undefined && !ancestors(span, byId).some(above => mismatches(above, selector.within!, equals, byId).length === 0)) {
    reasons.push('not within a span matching `within`');
  }
  if (selector.where !== undefined && !selector.where(span)) reasons.push('`where` is false');
  return reasons;
}

export function matches(span: TraceSpan, selector: SpanSelector, equals: Equals, byId: SpanById): boolean {
  return mismatches(span, selector, equals, byId).length === 0;
}

function ancestors(span: TraceSpan, byId: SpanById): TraceSpan[] {
  const found: TraceSpan[] = [];
  const seen = new Set<string>([span.spanId]);
  for (let parent = span.parentSpanId; parent && !seen.has(parent); ) {
    seen.add(parent);
    const above = byId.get(parent);
    if (!above) break;
    found.push(above);
    parent = above.parentSpanId;
  }
  return found;
}

/**
 * A selector that only spans of another process can match: it names a service, and not the test's own. Without a
 * receiver such an assertion cannot be decided either way.
 */
export function needsServices(selector: SpanSelector, ownService: string, equals: Equals): boolean {
  if (selector.service !== undefined && !matchesValue(ownService, selector.service, equals)) return true;
  return selector.within !== undefined && needsServices(selector.within, ownService, equals);
}

/** Problems with the selector itself (not an object, unknown keys, wrong values), said before anything is waited for. */
export function selectorProblems(selector: unknown): string[] {
  if (typeof selector !== 'object' || selector === null || Array.isArray(selector)) return ['the selector must be an object such as {service: "orders-api", name: "POST /payments"}'];
  const problems: string[] = [];
  const given = selector as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!(SELECTOR_KEYS as readonly string[]).includes(key)) problems.push(`unknown selector key "${key}" (known: ${SELECTOR_KEYS.join(', ')})`);
  }
  if (given.kind !== undefined && !(KINDS as unknown[]).includes(given.kind)) problems.push(`kind must be one of ${[...new Set(KINDS)].join(', ')}`);
  if (given.status !== undefined && typeof given.status !== 'number' && !(STATUSES as unknown[]).includes(given.status)) problems.push('status must be "ok", "error", "unset" or an HTTP status code');
  for (const key of ['attributes', 'resource'] as const) {
    const value = given[key];
    if (value !== undefined && (typeof value !== 'object' || value === null || Array.isArray(value))) problems.push(`${key} must be an object of attribute values`);
  }
  if (given.where !== undefined && typeof given.where !== 'function') problems.push('where must be a function of the span');
  if (given.within !== undefined) problems.push(...selectorProblems(given.within).map(problem => `within: ${problem}`));
  return problems;
}
