import {ExportResultCode, type ExportResult} from '@opentelemetry/core';
import {TracerProvider, type ReadableSpan, type SpanExporter} from '@opentelemetry/sdk-trace';
import {ExportQueue} from '../../src/pipeline/export-queue';

/** An exporter that answers only when told to, recording each batch it was given. */
class HeldExporter implements SpanExporter {
  readonly batches: ReadableSpan[][] = [];
  private readonly answers: Array<() => void> = [];

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    this.batches.push(spans);
    this.answers.push(() => resultCallback({code: ExportResultCode.SUCCESS}));
  }

  answerAll(): void {
    this.answers.splice(0).forEach(answer => answer());
  }

  async shutdown(): Promise<void> {}
}

function queueWith(exporter: SpanExporter) {
  const queue = new ExportQueue(exporter, {maxQueueSize: 10_000, maxExportBatchSize: 100, scheduledDelayMillis: 60_000});
  const tracer = new TracerProvider({spanProcessors: [queue]}).getTracer('unit-test');
  const end = (count: number) => {
    for (let index = 0; index < count; index += 1) tracer.startSpan(`span ${index}`).end();
  };
  return {queue, end};
}

test('a full batch is exported as it fills, one such export at a time; forceFlush sends the rest in batches', async () => {
  const exporter = new HeldExporter();
  const {queue, end} = queueWith(exporter);
  end(350);
  // The first full batch went out; the next ones wait for its answer.
  expect(exporter.batches.map(batch => batch.length)).toEqual([100]);
  expect(queue.queued).toBe(250);
  const flushed = queue.forceFlush();
  expect(exporter.batches.map(batch => batch.length)).toEqual([100, 100, 100, 50]);
  let settled = false;
  void flushed.then(() => (settled = true));
  await new Promise(resolve => setImmediate(resolve));
  // forceFlush settles when every export of the queue, the earlier one too, was answered.
  expect(settled).toBe(false);
  exporter.answerAll();
  await flushed;
  expect(queue.queued).toBe(0);
});

test('spans over maxQueueSize are not queued (the span ledger counts them as not exported)', () => {
  const exporter = new HeldExporter();
  const queue = new ExportQueue(exporter, {maxQueueSize: 10, maxExportBatchSize: 100, scheduledDelayMillis: 60_000});
  const tracer = new TracerProvider({spanProcessors: [queue]}).getTracer('unit-test');
  for (let index = 0; index < 25; index += 1) tracer.startSpan('span').end();
  expect(queue.queued).toBe(10);
});

test('an exporter that throws settles the flush instead of rejecting it', async () => {
  const throwing: SpanExporter = {
    export: () => {
      throw new Error('broken');
    },
    shutdown: async () => {},
  };
  const {queue, end} = queueWith(throwing);
  end(3);
  await expect(queue.forceFlush()).resolves.toBeUndefined();
});

test('with an encoder, each span is queued as its bytes from the moment it ends; a span the encoder fails on is queued as it is', async () => {
  const exporter = new HeldExporter();
  const encoded: string[] = [];
  const queue = new ExportQueue(exporter, {maxQueueSize: 10_000, maxExportBatchSize: 100, scheduledDelayMillis: 60_000}, span => {
    if (span.name === 'unencodable') throw new Error('cannot encode');
    encoded.push(span.name);
    return Buffer.from(span.name);
  });
  const tracer = new TracerProvider({spanProcessors: [queue]}).getTracer('unit-test');
  tracer.startSpan('first').end();
  // Encoded when it ended, not at the export.
  expect(encoded).toEqual(['first']);
  tracer.startSpan('unencodable').end();
  tracer.startSpan('last').end();
  const flushed = queue.forceFlush();
  const [batch] = exporter.batches as unknown as Array<Array<{bytes?: Uint8Array; name?: string; resource: unknown; instrumentationScope: {name: string}}>>;
  expect(batch.map(item => (item.bytes ? Buffer.from(item.bytes).toString() : `raw ${item.name}`))).toEqual(['first', 'raw unencodable', 'last']);
  expect(batch.every(item => item.resource !== undefined && item.instrumentationScope.name === 'unit-test')).toBe(true);
  exporter.answerAll();
  await flushed;
});
