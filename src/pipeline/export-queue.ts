import {context, TraceFlags} from '@opentelemetry/api';
import {suppressTracing} from '@opentelemetry/core';
import type {ReadableSpan, SpanExporter, SpanProcessor} from '@opentelemetry/sdk-trace';
import {EncodedSpan, type QueuedSpan, type SpanEncoder} from './encoded-span';

/*
 * Batches ended spans for one exporter, as BatchSpanProcessor does, without its one flaw for test runs: it holds a
 * timer that keeps the process alive for `exportTimeoutMillis` while an export is unanswered, so a hanging collector
 * kept every worker (and Jest itself, in band) alive past the run. Here nothing keeps the process alive: the
 * exporter's own deadline ends every export, and whoever waits for a flush bounds the wait itself (src/pipeline/telemetry.ts).
 * Spans that cannot be queued are not exported; the span ledger counts them. Where the exporter has an encoder of
 * its own (the store's, OTLP's), a span is kept encoded from the moment it ends (src/pipeline/encoded-span.ts).
 */

export interface ExportQueueOptions {
  maxQueueSize: number;
  maxExportBatchSize: number;
  /** Spans ended this long ago are exported even if the batch is not full. */
  scheduledDelayMillis: number;
}

export class ExportQueue implements SpanProcessor {
  private queue: QueuedSpan[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  /** The export started because a batch filled up: one at a time, like BatchSpanProcessor's. */
  private filling: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly exporter: SpanExporter,
    private readonly options: ExportQueueOptions,
    /** Encodes each span as it ends, as the exporter's requests hold it; a span it fails on is queued as it is. */
    private readonly encode?: SpanEncoder,
  ) {}

  /** Spans ended and not yet handed to the exporter. */
  get queued(): number {
    return this.queue.length;
  }

  onStart(): void {}

  onEnd(span: ReadableSpan): void {
    if ((span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
    if (this.queue.length >= this.options.maxQueueSize) return;
    this.queue.push(this.encode ? this.encoded(span) : span);
    if (this.queue.length >= this.options.maxExportBatchSize) this.exportFullBatch();
    else this.timer ??= setTimeout(() => this.scheduledFlush(), this.options.scheduledDelayMillis).unref();
  }

  private encoded(span: ReadableSpan): QueuedSpan {
    try {
      return new EncodedSpan(this.encode!(span), span.resource, span.instrumentationScope);
    } catch {
      return span;
    }
  }

  /** Exports every queued span and settles when every export of this queue has been answered. Never rejects. */
  async forceFlush(): Promise<void> {
    this.clearTimer();
    while (this.queue.length > 0) this.exportBatch();
    await Promise.all([...this.inFlight]);
  }

  async shutdown(): Promise<void> {
    await this.forceFlush();
    await this.exporter.shutdown();
  }

  /** Not while an export is unanswered: a collector that throttles or crawls gets one request at a time. */
  private scheduledFlush(): void {
    this.timer = undefined;
    if (this.inFlight.size === 0) void this.forceFlush();
    else this.timer = setTimeout(() => this.scheduledFlush(), this.options.scheduledDelayMillis).unref();
  }

  private exportFullBatch(): void {
    if (this.filling) return;
    this.filling = this.exportBatch().then(() => {
      this.filling = undefined;
      if (this.queue.length >= this.options.maxExportBatchSize) this.exportFullBatch();
    });
  }

  private exportBatch(): Promise<void> {
    this.clearTimer();
    const spans = this.queue.length <= this.options.maxExportBatchSize ? this.queue : this.queue.splice(0, this.options.maxExportBatchSize);
    if (spans === this.queue) this.queue = [];
    // A resource whose attributes are still coming (src/pipeline/late-resource.ts) is exported once they came.
    const resource = spans[0]?.resource;
    if (resource?.asyncAttributesPending && resource.waitForAsyncAttributes) {
      return this.track(resource.waitForAsyncAttributes().then(() => this.send(spans), () => this.send(spans)));
    }
    return this.track(this.send(spans));
  }

  private send(spans: QueuedSpan[]): Promise<void> {
    return new Promise<void>(resolve => {
      // The export's own requests are not traced.
      context.with(suppressTracing(context.active()), () => {
        try {
          // Its exporter's encoder made the encoded ones: its serializer writes them as they are.
          this.exporter.export(spans as ReadableSpan[], () => resolve());
        } catch {
          resolve();
        }
      });
    });
  }

  private track(work: Promise<void>): Promise<void> {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
    return work;
  }

  private clearTimer(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
