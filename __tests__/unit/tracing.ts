import {resourceFromAttributes} from '@opentelemetry/resources';
import {InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan, type SpanProcessor} from '@opentelemetry/sdk-trace';
import {SpanMaker} from '../../src/pipeline/record-span';

/** A real SDK pipeline for unit tests: `before` processors, then one exporting to memory as each span ends. */
export function memoryTracing(before: SpanProcessor[] = []) {
  const exporter = new InMemorySpanExporter();
  const processors = [...before, new SimpleSpanProcessor({exporter})];
  const resource = resourceFromAttributes({'service.name': 'unit-test'});
  const provider = new TracerProvider({resource, spanProcessors: processors});
  // The package's own span records, through the same processors (src/record-span.ts).
  const maker = new SpanMaker({resource, scope: {name: 'unit-test'}, processors});
  return {exporter, provider, maker, tracer: provider.getTracer('unit-test'), spans: (): ReadableSpan[] => exporter.getFinishedSpans()};
}

/** The one exported span with this name; throws when there are none or several. */
export function onlySpan(spans: ReadableSpan[], name: string): ReadableSpan {
  const found = spans.filter(span => span.name === name);
  if (found.length !== 1) throw new Error(`expected one span named "${name}", found ${found.length} among: ${spans.map(span => span.name).join(' | ')}`);
  return found[0];
}
