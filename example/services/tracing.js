/*
 * The services' OpenTelemetry setup, loaded before their own code (`node --require ./tracing.js shop-api.js`), the way
 * OpenTelemetry's Node.js getting-started guide sets a service up: a tracer provider with a batch processor and the
 * stock OTLP/HTTP protobuf exporter, the HTTP server and fetch instrumentations, W3C trace context. Nothing in it knows
 * about Jest: it sends to OTEL_EXPORTER_OTLP_ENDPOINT, which the example's global setup points at the run's receiver.
 *
 * Read from the environment: OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES (the resource), OTEL_EXPORTER_OTLP_* (by
 * the exporter), OTEL_BSP_SCHEDULE_DELAY (how often spans are sent; OpenTelemetry's SDK packages for Node.js read it,
 * the bare processor built here does not), OTEL_SDK_DISABLED.
 */
const {context, propagation, trace} = require('@opentelemetry/api');
const {AsyncLocalStorageContextManager} = require('@opentelemetry/context-async-hooks');
const {W3CTraceContextPropagator} = require('@opentelemetry/core');
const {OTLPTraceExporter} = require('@opentelemetry/exporter-trace-otlp-proto');
const {registerInstrumentations} = require('@opentelemetry/instrumentation');
const {HttpInstrumentation} = require('@opentelemetry/instrumentation-http');
const {UndiciInstrumentation} = require('@opentelemetry/instrumentation-undici');
const {defaultResource, detectResources, envDetector} = require('@opentelemetry/resources');
const {BatchSpanProcessor, TracerProvider} = require('@opentelemetry/sdk-trace');

if (process.env.OTEL_SDK_DISABLED !== 'true') {
  const provider = new TracerProvider({
    resource: defaultResource().merge(detectResources({detectors: [envDetector]})),
    spanProcessors: [new BatchSpanProcessor({exporter: new OTLPTraceExporter(), scheduledDelayMillis: Number(process.env.OTEL_BSP_SCHEDULE_DELAY) || 5000})],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  registerInstrumentations({instrumentations: [new HttpInstrumentation(), new UndiciInstrumentation()]});

  // Send what is still buffered before the process goes.
  process.once('SIGTERM', () => {
    provider.shutdown().finally(() => process.exit(0));
  });
}
