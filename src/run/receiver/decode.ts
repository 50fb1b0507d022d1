/*
 * OTLP/protobuf ExportTraceServiceRequest → the line of OTLP/JSON the local store holds (hex ids, nanoseconds as
 * decimal strings, lowerCamelCase fields), so the store's readers need nothing new. The JSON text is written
 * straight from the wire, with no object in between: a flood of spans costs a pass over the bytes and the strings
 * of the line, not a tree of objects to serialize again. On the way it counts the spans of each trace, for the
 * receiver's index. Only the trace schema is decoded, from its field numbers (opentelemetry-proto trace/v1,
 * common/v1, resource/v1); unknown fields are skipped as protobuf requires. A body that does not follow the wire
 * format throws.
 */

/**
 * A request as the receiver keeps it: its store line (UTF-8, the newline included: compact, and written as it is),
 * its span count, and the spans of each trace (hex id) in it.
 */
export interface EncodedRequest {
  line: Buffer;
  spans: number;
  traces: Map<string, number>;
}

const LEN = 2;
const VARINT = 0;
const I64 = 1;
const I32 = 5;

/** The bytes of one message being read: `end` is that of the innermost message entered. */
class Wire {
  pos = 0;
  end: number;

  constructor(readonly buf: Buffer) {
    this.end = buf.length;
  }

  /** A varint's low 32 bits, unsigned (tags, lengths, enums, counts). */
  u32(): number {
    const {buf, end} = this;
    let result = 0;
    for (let shift = 0; shift < 70; shift += 7) {
      if (this.pos >= end) throw new Error('truncated varint');
      const byte = buf[this.pos++];
      if (shift < 32) result |= (byte & 0x7f) << shift;
      if (byte < 0x80) return result >>> 0;
    }
    throw new Error('varint too long');
  }

  /** A varint as a signed 64-bit decimal (OTLP/JSON's intValue). */
  int64(): string {
    const start = this.pos;
    let value = 0;
    let scale = 1;
    // Up to 7 bytes (49 bits) are exact as a number; longer ones (negative values take 10) go through BigInt.
    for (let i = 0; i < 7 && this.pos < this.end; i += 1) {
      const byte = this.buf[this.pos++];
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return String(value);
      scale *= 128;
    }
    this.pos = start;
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (this.pos >= this.end) throw new Error('truncated varint');
      const byte = this.buf[this.pos++];
      result |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return BigInt.asIntN(64, result).toString();
    }
    throw new Error('varint too long');
  }

  /** Whether a varint is not zero. */
  bool(): boolean {
    let nonZero = false;
    for (let i = 0; i < 10; i += 1) {
      if (this.pos >= this.end) throw new Error('truncated varint');
      const byte = this.buf[this.pos++];
      if ((byte & 0x7f) !== 0) nonZero = true;
      if (byte < 0x80) return nonZero;
    }
    throw new Error('varint too long');
  }

  /** A fixed64 as an unsigned decimal (nanoseconds). */
  fixed64(): string {
    const at = this.take(8);
    return this.buf.readBigUInt64LE(at).toString();
  }

  double(): number {
    return this.buf.readDoubleLE(this.take(8));
  }

  /** A length-delimited field's bounds in `buf`. */
  span(): number {
    return this.take(this.u32());
  }

  /** A string field, as a JSON string literal. */
  string(): string {
    const start = this.span();
    return JSON.stringify(this.buf.toString('utf8', start, this.pos));
  }

  /** A bytes field as a JSON string of hex (ids). */
  hex(): string {
    const start = this.span();
    return this.buf.toString('hex', start, this.pos);
  }

  base64(): string {
    const start = this.span();
    return this.buf.toString('base64', start, this.pos);
  }

  /** Enters a message field; returns the outer end, for `leave`. */
  enter(): number {
    const length = this.u32();
    if (this.pos + length > this.end) throw new Error('truncated message');
    const outer = this.end;
    this.end = this.pos + length;
    return outer;
  }

  leave(outer: number): void {
    this.pos = this.end;
    this.end = outer;
  }

  /** The next field's number and wire type, as `number * 8 + wireType`. */
  tag(): number {
    const tag = this.u32();
    if (tag >>> 3 === 0) throw new Error('field number 0');
    return tag;
  }

  skip(wireType: number): void {
    if (wireType === VARINT) this.u32();
    else if (wireType === I64) this.take(8);
    else if (wireType === LEN) this.span();
    else if (wireType === I32) this.take(4);
    else throw new Error(`unsupported wire type ${wireType}`);
  }

  /** Moves past `length` bytes; returns where they start. */
  private take(length: number): number {
    const start = this.pos;
    if (length < 0 || start + length > this.end) throw new Error('truncated field');
    this.pos = start + length;
    return start;
  }
}

const EMPTY = Buffer.alloc(0);

const key = (number: number, wireType: number) => number * 8 + wireType;

const join = (list: string, item: string) => (list === '' ? item : `${list},${item}`);

/** The request as one store line (`{"resourceSpans":[…]}`), with its counts. */
export function encodeTraceRequest(body: Uint8Array): EncodedRequest {
  const buf = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const r = new Wire(buf);
  const counts: EncodedRequest = {line: EMPTY, spans: 0, traces: new Map()};
  let resourceSpans = '';
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === key(1, LEN)) resourceSpans = join(resourceSpans, message(r, resourceSpansOf, counts));
    else r.skip(tag & 7);
  }
  // The text is a rope of many small strings until flattened: kept as bytes, it holds one copy, flat.
  counts.line = Buffer.from(`{"resourceSpans":[${resourceSpans}]}\n`, 'utf8');
  return counts;
}

/** The request as OTLP/JSON. */
export function decodeTraceRequest(body: Uint8Array): {resourceSpans: Array<Record<string, unknown>>} {
  return JSON.parse(encodeTraceRequest(body).line.toString('utf8'));
}

function message(r: Wire, read: (r: Wire, counts: EncodedRequest) => string, counts: EncodedRequest): string {
  const outer = r.enter();
  const text = read(r, counts);
  r.leave(outer);
  return text;
}

function resourceSpansOf(r: Wire, counts: EncodedRequest): string {
  let resource = '';
  let scopeSpans = '';
  let schemaUrl = '';
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === key(1, LEN)) resource = message(r, resourceOf, counts);
    else if (tag === key(2, LEN)) scopeSpans = join(scopeSpans, message(r, scopeSpansOf, counts));
    else if (tag === key(3, LEN)) schemaUrl = r.string();
    else r.skip(tag & 7);
  }
  return `{"scopeSpans":[${scopeSpans}]${resource && `,"resource":${resource}`}${schemaUrl && `,"schemaUrl":${schemaUrl}`}}`;
}

function resourceOf(r: Wire, counts: EncodedRequest): string {
  let attributes = '';
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === key(1, LEN)) attributes = join(attributes, message(r, keyValueOf, counts));
    else r.skip(tag & 7);
  }
  return `{"attributes":[${attributes}]}`;
}

function scopeSpansOf(r: Wire, counts: EncodedRequest): string {
  let scope = '';
  let spans = '';
  let schemaUrl = '';
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === key(1, LEN)) scope = message(r, scopeOf, counts);
    else if (tag === key(2, LEN)) spans = join(spans, message(r, spanOf, counts));
    else if (tag === key(3, LEN)) schemaUrl = r.string();
    else r.skip(tag & 7);
  }
  return `{"spans":[${spans}]${scope && `,"scope":${scope}`}${schemaUrl && `,"schemaUrl":${schemaUrl}`}}`;
}

function scopeOf(r: Wire, counts: EncodedRequest): string {
  let name = '';
  let version = '';
  let attributes: string | undefined;
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === key(1, LEN)) name = r.string();
    else if (tag === key(2, LEN)) version = r.string();
    else if (tag === key(3, LEN)) attributes = join(attributes ?? '', message(r, keyValueOf, counts));
    else r.skip(tag & 7);
  }
  const fields = [name && `"name":${name}`, version && `"version":${version}`, attributes !== undefined && `"attributes":[${attributes}]`].filter(Boolean);
  return `{${fields.join(',')}}`;
}

function spanOf(r: Wire, counts: EncodedRequest): string {
  let traceId = '';
  let spanId = '';
  let traceState = '';
  let parentSpanId: string | undefined;
  let name = '""';
  let kind = 0;
  let start = '0';
  let end = '0';
  let attributes = '';
  let events = '';
  let links = '';
  let status = '{}';
  let dropped = '';
  while (r.pos < r.end) {
    const tag = r.tag();
    switch (tag) {
      case key(1, LEN):
        traceId = r.hex();
        break;
      case key(2, LEN):
        spanId = r.hex();
        break;
      case key(3, LEN):
        traceState = r.string();
        break;
      case key(4, LEN):
        parentSpanId = r.hex();
        break;
      case key(5, LEN):
        name = r.string();
        break;
      case key(6, VARINT):
        kind = r.u32();
        break;
      case key(7, I64):
        start = r.fixed64();
        break;
      case key(8, I64):
        end = r.fixed64();
        break;
      case key(9, LEN):
        attributes = join(attributes, message(r, keyValueOf, counts));
        break;
      case key(10, VARINT):
        dropped += `,"droppedAttributesCount":${r.u32()}`;
        break;
      case key(11, LEN):
        events = join(events, message(r, eventOf, counts));
        break;
      case key(12, VARINT):
        dropped += `,"droppedEventsCount":${r.u32()}`;
        break;
      case key(13, LEN):
        links = join(links, message(r, linkOf, counts));
        break;
      case key(14, VARINT):
        dropped += `,"droppedLinksCount":${r.u32()}`;
        break;
      case key(15, LEN):
        status = message(r, statusOf, counts);
        break;
      default:
        r.skip(tag & 7);
    }
  }
  counts.spans += 1;
  if (traceId !== '') counts.traces.set(traceId, (counts.traces.get(traceId) ?? 0) + 1);
  return (
    `{"traceId":"${traceId}","spanId":"${spanId}"${traceState && `,"traceState":${traceState}`}${parentSpanId === undefined ? '' : `,"parentSpanId":"${parentSpanId}"`}` +
    `,"name":${name},"kind":${kind},"startTimeUnixNano":"${start}","endTimeUnixNano":"${end}","attributes":[${attributes}],"events":[${events}],"links":[${links}],"status":${status}${dropped}}`
  );
}

function eventOf(r: Wire, counts: EncodedRequest): string {
  let time = '0';
  let name = '""';
  let attributes = '';
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === key(1, I64)) time = r.fixed64();
    else if (tag === key(2, LEN)) name = r.string();
    else if (tag === key(3, LEN)) attributes = join(attributes, message(r, keyValueOf, counts));
    else r.skip(tag & 7);
  }
  return `{"timeUnixNano":"${time}","name":${name},"attributes":[${attributes}]}`;
}

function linkOf(r: Wire, counts: EncodedRequest): string {
  let traceId = '';
  let spanId = '';
  let traceState = '';
  let attributes = '';
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === key(1, LEN)) traceId = r.hex();
    else if (tag === key(2, LEN)) spanId = r.hex();
    else if (tag === key(3, LEN)) traceState = r.string();
    else if (tag === key(4, LEN)) attributes = join(attributes, message(r, keyValueOf, counts));
    else r.skip(tag & 7);
  }
  return `{"traceId":"${traceId}","spanId":"${spanId}","attributes":[${attributes}]${traceState && `,"traceState":${traceState}`}}`;
}

function statusOf(r: Wire): string {
  let text = '';
  let code = 0;
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === key(2, LEN)) text = r.string();
    else if (tag === key(3, VARINT)) code = r.u32();
    else r.skip(tag & 7);
  }
  return `{"code":${code}${text && `,"message":${text}`}}`;
}

function keyValueOf(r: Wire, counts: EncodedRequest): string {
  let name = '""';
  let value = '';
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === key(1, LEN)) name = r.string();
    else if (tag === key(2, LEN)) value = message(r, anyValueOf, counts);
    else r.skip(tag & 7);
  }
  return `{"key":${name}${value && `,"value":${value}`}}`;
}

function anyValueOf(r: Wire, counts: EncodedRequest): string {
  let out = '{}';
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === key(1, LEN)) out = `{"stringValue":${r.string()}}`;
    else if (tag === key(2, VARINT)) out = `{"boolValue":${r.bool()}}`;
    else if (tag === key(3, VARINT)) out = `{"intValue":"${r.int64()}"}`;
    else if (tag === key(4, I64)) out = `{"doubleValue":${JSON.stringify(r.double())}}`;
    else if (tag === key(5, LEN)) out = `{"arrayValue":{"values":[${message(r, valuesOf(anyValueOf), counts)}]}}`;
    else if (tag === key(6, LEN)) out = `{"kvlistValue":{"values":[${message(r, valuesOf(keyValueOf), counts)}]}}`;
    else if (tag === key(7, LEN)) out = `{"bytesValue":"${r.base64()}"}`;
    else r.skip(tag & 7);
  }
  return out;
}

/** An ArrayValue's or KeyValueList's items (field 1), comma-separated. */
function valuesOf(item: (r: Wire, counts: EncodedRequest) => string) {
  return (r: Wire, counts: EncodedRequest): string => {
    let values = '';
    while (r.pos < r.end) {
      const tag = r.tag();
      if (tag === key(1, LEN)) values = join(values, message(r, item, counts));
      else r.skip(tag & 7);
    }
    return values;
  };
}
