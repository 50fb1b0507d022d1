import {propagation, ROOT_CONTEXT, trace, type Baggage, type Context, type Link, type SpanContext, type TextMapGetter} from '@opentelemetry/api';
import {W3CBaggagePropagator, W3CTraceContextPropagator} from '@opentelemetry/core';

/*
 * The context a CI job hands to the processes it starts, read as OpenTelemetry's "environment variables as context
 * carriers" specification describes: the carrier is the environment, each propagator reads its own fields under the
 * upper-cased key (`traceparent` → TRACEPARENT, `tracestate` → TRACESTATE, `baggage` → BAGGAGE) and alone decides
 * what is valid. The values stay opaque here.
 */

type Env = Record<string, string | undefined>;

/** How test and suite spans relate to the CI span: its children, or roots of their own traces linked to it. */
export type UpstreamMode = 'parent' | 'link';

export interface Upstream {
  /** The CI span (remote, with its trace state), when TRACEPARENT was valid. */
  spanContext?: SpanContext;
  /** Entries of BAGGAGE, carried by every test's context and so sent on with its outgoing calls. */
  baggage?: Baggage;
  mode: UpstreamMode;
}

const envGetter: TextMapGetter<Env> = {
  keys: carrier => Object.keys(carrier),
  get: (carrier, key) => carrier[key.toUpperCase().replace(/[^A-Z0-9_]/g, '_')],
};

/** What the environment carries; undefined when it carries nothing. Problems name the variable that was ignored. */
export function readUpstream(env: Env, mode: UpstreamMode, problems: string[]): Upstream | undefined {
  const carrier = Object.fromEntries(['TRACEPARENT', 'TRACESTATE', 'BAGGAGE'].map(name => [name, env[name]?.trim() || undefined]));
  let spanContext: SpanContext | undefined;
  if (carrier.TRACEPARENT !== undefined) {
    spanContext = trace.getSpanContext(new W3CTraceContextPropagator().extract(ROOT_CONTEXT, carrier, envGetter));
    if (!spanContext) {
      problems.push(`TRACEPARENT="${carrier.TRACEPARENT}" is not a valid W3C traceparent: expected 00-<32 hex trace id>-<16 hex span id>-<2 hex flags>, not all zeros; it is ignored.`);
    }
  }
  let baggage: Baggage | undefined;
  if (carrier.BAGGAGE !== undefined) {
    baggage = propagation.getBaggage(new W3CBaggagePropagator().extract(ROOT_CONTEXT, carrier, envGetter));
    if (!baggage || baggage.getAllEntries().length === 0) {
      baggage = undefined;
      problems.push(`BAGGAGE="${carrier.BAGGAGE}" holds no valid W3C baggage entry: expected key=value pairs separated by commas; it is ignored.`);
    }
  }
  return spanContext || baggage ? {spanContext, baggage, mode} : undefined;
}

/** The context every span of ours starts from: the root, with the upstream baggage. */
export function baseContext(upstream: Upstream | undefined): Context {
  return upstream?.baggage ? propagation.setBaggage(ROOT_CONTEXT, upstream.baggage) : ROOT_CONTEXT;
}

/** The parent context of a test, suite or run span: the CI span in `parent` mode, else none. */
export function topContext(upstream: Upstream | undefined): Context {
  const base = baseContext(upstream);
  return upstream?.spanContext && upstream.mode === 'parent' ? trace.setSpanContext(base, upstream.spanContext) : base;
}

/** The link to the CI span of a test, suite or run span in `link` mode. */
export function upstreamLinks(upstream: Upstream | undefined): Link[] {
  return upstream?.spanContext && upstream.mode === 'link' ? [{context: upstream.spanContext}] : [];
}
