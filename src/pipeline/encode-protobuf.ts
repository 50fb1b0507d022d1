import type {AttributeValue, Attributes, HrTime, Link, SpanContext} from '@opentelemetry/api';
import type {InstrumentationScope} from '@opentelemetry/core';
import type {Resource} from '@opentelemetry/resources';
import type {ReadableSpan, TimedEvent} from '@opentelemetry/sdk-trace';
import {isEncoded, type QueuedSpan} from './encoded-span';

/*
 * A batch of spans — the package's span records and the SDK's spans alike — as one OTLP ExportTraceServiceRequest
 * in protobuf (opentelemetry-proto trace/v1, common/v1, resource/v1), written in one pass into one buffer (sized
 * by the previous request): ids and strings written by Buffer straight into it, each message's length written in
 * front of it once its content is known (one byte reserved, the content moved in the rare case it needs more). The fields
 * and their presence are the transformer's (its serializer is the reference the unit test compares with).
 */

/** A scope as OpenTelemetry's SDKs may hand it over: attributes and their dropped count are optional. */
export type Scope = InstrumentationScope & {attributes?: Attributes; droppedAttributesCount?: number};

/** Spans grouped as OTLP groups them: by resource, then by instrumentation scope (both by identity), in order. */
export function groupSpans<S extends Pick<ReadableSpan, 'resource' | 'instrumentationScope'>>(spans: readonly S[]): Map<Resource, Map<InstrumentationScope, S[]>> {
  const byResource = new Map<Resource, Map<InstrumentationScope, S[]>>();
  for (const span of spans) {
    let byScope = byResource.get(span.resource);
    if (!byScope) byResource.set(span.resource, (byScope = new Map()));
    const list = byScope.get(span.instrumentationScope);
    if (list) list.push(span);
    else byScope.set(span.instrumentationScope, [span]);
  }
  return byResource;
}

// Wire types.
const VARINT = 0;
const I64 = 1;
const LEN = 2;
const I32 = 5;

const tag = (field: number, wire: number) => (field << 3) | wire;

const TWO_32 = 4294967296;
const MIN_INT64 = -(2 ** 63);
const MAX_INT64 = 2 ** 63;

/** The size of the last request: the next one's buffer starts a little larger, so that it rarely grows. */
let lastSize = 16 * 1024;

class Writer {
  buf: Buffer;
  pos = 0;

  constructor(size = lastSize + (lastSize >>> 2)) {
    this.buf = Buffer.allocUnsafe(size);
  }

  ensure(size: number): void {
    if (this.pos + size <= this.buf.length) return;
    let length = this.buf.length * 2;
    while (length < this.pos + size) length *= 2;
    const grown = Buffer.allocUnsafe(length);
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }

  byte(value: number): void {
    this.ensure(1);
    this.buf[this.pos++] = value;
  }

  varint(value: number): void {
    this.ensure(10);
    if (value >= 0 && value < TWO_32) {
      let v = value >>> 0;
      while (v > 127) {
        this.buf[this.pos++] = (v & 127) | 128;
        v >>>= 7;
      }
      this.buf[this.pos++] = v;
      return;
    }
    // Negative or 64-bit: two's complement on 64 bits, as int64 is written.
    let v = BigInt.asUintN(64, BigInt(value));
    while (v > 127n) {
      this.buf[this.pos++] = Number(v & 127n) | 128;
      v >>= 7n;
    }
    this.buf[this.pos++] = Number(v);
  }

  fixed32(value: number): void {
    this.ensure(4);
    this.buf.writeUInt32LE(value >>> 0, this.pos);
    this.pos += 4;
  }

  /** Nanoseconds since the epoch, exact without BigInt: seconds split at 16 bits keep every product below 2^53. */
  time(time: HrTime): void {
    this.ensure(8);
    const seconds = time[0];
    const high16 = Math.floor(seconds / 65536) * 1e9;
    const rest = (seconds % 65536) * 1e9 + time[1];
    let low = (high16 % 65536) * 65536 + (rest % TWO_32);
    let high = Math.floor(high16 / 65536) + Math.floor(rest / TWO_32);
    high += Math.floor(low / TWO_32);
    low %= TWO_32;
    this.buf.writeUInt32LE(low >>> 0, this.pos);
    this.buf.writeUInt32LE(high >>> 0, this.pos + 4);
    this.pos += 8;
  }

  double(value: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(value, this.pos);
    this.pos += 8;
  }

  /** A hex id as its bytes, length-delimited. */
  hex(id: string): void {
    this.ensure(id.length);
    const written = this.buf.write(id, this.pos + 1, 'hex');
    this.buf[this.pos] = written;
    this.pos += written + 1;
  }

  /**
   * A string as UTF-8, length-delimited; written by Buffer (native code, cheaper than a loop in JavaScript where a
   * test file's few exports run it before it is optimized).
   */
  string(value: string): void {
    // At most 3 bytes per UTF-16 unit: up to 42 units, the length takes one byte.
    if (value.length < 43) {
      this.ensure(128);
      const written = this.buf.write(value, this.pos + 1, 'utf8');
      this.buf[this.pos] = written;
      this.pos += written + 1;
      return;
    }
    const bytes = Buffer.byteLength(value, 'utf8');
    this.varint(bytes);
    this.ensure(bytes);
    this.pos += this.buf.write(value, this.pos, bytes, 'utf8');
  }

  /** Bytes written as they are (a field encoded already). */
  raw(value: Uint8Array): void {
    this.ensure(value.length);
    this.buf.set(value, this.pos);
    this.pos += value.length;
  }

  bytes(value: Uint8Array): void {
    this.varint(value.length);
    this.ensure(value.length);
    this.buf.set(value, this.pos);
    this.pos += value.length;
  }

  /** Starts a length-delimited message after its tag; returns where its length goes. */
  open(field: number): number {
    this.ensure(2);
    this.buf[this.pos++] = tag(field, LEN);
    return this.pos++;
  }

  close(at: number): void {
    const length = this.pos - at - 1;
    if (length < 128) {
      this.buf[at] = length;
      return;
    }
    const size = length < 16384 ? 2 : length < 2097152 ? 3 : length < 268435456 ? 4 : 5;
    this.ensure(size - 1);
    this.buf.copyWithin(at + size, at + 1, this.pos);
    this.pos += size - 1;
    let v = length;
    let p = at;
    while (v > 127) {
      this.buf[p++] = (v & 127) | 128;
      v >>>= 7;
    }
    this.buf[p] = v;
  }
}

function writeAttributes(w: Writer, field: number, attributes: Attributes): void {
  for (const key in attributes) {
    if (!Object.prototype.hasOwnProperty.call(attributes, key)) continue;
    const pair = w.open(field);
    w.byte(tag(1, LEN));
    w.string(key);
    const value = w.open(2);
    writeValue(w, attributes[key]);
    w.close(value);
    w.close(pair);
  }
}

/** The AnyValue's content; nothing for a value OTLP has no type for (an empty AnyValue, as the transformer's). */
function writeValue(w: Writer, value: AttributeValue | Uint8Array | Record<string, unknown> | null | undefined): void {
  switch (typeof value) {
    case 'string':
      w.byte(tag(1, LEN));
      w.string(value);
      return;
    case 'boolean':
      w.byte(tag(2, VARINT));
      w.byte(value ? 1 : 0);
      return;
    case 'number':
      if (Number.isInteger(value) && value >= MIN_INT64 && value < MAX_INT64) {
        w.byte(tag(3, VARINT));
        w.varint(value);
      } else {
        w.byte(tag(4, I64));
        w.double(value);
      }
      return;
    case 'object':
      if (value === null) return;
      if (value instanceof Uint8Array) {
        w.byte(tag(7, LEN));
        w.bytes(value);
      } else if (Array.isArray(value)) {
        const array = w.open(5);
        for (const item of value) {
          const entry = w.open(1);
          writeValue(w, item);
          w.close(entry);
        }
        w.close(array);
      } else {
        const list = w.open(6);
        writeAttributes(w, 1, value as Attributes);
        w.close(list);
      }
      return;
    default:
      return;
  }
}

/** W3C trace flags with OTLP's "is remote is known" bit, and "is remote". */
function flags(traceFlags: number, remote: boolean | undefined): number {
  return (traceFlags & 255) | 256 | (remote ? 512 : 0);
}

function writeEvent(w: Writer, event: TimedEvent): void {
  const at = w.open(11);
  w.byte(tag(1, I64));
  w.time(event.time);
  w.byte(tag(2, LEN));
  w.string(event.name);
  if (event.attributes) writeAttributes(w, 3, event.attributes);
  w.byte(tag(4, VARINT));
  w.varint(event.droppedAttributesCount || 0);
  w.close(at);
}

/** Fields 1–3 of a Span and of a Span.Link alike: trace id, span id, trace state. */
function writeContext(w: Writer, context: SpanContext): void {
  w.byte(tag(1, LEN));
  w.hex(context.traceId);
  w.byte(tag(2, LEN));
  w.hex(context.spanId);
  const state = context.traceState?.serialize();
  if (state) {
    w.byte(tag(3, LEN));
    w.string(state);
  }
}

function writeLink(w: Writer, link: Link): void {
  const at = w.open(13);
  const context = link.context;
  writeContext(w, context);
  if (link.attributes) writeAttributes(w, 4, link.attributes);
  w.byte(tag(5, VARINT));
  w.varint(link.droppedAttributesCount || 0);
  w.byte(tag(6, I32));
  w.fixed32(flags(context.traceFlags, context.isRemote));
  w.close(at);
}

function writeSpan(w: Writer, span: ReadableSpan): void {
  const at = w.open(2);
  const context = span.spanContext();
  writeContext(w, context);
  const parent = span.parentSpanContext;
  if (parent?.spanId) {
    w.byte(tag(4, LEN));
    w.hex(parent.spanId);
  }
  w.byte(tag(5, LEN));
  w.string(span.name);
  // OTLP's kinds count from 1 (0 is "unspecified").
  if (span.kind != null) {
    w.byte(tag(6, VARINT));
    w.varint(span.kind + 1);
  }
  w.byte(tag(7, I64));
  w.time(span.startTime);
  w.byte(tag(8, I64));
  w.time(span.endTime);
  if (span.attributes) writeAttributes(w, 9, span.attributes);
  w.byte(tag(10, VARINT));
  w.varint(span.droppedAttributesCount || 0);
  for (const event of span.events) writeEvent(w, event);
  w.byte(tag(12, VARINT));
  w.varint(span.droppedEventsCount || 0);
  for (const link of span.links) writeLink(w, link);
  w.byte(tag(14, VARINT));
  w.varint(span.droppedLinksCount || 0);
  const status = w.open(15);
  if (span.status.message) {
    w.byte(tag(2, LEN));
    w.string(span.status.message);
  }
  w.byte(tag(3, VARINT));
  w.varint(span.status.code);
  w.close(status);
  // Field 16: its tag takes two bytes.
  w.varint(tag(16, I32));
  w.fixed32(flags(context.traceFlags, parent?.isRemote));
  w.close(at);
}

function writeScope(w: Writer, scope: Scope): void {
  const at = w.open(1);
  w.byte(tag(1, LEN));
  w.string(scope.name);
  if (scope.version) {
    w.byte(tag(2, LEN));
    w.string(scope.version);
  }
  if (scope.attributes) writeAttributes(w, 3, scope.attributes);
  if (scope.droppedAttributesCount) {
    w.byte(tag(4, VARINT));
    w.varint(scope.droppedAttributesCount);
  }
  w.close(at);
}

/** The writer `encodeSpan` reuses: one span at a time. */
let spanWriter: Writer | undefined;

/** One span as a request holds it (ScopeSpans' field 2, tag and length included), for `encodeTraceRequest` to copy in. */
export function encodeSpan(span: ReadableSpan): Uint8Array {
  const w = (spanWriter ??= new Writer(4096));
  w.pos = 0;
  writeSpan(w, span);
  // Small: Buffer.from copies it into Node's pool of small buffers.
  return Buffer.from(w.buf.subarray(0, w.pos));
}

/** One ExportTraceServiceRequest of every span of the batch: spans, and spans `encodeSpan` wrote already. */
export function encodeTraceRequest(spans: readonly QueuedSpan[]): Uint8Array {
  const w = new Writer();
  for (const [resource, byScope] of groupSpans(spans)) {
    const resourceSpans = w.open(1);
    const resourceAt = w.open(1);
    writeAttributes(w, 1, resource.attributes);
    w.close(resourceAt);
    for (const [scope, list] of byScope) {
      const scopeSpans = w.open(2);
      writeScope(w, scope);
      for (const span of list) {
        if (isEncoded(span)) w.raw(span.bytes);
        else writeSpan(w, span);
      }
      if (scope.schemaUrl) {
        w.byte(tag(3, LEN));
        w.string(scope.schemaUrl);
      }
      w.close(scopeSpans);
    }
    if (resource.schemaUrl) {
      w.byte(tag(3, LEN));
      w.string(resource.schemaUrl);
    }
    w.close(resourceSpans);
  }
  lastSize = Math.max(1024, w.pos);
  return w.buf.subarray(0, w.pos);
}
