/*
 * OTLP/protobuf ExportTraceServiceRequest → the OTLP/JSON form the local store holds (hex ids, nanoseconds as
 * decimal strings, lowerCamelCase fields), so the store's readers need nothing new. Only the trace schema is
 * decoded, from its field numbers (opentelemetry-proto trace/v1, common/v1, resource/v1); unknown fields are
 * skipped as protobuf requires. A body that does not follow the wire format throws.
 */

type Json = Record<string, unknown>;

class Reader {
  pos = 0;
  constructor(
    private readonly buf: Uint8Array,
    readonly end = buf.length,
  ) {}

  get done(): boolean {
    return this.pos >= this.end;
  }

  varint(): bigint {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (this.pos >= this.end) throw new Error('truncated varint');
      const byte = this.buf[this.pos++];
      result |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return result;
    }
    throw new Error('varint too long');
  }

  int(): number {
    return Number(this.varint() & 0xffffffffn);
  }

  fixed64(): bigint {
    const bytes = this.take(8);
    return new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  }

  double(): number {
    const bytes = this.take(8);
    return new DataView(bytes.buffer, bytes.byteOffset, 8).getFloat64(0, true);
  }

  bytes(): Uint8Array {
    return this.take(this.int());
  }

  message(): Reader {
    const length = this.int();
    if (this.pos + length > this.end) throw new Error('truncated message');
    const inner = new Reader(this.buf, this.pos + length);
    inner.pos = this.pos;
    this.pos += length;
    return inner;
  }

  string(): string {
    return Buffer.from(this.bytes()).toString('utf8');
  }

  skip(wireType: number): void {
    if (wireType === 0) this.varint();
    else if (wireType === 1) this.take(8);
    else if (wireType === 2) this.take(this.int());
    else if (wireType === 5) this.take(4);
    else throw new Error(`unsupported wire type ${wireType}`);
  }

  /** Calls `field` for each field; the handler returns false for fields it does not read, which are skipped. */
  fields(field: (number: number, wireType: number) => boolean): this {
    while (!this.done) {
      const tag = this.int();
      const number = tag >>> 3;
      const wireType = tag & 7;
      if (number === 0) throw new Error('field number 0');
      if (!field(number, wireType)) this.skip(wireType);
    }
    return this;
  }

  private take(length: number): Uint8Array {
    if (length < 0 || this.pos + length > this.end) throw new Error('truncated field');
    const bytes = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return bytes;
  }
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

const LEN = 2;
const VARINT = 0;
const I64 = 1;
const I32 = 5;

/** The request as OTLP/JSON, and the number of spans in it. */
export function decodeTraceRequest(body: Uint8Array): {resourceSpans: Json[]} {
  const resourceSpans: Json[] = [];
  const r = new Reader(body);
  r.fields((n, w) => n === 1 && w === LEN && resourceSpans.push(resourceSpansOf(r.message())) > 0);
  return {resourceSpans};
}

function resourceSpansOf(r: Reader): Json {
  const out: Json = {scopeSpans: []};
  r.fields((n, w) => {
    if (w !== LEN) return false;
    if (n === 1) out.resource = resourceOf(r.message());
    else if (n === 2) (out.scopeSpans as Json[]).push(scopeSpansOf(r.message()));
    else if (n === 3) out.schemaUrl = r.string();
    else return false;
    return true;
  });
  return out;
}

function resourceOf(r: Reader): Json {
  const attributes: Json[] = [];
  r.fields((n, w) => n === 1 && w === LEN && attributes.push(keyValueOf(r.message())) > 0);
  return {attributes};
}

function scopeSpansOf(r: Reader): Json {
  const out: Json = {spans: []};
  r.fields((n, w) => {
    if (w !== LEN) return false;
    if (n === 1) out.scope = scopeOf(r.message());
    else if (n === 2) (out.spans as Json[]).push(spanOf(r.message()));
    else if (n === 3) out.schemaUrl = r.string();
    else return false;
    return true;
  });
  return out;
}

function scopeOf(r: Reader): Json {
  const out: Json = {};
  r.fields((n, w) => {
    if (w !== LEN) return false;
    if (n === 1) out.name = r.string();
    else if (n === 2) out.version = r.string();
    else if (n === 3) ((out.attributes ??= []) as Json[]).push(keyValueOf(r.message()));
    else return false;
    return true;
  });
  return out;
}

function spanOf(r: Reader): Json {
  const out: Json = {traceId: '', spanId: '', name: '', kind: 0, startTimeUnixNano: '0', endTimeUnixNano: '0', attributes: [], events: [], links: [], status: {}};
  r.fields((n, w) => {
    if (w === LEN) {
      if (n === 1) out.traceId = hex(r.bytes());
      else if (n === 2) out.spanId = hex(r.bytes());
      else if (n === 3) out.traceState = r.string();
      else if (n === 4) out.parentSpanId = hex(r.bytes());
      else if (n === 5) out.name = r.string();
      else if (n === 9) (out.attributes as Json[]).push(keyValueOf(r.message()));
      else if (n === 11) (out.events as Json[]).push(eventOf(r.message()));
      else if (n === 13) (out.links as Json[]).push(linkOf(r.message()));
      else if (n === 15) out.status = statusOf(r.message());
      else return false;
    } else if (w === I64 && (n === 7 || n === 8)) {
      out[n === 7 ? 'startTimeUnixNano' : 'endTimeUnixNano'] = r.fixed64().toString();
    } else if (w === VARINT && [6, 10, 12, 14].includes(n)) {
      const value = r.int();
      if (n === 6) out.kind = value;
      else out[n === 10 ? 'droppedAttributesCount' : n === 12 ? 'droppedEventsCount' : 'droppedLinksCount'] = value;
    } else if (w === I32 && n === 16) {
      r.skip(I32);
    } else {
      return false;
    }
    return true;
  });
  return out;
}

function eventOf(r: Reader): Json {
  const out: Json = {timeUnixNano: '0', name: '', attributes: []};
  r.fields((n, w) => {
    if (n === 1 && w === I64) out.timeUnixNano = r.fixed64().toString();
    else if (n === 2 && w === LEN) out.name = r.string();
    else if (n === 3 && w === LEN) (out.attributes as Json[]).push(keyValueOf(r.message()));
    else return false;
    return true;
  });
  return out;
}

function linkOf(r: Reader): Json {
  const out: Json = {traceId: '', spanId: '', attributes: []};
  r.fields((n, w) => {
    if (w !== LEN) return false;
    if (n === 1) out.traceId = hex(r.bytes());
    else if (n === 2) out.spanId = hex(r.bytes());
    else if (n === 3) out.traceState = r.string();
    else if (n === 4) (out.attributes as Json[]).push(keyValueOf(r.message()));
    else return false;
    return true;
  });
  return out;
}

function statusOf(r: Reader): Json {
  const out: Json = {code: 0};
  r.fields((n, w) => {
    if (n === 2 && w === LEN) out.message = r.string();
    else if (n === 3 && w === VARINT) out.code = r.int();
    else return false;
    return true;
  });
  return out;
}

function keyValueOf(r: Reader): Json {
  const out: Json = {key: ''};
  r.fields((n, w) => {
    if (w !== LEN) return false;
    if (n === 1) out.key = r.string();
    else if (n === 2) out.value = anyValueOf(r.message());
    else return false;
    return true;
  });
  return out;
}

function anyValueOf(r: Reader): Json {
  let out: Json = {};
  r.fields((n, w) => {
    if (n === 1 && w === LEN) out = {stringValue: r.string()};
    else if (n === 2 && w === VARINT) out = {boolValue: r.varint() !== 0n};
    else if (n === 3 && w === VARINT) out = {intValue: BigInt.asIntN(64, r.varint()).toString()};
    else if (n === 4 && w === I64) out = {doubleValue: r.double()};
    else if (n === 5 && w === LEN) out = {arrayValue: {values: listOf(r.message(), anyValueOf)}};
    else if (n === 6 && w === LEN) out = {kvlistValue: {values: listOf(r.message(), keyValueOf)}};
    else if (n === 7 && w === LEN) out = {bytesValue: Buffer.from(r.bytes()).toString('base64')};
    else return false;
    return true;
  });
  return out;
}

function listOf(r: Reader, item: (r: Reader) => Json): Json[] {
  const values: Json[] = [];
  r.fields((n, w) => n === 1 && w === LEN && values.push(item(r.message())) > 0);
  return values;
}
