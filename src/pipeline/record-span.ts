import {randomFillSync} from 'node:crypto';
import {
  context,
  diag,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  trace,
  type Attributes,
  type AttributeValue,
  type Context,
  type Exception,
  type HrTime,
  type Link,
  type Span,
  type SpanContext,
  type SpanOptions,
  type SpanStatus,
  type TimeInput,
  type Tracer,
} from '@opentelemetry/api';
import {AddAttributeDecision, addHrTimes, cleanAttributes, cleanSimpleAttributes, hrTimeDuration, isTimeInput, maybeAddAttribute, millisToHrTime, timeInputToHrTime} from '@opentelemetry/core';
import type {Resource} from '@opentelemetry/resources';
import type {ReadableSpan, SpanProcessor, TimedEvent} from '@opentelemetry/sdk-trace';
import type {InstrumentationScope} from '@opentelemetry/core';
import {ATTR_EXCEPTION_MESSAGE, ATTR_EXCEPTION_STACKTRACE, ATTR_EXCEPTION_TYPE, EVENT_EXCEPTION} from '../shared/semconv';

/*
 * The package's own spans — test, hook and suite, and the `node:http` client spans (src/pipeline/http-client.ts) — as
 * plain records. They go through the same span processors (redaction, the span ledger, the export queues) as the
 * SDK's spans, and keep the SDK's rules for what users write to them (attribute values checked, 128 attributes,
 * events and links at most, an ended span unchanged); they leave out what the package's own spans do not need: the
 * sampler (made only where the parent is sampled: roots, or a sampled upstream span; otherwise the SDK makes them),
 * validating the attributes the package itself sets, and per-span clock anchoring. User spans and other
 * instrumentations' spans are still the SDK's.
 */

const LIMITS = {
  attributeCountLimit: 128,
  attributeValueLengthLimit: Infinity,
  eventCountLimit: 128,
  linkCountLimit: 128,
  attributePerEventCountLimit: 128,
  attributePerLinkCountLimit: 128,
};

/**
 * Random span and trace ids, cut from a pool of random bytes kept as hex (one conversion per 256 span ids instead of
 * one per id), refilled when used up.
 */
const POOL_BYTES = 4096;
const pool = Buffer.alloc(POOL_BYTES);
let hexPool = '';
let offset = POOL_BYTES;
const ZERO_SPAN_ID = '0'.repeat(16);
const ZERO_TRACE_ID = '0'.repeat(32);

function randomHex(bytes: number): string {
  for (;;) {
    if (offset + bytes > POOL_BYTES) {
      randomFillSync(pool);
      hexPool = pool.toString('hex');
      offset = 0;
    }
    const start = offset * 2;
    offset += bytes;
    const hex = hexPool.slice(start, start + bytes * 2);
    // All zeros is an invalid id (span ids are 8 bytes, trace ids 16).
    if (hex !== ZERO_SPAN_ID && hex !== ZERO_TRACE_ID) return hex;
  }
}

/** As the SDK's spans keep time: the start from the wall clock, later times from it plus the monotonic clock. */
function later(start: HrTime, startPerformance: number): HrTime {
  return addHrTimes(start, millisToHrTime(performance.now() - startPerformance));
}

export interface SpanMakerOptions {
  resource: Resource;
  scope: InstrumentationScope;
  /** Called as the SDK's provider calls its processors: onStart, onEnding, onEnd, in this order each. */
  processors: readonly SpanProcessor[];
}

/** Makes the package's own spans; undefined where the SDK must (an upstream parent that is not sampled). */
export class SpanMaker {
  constructor(private readonly options: SpanMakerOptions) {}

  start(name: string, kind: SpanKind, attributes: Attributes, links: Link[], parent: Context): RecordSpan | undefined {
    const parentContext = trace.getSpanContext(parent);
    if (parentContext && (parentContext.traceFlags & TraceFlags.SAMPLED) === 0) return undefined;
    const valid = parentContext && trace.isSpanContextValid(parentContext) ? parentContext : undefined;
    const spanContext: SpanContext = {
      traceId: valid?.traceId ?? randomHex(16),
      spanId: randomHex(8),
      traceFlags: TraceFlags.SAMPLED,
      traceState: valid?.traceState,
    };
    const span = new RecordSpan(name, kind, spanContext, valid, attributes, links, this.options);
    for (const processor of this.options.processors) processor.onStart(span as unknown as Parameters<SpanProcessor['onStart']>[0], parent);
    return span;
  }
}

/**
 * A tracer's `startSpan` for one of the package's own instrumentation scopes: span records where the parent is
 * sampled (or there is none), the SDK's tracer otherwise (its non-recording span still carries the parent's context).
 */
export function recordingStarter(maker: SpanMaker, fallback: Tracer): Pick<Tracer, 'startSpan'> {
  return {
    startSpan(name: string, options: SpanOptions = {}, parent: Context = context.active()): Span {
      if (options.root || options.links?.length || options.startTime !== undefined) return fallback.startSpan(name, options, parent);
      return maker.start(name, options.kind ?? SpanKind.INTERNAL, options.attributes ?? {}, [], parent) ?? fallback.startSpan(name, options, parent);
    },
  };
}

export class RecordSpan implements Span, ReadableSpan {
  readonly startTime: HrTime;
  endTime: HrTime = [0, 0];
  duration: HrTime = [-1, -1];
  status: SpanStatus = {code: SpanStatusCode.UNSET};
  readonly events: TimedEvent[] = [];
  readonly links: Link[];
  readonly resource: Resource;
  readonly instrumentationScope: InstrumentationScope;
  ended = false;
  droppedAttributesCount = 0;
  droppedEventsCount = 0;
  droppedLinksCount = 0;
  private attributeCount: number;
  private readonly startPerformance = performance.now();

  constructor(
    public name: string,
    readonly kind: SpanKind,
    private readonly context: SpanContext,
    readonly parentSpanContext: SpanContext | undefined,
    /** The package's own, valid by construction: taken as they are. */
    readonly attributes: Attributes,
    links: Link[],
    private readonly maker: SpanMakerOptions,
  ) {
    this.startTime = millisToHrTime(Date.now());
    this.links = links;
    this.resource = maker.resource;
    this.instrumentationScope = maker.scope;
    this.attributeCount = Object.keys(attributes).length;
  }

  spanContext(): SpanContext {
    return this.context;
  }

  /** An attribute the package sets itself: valid by construction, never one too many. */
  put(key: string, value: AttributeValue): void {
    if (this.ended) return;
    if (!(key in this.attributes)) this.attributeCount += 1;
    this.attributes[key] = value;
  }

  setAttribute(key: string, value: AttributeValue | undefined): this {
    if (this.isEnded()) return this;
    const decision = maybeAddAttribute({key, value, attributes: this.attributes, limits: LIMITS, currentAttributesCount: this.attributeCount});
    if (decision === AddAttributeDecision.DROP_LIMIT_REACHED) this.droppedAttributesCount += 1;
    else if (decision === AddAttributeDecision.ADD_NEW) this.attributeCount += 1;
    return this;
  }

  setAttributes(attributes: Attributes): this {
    for (const key in attributes) if (Object.prototype.hasOwnProperty.call(attributes, key)) this.setAttribute(key, attributes[key]);
    return this;
  }

  addEvent(name: string, attributesOrTime?: Attributes | TimeInput, time?: TimeInput): this {
    if (this.isEnded()) return this;
    if (this.events.length >= LIMITS.eventCountLimit) {
      this.events.shift();
      this.droppedEventsCount += 1;
    }
    let attributes = attributesOrTime as Attributes | undefined;
    if (isTimeInput(attributesOrTime)) {
      if (!isTimeInput(time)) time = attributesOrTime;
      attributes = undefined;
    }
    const cleaned = cleanSimpleAttributes(attributes, {
      attributeCountLimit: LIMITS.attributePerEventCountLimit,
      attributeValueLengthLimit: LIMITS.attributeValueLengthLimit,
    });
    this.events.push({name, time: time === undefined ? later(this.startTime, this.startPerformance) : timeInputToHrTime(time), ...cleaned});
    return this;
  }

  addLink(link: Link): this {
    if (this.isEnded()) return this;
    if (this.links.length >= LIMITS.linkCountLimit) {
      this.links.shift();
      this.droppedLinksCount += 1;
    }
    const cleaned = cleanAttributes(link.attributes, {
      attributeCountLimit: LIMITS.attributePerLinkCountLimit,
      attributeValueLengthLimit: LIMITS.attributeValueLengthLimit,
    });
    this.links.push({context: link.context, ...cleaned});
    return this;
  }

  addLinks(links: Link[]): this {
    for (const link of links) this.addLink(link);
    return this;
  }

  setStatus(status: SpanStatus): this {
    if (this.isEnded() || status.code === SpanStatusCode.UNSET || this.status.code === SpanStatusCode.OK) return this;
    this.status = status.code === SpanStatusCode.ERROR && typeof status.message === 'string' ? {code: status.code, message: status.message} : {code: status.code};
    return this;
  }

  updateName(name: string): this {
    if (!this.isEnded()) this.name = name;
    return this;
  }

  end(endTime?: TimeInput): void {
    if (this.ended) {
      diag.error(`${this.name} ${this.context.traceId}-${this.context.spanId} - You can only call end() on a span once.`);
      return;
    }
    this.endTime = endTime === undefined ? later(this.startTime, this.startPerformance) : timeInputToHrTime(endTime);
    this.duration = hrTimeDuration(this.startTime, this.endTime);
    if (this.duration[0] < 0) {
      this.endTime = [...this.startTime];
      this.duration = [0, 0];
    }
    const processors = this.maker.processors;
    for (const processor of processors) processor.onEnding?.(this as unknown as Parameters<NonNullable<SpanProcessor['onEnding']>>[0]);
    this.ended = true;
    for (const processor of processors) processor.onEnd(this);
  }

  isRecording(): boolean {
    return !this.ended;
  }

  recordException(exception: Exception, time?: TimeInput): void {
    const attributes: Attributes = {};
    if (typeof exception === 'string') attributes[ATTR_EXCEPTION_MESSAGE] = exception;
    else if (exception) {
      if (exception.code) attributes[ATTR_EXCEPTION_TYPE] = String(exception.code);
      else if (exception.name) attributes[ATTR_EXCEPTION_TYPE] = exception.name;
      if (exception.message) attributes[ATTR_EXCEPTION_MESSAGE] = exception.message;
      if (exception.stack) attributes[ATTR_EXCEPTION_STACKTRACE] = exception.stack;
    }
    if (attributes[ATTR_EXCEPTION_TYPE] || attributes[ATTR_EXCEPTION_MESSAGE]) this.addEvent(EVENT_EXCEPTION, attributes, time);
  }

  private isEnded(): boolean {
    if (this.ended) diag.warn(`Cannot execute the operation on ended Span {traceId: ${this.context.traceId}, spanId: ${this.context.spanId}}`);
    return this.ended;
  }
}
