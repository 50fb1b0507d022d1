import type {Attributes, AttributeValue, Span, Tracer} from '@opentelemetry/api';
import {activeTestSpan} from '../pipeline/context';

/** `global.otelTest`: the running test's span, for attributes and events that belong to the test itself. */
export interface OtelTestApi {
  /** The span of the running test (inside hooks: the test the hook runs for), or undefined outside tests. */
  readonly span: Span | undefined;
  /** Sets an attribute on the running test's span. Does nothing outside a test. */
  setAttribute(key: string, value: AttributeValue): void;
  /** Sets attributes on the running test's span. Does nothing outside a test. */
  setAttributes(attributes: Attributes): void;
  /** Adds an event to the running test's span. Does nothing outside a test. */
  addEvent(name: string, attributes?: Attributes): void;
}

/** The globals this environment puts in every test file. */
export interface OtelGlobals {
  otelTracer: Tracer;
  otelTest: OtelTestApi;
}

export function createTestApi(fallback: () => Span | undefined): OtelTestApi {
  const current = () => activeTestSpan() ?? fallback();
  return {
    get span() {
      return current();
    },
    setAttribute(key, value) {
      current()?.setAttribute(key, value);
    },
    setAttributes(attributes) {
      current()?.setAttributes(attributes);
    },
    addEvent(name, attributes) {
      current()?.addEvent(name, attributes);
    },
  };
}
