import type {InstrumentationScope} from '@opentelemetry/core';
import type {Resource} from '@opentelemetry/resources';
import type {ReadableSpan} from '@opentelemetry/sdk-trace';

/*
 * A span its destination's encoder wrote when the span ended (src/pipeline/export-queue.ts): the bytes its requests
 * hold for it — an OTLP protobuf `Span` field, or the OTLP/JSON text of one span — with the resource and scope it is
 * grouped under. A test file's spans wait in the queue until the file's export; kept as spans, each is a few dozen
 * objects that outlive young-generation collections and are copied and promoted by them, which counted more than
 * encoding them (BENCHMARKS.md). Kept as bytes, a span is one small buffer.
 */
export class EncodedSpan {
  constructor(
    readonly bytes: Uint8Array,
    readonly resource: Resource,
    readonly instrumentationScope: InstrumentationScope,
  ) {}
}

/** What an export queue holds and hands its exporter: spans, or spans encoded already. */
export type QueuedSpan = ReadableSpan | EncodedSpan;

/** Writes one ended span as its destination's requests hold it. */
export type SpanEncoder = (span: ReadableSpan) => Uint8Array;

export function isEncoded(span: QueuedSpan): span is EncodedSpan {
  return span instanceof EncodedSpan;
}
