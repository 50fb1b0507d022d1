import type {ReceivedSpan} from './otlp-receiver';

/** Shared assertion helpers over received spans. */

export function spansByName(spans: ReceivedSpan[], name: string): ReceivedSpan[] {
  return spans.filter(span => span.name === name);
}

/** The one span with this name; fails the test when there are none or several. */
export function onlySpan(spans: ReceivedSpan[], name: string): ReceivedSpan {
  const found = spansByName(spans, name);
  if (found.length !== 1) {
    throw new Error(`expected exactly one span named "${name}", found ${found.length}. Names: ${[...new Set(spans.map(span => span.name))].sort().join(' | ')}`);
  }
  return found[0];
}

export function childrenOf(spans: ReceivedSpan[], parent: ReceivedSpan): ReceivedSpan[] {
  return spans.filter(span => span.parentSpanId === parent.spanId && span.traceId === parent.traceId);
}

/** Every span under `root`, however deep. */
export function descendantsOf(spans: ReceivedSpan[], root: ReceivedSpan): ReceivedSpan[] {
  const result: ReceivedSpan[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const next = queue.shift()!;
    for (const child of childrenOf(spans, next)) {
      result.push(child);
      queue.push(child);
    }
  }
  return result;
}

export function exceptions(span: ReceivedSpan): Array<Record<string, unknown>> {
  return span.events.filter(event => event.name === 'exception').map(event => event.attributes);
}

export function testSpans(spans: ReceivedSpan[]): ReceivedSpan[] {
  return spans.filter(span => span.attributes['test.case.name'] !== undefined && span.attributes['jest.test.status'] !== undefined);
}
