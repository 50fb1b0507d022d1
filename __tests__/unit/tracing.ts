import {InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan, type SpanProcessor} from '@opentelemetry/sdk-trace';

/** A real SDK pipeline for unit tests: `before` processors, then one exporting to memory as each span ends. */
export function memoryTracing(before: SpanProcessor[] = []) {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({spanProcessors: [...before, new SimpleSpanProcessor({exporter})]});
  return {exporter, provider, tracer: provider.getTracer('unit-test'), spans: (): ReadableSpan[] => exporter.getFinishedSpans()};
}

/** The one exported span with this name; throws when there are none or several. */
export function onlySpan(spans: ReadableSpan[], name: string): ReadableSpan {
  const found = spans.filter(span => span.name === name);
  if (found.length !== 1) throw new Error(`expected one span named "${name}", found ${found.length} among: ${spans.map(span => span.name).join(' | ')}`);
  return found[0];
}
