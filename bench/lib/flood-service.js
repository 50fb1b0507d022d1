'use strict';

/*
 * The service of the receiver's benchmark, in a process of its own: the generated tests' GET /items/<n>, traced by
 * OpenTelemetry's SDK (HTTP server instrumentation, a batch processor, the stock OTLP/HTTP protobuf exporter) as a
 * service under test is. With FLOOD_SPANS=k each request also makes k internal spans under its server span, in the
 * calling test's trace: the flood (with FLOOD_DETACHED=1, in a trace of its own that no test started). GET /stats (not traced) says how many spans it ended, how many the receiver
 * accepted (exports answered 200) and how many it did not.
 */

const {context, propagation, trace} = require('@opentelemetry/api');
const {AsyncLocalStorageContextManager} = require('@opentelemetry/context-async-hooks');
const {W3CTraceContextPropagator} = require('@opentelemetry/core');
const {OTLPTraceExporter} = require('@opentelemetry/exporter-trace-otlp-proto');
const {registerInstrumentations} = require('@opentelemetry/instrumentation');
const {HttpInstrumentation} = require('@opentelemetry/instrumentation-http');
const {resourceFromAttributes} = require('@opentelemetry/resources');
const {BatchSpanProcessor, TracerProvider} = require('@opentelemetry/sdk-trace');

const FLOOD_SPANS = Number(process.env.FLOOD_SPANS ?? 0);
const FLOOD_DETACHED = process.env.FLOOD_DETACHED === '1';
const counts = {ended: 0, accepted: 0, refused: 0};

const otlp = new OTLPTraceExporter();
const counting = {
  export(spans, done) {
    otlp.export(spans, result => {
      if (result.code === 0) counts.accepted += spans.length;
      else counts.refused += spans.length;
      done(result);
    });
  },
  shutdown: () => otlp.shutdown(),
  forceFlush: () => otlp.forceFlush(),
};
const provider = new TracerProvider({
  resource: resourceFromAttributes({'service.name': 'bench-flood'}),
  spanProcessors: [
    {onStart() {}, onEnd: () => (counts.ended += 1), shutdown: async () => {}, forceFlush: async () => {}},
    // A queue that holds the whole flood: what is measured is the receiver, not this SDK dropping spans.
    new BatchSpanProcessor({exporter: counting, scheduledDelayMillis: 100, maxExportBatchSize: 1000, maxQueueSize: 1_000_000}),
  ],
});
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
propagation.setGlobalPropagator(new W3CTraceContextPropagator());
trace.setGlobalTracerProvider(provider);
registerInstrumentations({instrumentations: [new HttpInstrumentation({ignoreIncomingRequestHook: request => request.url === '/stats'})]});

const http = require('node:http');
const tracer = trace.getTracer('bench-flood');

function flood(count) {
  for (let index = 0; index < count; index += 1) {
    tracer.startSpan('SELECT item', {attributes: {'db.system.name': 'postgresql', 'db.collection.name': 'items', 'bench.index': index}}).end();
  }
}

const server = http.createServer((request, response) => {
  if (request.url === '/stats') {
    response.writeHead(200, {'content-type': 'application/json'}).end(JSON.stringify(counts));
    return;
  }
  const match = /^\/items\/(\d+)$/.exec(request.url ?? '');
  if (!match) {
    response.writeHead(404).end();
    return;
  }
  const id = Number(match[1]);
  if (FLOOD_DETACHED && FLOOD_SPANS > 0) {
    // A trace of its own that no test started: a background job of 1 + (k − 1) spans.
    const job = tracer.startSpan('background job', {root: true});
    context.with(trace.setSpan(context.active(), job), () => flood(FLOOD_SPANS - 1));
    job.end();
  } else {
    flood(FLOOD_SPANS);
  }
  const body = JSON.stringify({id, name: `item ${id}`, tags: ['a', 'b', 'c'], price: (id % 97) + 0.99});
  response.writeHead(200, {'content-type': 'application/json', 'content-length': Buffer.byteLength(body)});
  response.end(body);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => console.log(`http://127.0.0.1:${server.address().port}`));
process.stdin.on('end', () => process.exit(0)).resume();
