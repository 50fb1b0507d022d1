import type {AttributeValue, Attributes, HrTime, Link} from '@opentelemetry/api';
import type {ReadableSpan, TimedEvent} from '@opentelemetry/sdk-trace';
import {groupSpans, type Scope} from './encode-protobuf';
import {isEncoded, type QueuedSpan} from './encoded-span';

/*
 * A batch of spans as one OTLP/JSON ExportTraceServiceRequest (the OTLP specification's JSON: hex trace and span ids,
 * 64-bit integers — times and intValue — as decimal strings, enums as integers, lowerCamelCase names), written as
 * UTF-8, without the transformer's intermediate objects: each span's text is made on its own (when it ends, by
 * `encodeSpanJson`, or at the export), so that only short strings are flattened into bytes, and the line is those
 * bytes put together. The fields and their presence are the transformer's; the unit test compares the two.
 */

/** Nanoseconds as a decimal string, exact without BigInt for normalized times. */
function nanos(time: HrTime): string {
  const seconds = time[0];
  const ns = time[1];
  if (Number.isInteger(seconds) && Number.isInteger(ns) && ns >= 0 && ns < 1e9 && seconds >= 0) {
    if (seconds === 0) return String(ns);
    const fraction = String(ns);
    return `${seconds}${'000000000'.slice(fraction.length)}${fraction}`;
  }
  return (BigInt(Math.trunc(seconds)) * 1_000_000_000n + BigInt(Math.trunc(ns))).toString();
}

const MIN_INT64 = -(2 ** 63);
const MAX_INT64 = 2 ** 63;

function value(v: AttributeValue | Uint8Array | Record<string, unknown> | null | undefined): string {
  switch (typeof v) {
    case 'string':
      return `{"stringValue":${JSON.stringify(v)}}`;
    case 'boolean':
      return v ? '{"boolValue":true}' : '{"boolValue":false}';
    case 'number':
      if (Number.isInteger(v) && v >= MIN_INT64 && v < MAX_INT64) return `{"intValue":"${Number.isSafeInteger(v) ? String(v) : BigInt(v).toString()}"}`;
      // The protobuf JSON mapping's names for the doubles JSON has no number for.
      if (!Number.isFinite(v)) return `{"doubleValue":"${Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity'}"}`;
      return `{"doubleValue":${v}}`;
    case 'object': {
      if (v === null) return '{}';
      if (v instanceof Uint8Array) return `{"bytesValue":"${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64')}"}`;
      if (Array.isArray(v)) {
        let out = '{"arrayValue":{"values":[';
        for (let i = 0; i < v.length; i++) out += (i === 0 ? '' : ',') + value(v[i] as AttributeValue);
        return out + ']}}';
      }
      return `{"kvlistValue":{"values":${attributes(v as Attributes)}}}`;
    }
    default:
      return '{}';
  }
}

function attributes(attrs: Attributes): string {
  let out = '[';
  let first = true;
  for (const key in attrs) {
    if (!Object.prototype.hasOwnProperty.call(attrs, key)) continue;
    out += `${first ? '' : ','}{"key":${JSON.stringify(key)},"value":${value(attrs[key])}}`;
    first = false;
  }
  return out + ']';
}

function flags(traceFlags: number, remote: boolean | undefined): number {
  return (traceFlags & 255) | 256 | (remote ? 512 : 0);
}

function event(e: TimedEvent): string {
  return `{"attributes":${e.attributes ? attributes(e.attributes) : '[]'},"name":${JSON.stringify(e.name)},"timeUnixNano":"${nanos(e.time)}","droppedAttributesCount":${e.droppedAttributesCount || 0}}`;
}

function link(l: Link): string {
  const context = l.context;
  const state = context.traceState?.serialize();
  return (
    `{"attributes":${l.attributes ? attributes(l.attributes) : '[]'},"spanId":"${context.spanId}","traceId":"${context.traceId}"` +
    `${state === undefined ? '' : `,"traceState":${JSON.stringify(state)}`},"droppedAttributesCount":${l.droppedAttributesCount || 0},"flags":${flags(context.traceFlags, context.isRemote)}}`
  );
}

function span(s: ReadableSpan): string {
  const context = s.spanContext();
  const parent = s.parentSpanContext;
  const state = context.traceState?.serialize();
  let out = `{"traceId":"${context.traceId}","spanId":"${context.spanId}"`;
  if (parent?.spanId) out += `,"parentSpanId":"${parent.spanId}"`;
  if (state !== undefined) out += `,"traceState":${JSON.stringify(state)}`;
  out += `,"name":${JSON.stringify(s.name)},"kind":${s.kind == null ? 0 : s.kind + 1}`;
  out += `,"startTimeUnixNano":"${nanos(s.startTime)}","endTimeUnixNano":"${nanos(s.endTime)}"`;
  out += `,"attributes":${attributes(s.attributes)},"droppedAttributesCount":${s.droppedAttributesCount || 0}`;
  out += ',"events":[';
  for (let i = 0; i < s.events.length; i++) out += (i === 0 ? '' : ',') + event(s.events[i]);
  out += `],"droppedEventsCount":${s.droppedEventsCount || 0},"status":{"code":${s.status.code}`;
  if (s.status.message !== undefined) out += `,"message":${JSON.stringify(s.status.message)}`;
  out += '},"links":[';
  for (let i = 0; i < s.links.length; i++) out += (i === 0 ? '' : ',') + link(s.links[i]);
  return out + `],"droppedLinksCount":${s.droppedLinksCount || 0},"flags":${flags(context.traceFlags, parent?.isRemote)}}`;
}

function scope(sc: Scope): string {
  let out = `{"name":${JSON.stringify(sc.name)}`;
  if (sc.version !== undefined) out += `,"version":${JSON.stringify(sc.version)}`;
  if (sc.attributes && Object.keys(sc.attributes).length > 0) out += `,"attributes":${attributes(sc.attributes)},"droppedAttributesCount":${sc.droppedAttributesCount ?? 0}`;
  return out + '}';
}

const COMMA = Buffer.from(',');

/** One span's OTLP/JSON text as UTF-8, for `encodeTraceRequestJsonBytes` to copy in. */
export function encodeSpanJson(s: ReadableSpan): Uint8Array {
  return Buffer.from(span(s));
}

/**
 * One ExportTraceServiceRequest of every span of the batch — spans, and spans `encodeSpanJson` wrote already — as one
 * line of JSON in UTF-8, followed by a newline when `newline` says so (a line of the store's file).
 */
export function encodeTraceRequestJsonBytes(spans: readonly QueuedSpan[], newline = false): Buffer {
  const parts: Uint8Array[] = [];
  let out = '{"resourceSpans":[';
  let firstResource = true;
  for (const [resource, byScope] of groupSpans(spans)) {
    out += `${firstResource ? '' : ','}{"resource":{"attributes":${attributes(resource.attributes)},"droppedAttributesCount":0`;
    const schemaUrl = resource.schemaUrl ? `,"schemaUrl":${JSON.stringify(resource.schemaUrl)}` : '';
    out += `${schemaUrl}},"scopeSpans":[`;
    firstResource = false;
    let firstScope = true;
    for (const [sc, list] of byScope) {
      out += `${firstScope ? '' : ','}{"scope":${scope(sc)},"spans":[`;
      firstScope = false;
      parts.push(Buffer.from(out));
      for (let i = 0; i < list.length; i++) {
        if (i > 0) parts.push(COMMA);
        const item = list[i];
        parts.push(isEncoded(item) ? item.bytes : encodeSpanJson(item));
      }
      out = `]${sc.schemaUrl !== undefined ? `,"schemaUrl":${JSON.stringify(sc.schemaUrl)}` : ''}}`;
    }
    out += `]${schemaUrl}}`;
  }
  parts.push(Buffer.from(out + (newline ? ']}\n' : ']}')));
  return Buffer.concat(parts);
}

/** The same request as a string (no newline). */
export function encodeTraceRequestJson(spans: readonly QueuedSpan[]): string {
  return encodeTraceRequestJsonBytes(spans).toString('utf8');
}
