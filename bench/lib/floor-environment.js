'use strict';

const {join} = require('node:path');
const {context, propagation, trace} = require('@opentelemetry/api');
const {AsyncLocalStorageContextManager} = require('@opentelemetry/context-async-hooks');
const {W3CTraceContextPropagator} = require('@opentelemetry/core');
const {resourceFromAttributes} = require('@opentelemetry/resources');
const {BatchSpanProcessor, TracerProvider} = require('@opentelemetry/sdk-trace');
const NodeEnvironment = require('jest-environment-node').default;
const {OtlpHttpExporter} = require(join(__dirname, '..', '..', 'build', 'pipeline', 'otlp.js'));
const {traceSerializers} = require(join(__dirname, '..', '..', 'build', 'pipeline', 'serializers.js'));

/*
 * The least a Jest tracer built on the OpenTelemetry SDK does, to tell what the SDK itself costs: per worker, a
 * TracerProvider with a BatchSpanProcessor and the package's OTLP/HTTP protobuf exporter, OpenTelemetry's
 * AsyncLocalStorage context manager and the W3C propagator; per test, a root span and a child span per `beforeEach` /
 * `afterEach` hook, the test and hook functions run in their span's context (so that spans made inside them would
 * have their parent); a flush at each file's teardown. Nothing else: no attributes beyond the test's name and result,
 * no location, console, suite span, redaction, HTTP or fetch tracing.
 *
 * BENCH_FLOOR=pipeline builds the pipeline and makes no span; BENCH_FLOOR=spans (the default) makes the spans;
 * BENCH_FLOOR=unexported makes them through a provider without processors, so that they are dropped as they end. All
 * three load the same modules (the OTLP serializer too, which the exporter would otherwise load on its first export),
 * so their differences are the SDK's span path, and its export, whatever loading costs.
 */

const mode = process.env.BENCH_FLOOR ?? 'spans';
const makesSpans = mode !== 'pipeline';
let pipeline;

function floorPipeline() {
  if (pipeline) return pipeline;
  traceSerializers();
  const exporter = new OtlpHttpExporter({
    url: `${process.env.OTEL_EXPORTER_OTLP_ENDPOINT}/v1/traces`,
    headers: {},
    timeoutMillis: 10_000,
    compression: 'none',
  });
  const provider = new TracerProvider({
    resource: resourceFromAttributes({'service.name': 'bench-floor'}),
    spanProcessors:
      mode === 'unexported' ? [] : [new BatchSpanProcessor({exporter, maxQueueSize: 131_072, maxExportBatchSize: 2_048, scheduledDelayMillis: 1_000})],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  pipeline = {provider, tracer: provider.getTracer('bench-floor')};
  return pipeline;
}

/** Runs `owner.fn` in `spanContext`, keeping its arity (circus passes `done` to functions that declare it). */
function runIn(owner, spanContext) {
  const fn = owner.fn;
  owner.fn = fn.length > 0
    ? function (done) {
        return context.with(spanContext, fn, this, done);
      }
    : function () {
        return context.with(spanContext, fn, this);
      };
  return fn;
}

module.exports = class FloorEnvironment extends NodeEnvironment {
  async setup() {
    await super.setup();
    this.pipeline = floorPipeline();
    this.test = undefined;
  }

  handleTestEvent(event) {
    if (!makesSpans) return;
    switch (event.name) {
      case 'test_start': {
        const span = this.pipeline.tracer.startSpan(event.test.name, {root: true, attributes: {'test.case.name': event.test.name}});
        const spanContext = trace.setSpan(context.active(), span);
        this.test = {span, spanContext, fn: runIn(event.test, spanContext)};
        break;
      }
      case 'hook_start': {
        if (!this.test) break;
        const span = this.pipeline.tracer.startSpan(event.hook.type, {}, this.test.spanContext);
        this.hook = {span, fn: runIn(event.hook, trace.setSpan(this.test.spanContext, span))};
        break;
      }
      case 'hook_success':
      case 'hook_failure': {
        if (!this.hook) break;
        this.hook.span.end();
        event.hook.fn = this.hook.fn;
        this.hook = undefined;
        break;
      }
      case 'test_done': {
        if (!this.test) break;
        this.test.span.setAttribute('test.case.result.status', event.test.errors.length > 0 ? 'fail' : 'pass');
        this.test.span.end();
        event.test.fn = this.test.fn;
        this.test = undefined;
        break;
      }
    }
  }

  async teardown() {
    if (makesSpans) await this.pipeline.provider.forceFlush();
    await super.teardown();
  }
};
