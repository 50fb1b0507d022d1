import {context, propagation, trace, type Span, type Tracer} from '@opentelemetry/api';
import {CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator} from '@opentelemetry/core';
import {resourceFromAttributes} from '@opentelemetry/resources';
import {ConsoleSpanExporter, TracerProvider, type SpanExporter} from '@opentelemetry/sdk-trace';
import {resolve} from 'node:path';
import type {ResolvedConfig} from '../shared/config';
import {detectRunContext} from './ci';
import {LateResource} from './late-resource';
import {contextManager} from './context-manager';
import {useContextManager} from './context';
import {warnOnce} from '../shared/diag';
import {ExportQueue} from './export-queue';
import {encodeSpanJson} from './encode-json';
import {encodeSpan} from './encode-protobuf';
import type {SpanEncoder} from './encoded-span';
import {SpanLedger} from './ledger';
import {unsupportedNodeWarning} from '../shared/node-support';
import type {ConsoleRecord} from '../environment/console';
import {isReceiverRequest} from '../run/receiver';
import {RedactingSpanProcessor, isSecretHeader} from './redact';
import {isWorkerProcess, runId} from '../shared/run-id';
import {fetchPayloadHooks, httpPayloadHooks} from './payloads';
import {traceHttpClient} from './http-client';
import {instrumentSandboxModules, type HookableInstrumentation} from './sandbox-modules';
import {recordingStarter, SpanMaker} from './record-span';
import {openStore} from './store';
import {loadUserInstrumentations} from './user-instrumentations';
import {LocalSpans} from '../trace-assertions/local-spans';
import type {Instrumentation} from '@opentelemetry/instrumentation';

/*
 * The per-worker pipeline: built once, on the first test file a worker runs, and reused by every later file.
 * Building it per file would re-patch `http` and re-create exporters for every file.
 */

export const TRACER_NAME = 'jest-environment-otel';
/** The instrumentation scope of `node:http` / `node:https` client spans (src/pipeline/http-client.ts). */
const HTTP_TRACER_NAME = 'jest-environment-otel/http';

export interface Pipeline {
  readonly tracer: Tracer;
  /** Makes the test, hook and suite spans without the SDK's span objects (src/pipeline/record-span.ts); not for an adopted provider. */
  readonly maker?: SpanMaker;
  /** Records console output as log records (`console: 'logs'`); undefined: it goes to span events. */
  readonly emitConsole?: (span: Span, record: ConsoleRecord) => void;
  /** Exports everything ended so far, waiting at most `deadlineMillis` (and the process's budget). Never rejects. */
  flush(deadlineMillis: number): Promise<void>;
  /** A test file's teardown: see `backgroundFlush`. Never rejects. */
  release(options: ReleaseOptions): Promise<void>;
  /** Spans go through another SDK's provider, to its exporters, not ours. */
  readonly adopted?: true;
  /** The ended spans kept for trace assertions (none with another SDK's provider, whose spans we do not see). */
  readonly localSpans?: LocalSpans;
}

export interface ReleaseOptions {
  /** The longest this teardown waits for the collector. */
  deadlineMillis: number;
  /** Wait for the export: the run may end the process without letting its event loop drain. */
  wait: boolean;
  /** The longest the export may keep the process alive after the teardown: less than Jest gives it to exit. */
  keepAliveMillis: number;
  /**
   * The longest a worker process may stay alive, once Jest has ended it, to deliver its last spans: a little less than
   * Jest gives it to exit before it kills it.
   */
  exitKeepAliveMillis: number;
}

/** An export slower than this makes teardowns wait for their export again, as a slow collector needs. */
const SLOW_EXPORT_MILLIS = 100;
/** A test file with more spans than one export request takes makes its teardown wait: its export takes a while. */
const LARGE_EXPORT_SPANS = 2_048;
/**
 * The most spans a worker's teardown leaves for later: what is left when Jest ends the worker has only the keep-alive
 * to leave in, so it is kept to the size of one small file's export.
 */
const DEFERRED_SPANS = 256;

/**
 * What teardowns of one process may spend, in all, waiting for the collector: one export deadline. A collector that
 * fails or crawls costs a run that once, not once per test file; after it, exports go on in the background.
 */
class WaitBudget {
  constructor(private leftMillis: number) {}

  async wait(work: Promise<unknown>, deadlineMillis: number): Promise<void> {
    const limit = Math.min(deadlineMillis, this.leftMillis);
    if (limit <= 0) return;
    const started = performance.now();
    // A budget spent on a collector that failed is said by the export's own failure, not here.
    await withDeadline(work, limit, limit === deadlineMillis);
    this.leftMillis -= performance.now() - started;
  }
}

/**
 * The export of a test file's spans runs while the next file runs: a teardown starts it and returns. Exports run one
 * after the other (a teardown that finds the last one still in flight waits for it, within the budget, and queues
 * its own behind it), and a timer keeps the process alive for a while after each (at most `keepAliveMillis`, shorter
 * than Jest's grace for a worker to exit), so a worker that Jest ends gracefully — it lets the event loop drain —
 * still delivers it. Teardowns wait for their export instead when the run ends in a way that does not drain (the
 * caller says so: `--forceExit`, `--bail`, recycled workers), or when this export or the last one takes long (a
 * large file's, or a slow collector's, would otherwise outlive the time Jest gives a worker to exit); always within
 * the budget. In a `worker` process whose destinations deliver (`delivering()`), a teardown that need not
 * wait starts no export at all: the spans go with a later file's, with the queue's own timer, or when the process's
 * event loop empties once Jest has ended the worker (`beforeExit`), within the exit's own keep-alive: one request per
 * second or per worker instead of one per test file.
 */
function backgroundFlush(
  flushAll: () => Promise<unknown>,
  queued: () => number,
  budget: WaitBudget,
  saveCounts: () => void,
  delivering: () => boolean,
  worker: boolean,
): Pipeline['release'] {
  let inFlight: Promise<void> | undefined;
  let lastWasSlow = false;
  const start = (keepAliveMillis: number): Promise<void> => {
    const run = async () => {
      const started = performance.now();
      try {
        await flushAll();
      } catch {
        // An export that failed was already reported, once, by ReportingExporter.
      }
      lastWasSlow = performance.now() - started > SLOW_EXPORT_MILLIS;
    };
    const work = inFlight ? inFlight.then(run) : run();
    const keepAlive = setTimeout(() => {}, keepAliveMillis);
    const tracked: Promise<void> = work.finally(() => {
      clearTimeout(keepAlive);
      if (inFlight === tracked) inFlight = undefined;
    });
    inFlight = tracked;
    return tracked;
  };
  // A worker process's last spans leave when its event loop has nothing else to do: after Jest has ended it. From the
  // first time it empties, the process stays alive while an export is in flight or spans are queued, for at most
  // `exitKeepAliveMillis` in all: an export that outlasts a teardown's keep-alive is not cut off by the exit.
  let exitKeepAliveMillis = 0;
  let exitBy: number | undefined;
  let exitFlushes = 0;
  let listening = false;
  const atExit = () => {
    exitBy ??= performance.now() + exitKeepAliveMillis;
    const leftMillis = exitBy - performance.now();
    if (leftMillis <= 0) return;
    if (inFlight) {
      const keepAlive = setTimeout(() => {}, leftMillis);
      void inFlight.finally(() => clearTimeout(keepAlive));
      return;
    }
    if (queued() === 0 || exitFlushes >= 3) return;
    exitFlushes += 1;
    void start(leftMillis);
  };
  return async ({deadlineMillis, wait, keepAliveMillis, exitKeepAliveMillis: exitMillis}) => {
    saveCounts();
    if (worker && !listening) {
      exitKeepAliveMillis = Math.min(deadlineMillis, exitMillis);
      process.on('beforeExit', atExit);
      listening = true;
    }
    if (inFlight) await budget.wait(inFlight, deadlineMillis);
    const large = queued() > LARGE_EXPORT_SPANS;
    if (!wait && queued() <= DEFERRED_SPANS && !lastWasSlow && worker && delivering()) return;
    const tracked = start(keepAliveMillis);
    if (wait || lastWasSlow || large) await budget.wait(tracked, deadlineMillis);
  };
}

let current: Pipeline | undefined;

export function getPipeline(config: ResolvedConfig, rootDir: string): Pipeline {
  current ??= createPipeline(config, rootDir);
  return current;
}

function createPipeline(config: ResolvedConfig, rootDir: string): Pipeline {
  const existing = registeredGlobals();
  if (existing.has('context')) useContextManager(undefined);
  if (existing.has('trace')) return adoptRegisteredProvider();
  const unsupported = unsupportedNodeWarning(process.versions.node, config.http);
  if (unsupported) warnOnce(unsupported);
  const ledger = new SpanLedger();
  const exporting: ExportQueue[] = [];
  for (const name of config.exporters) {
    const exporter = createExporter(name, config, rootDir);
    if (!exporter) continue;
    exporting.push(
      new ExportQueue(
        ledger.track(exporter, describeTarget(name, config, rootDir)),
        {
          // Spans pile up only while a test blocks the event loop; this holds a test file of 100,000 spans.
          maxQueueSize: 131_072,
          maxExportBatchSize: 2_048,
          scheduledDelayMillis: 1_000,
        },
        spanEncoder(name),
      ),
    );
  }
  const runContext = detectRunContext(process.env, rootDir, [resolve(rootDir, config.storeDir)]);
  const known = resourceFromAttributes({
    'service.name': config.serviceName,
    'telemetry.sdk.language': 'nodejs',
    'process.pid': process.pid,
    ...runContext.attributes,
    ...config.resourceAttributes,
  });
  // The work tree's attributes come when git answers; every export waits for them.
  const resource = runContext.worktree ? new LateResource(known, runContext.worktree) : known;
  const localSpans = new LocalSpans();
  const processors = [new RedactingSpanProcessor(config.redactQueryParams, config.redactHeaders), ledger, localSpans, ...exporting];
  const provider = new TracerProvider({resource, spanProcessors: processors});
  if (!existing.has('context')) context.setGlobalContextManager(contextManager);
  if (!existing.has('propagation')) {
    propagation.setGlobalPropagator(
      new CompositePropagator({propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()]}),
    );
  }
  trace.setGlobalTracerProvider(provider);
  enableInstrumentations(config, provider, rootDir, new SpanMaker({resource, scope: {name: HTTP_TRACER_NAME}, processors}));
  ledger.reportAtExit();
  // Loaded only when used: the logs SDK costs nothing to a run that records console output as span events.
  const logPipeline = config.console === 'logs' ? (require('./logs') as typeof import('./logs')).createLogPipeline(config, resource, rootDir, TRACER_NAME) : undefined;
  // Not provider.forceFlush(): it holds a timer per processor that keeps the process alive for 30 s.
  const flushAll = () => Promise.all([...exporting.map(queue => queue.forceFlush()), logPipeline?.flush()]);
  const budget = new WaitBudget(config.otlp.timeoutMillis);
  const worker = isWorkerProcess();
  return {
    tracer: provider.getTracer(TRACER_NAME),
    maker: new SpanMaker({resource, scope: {name: TRACER_NAME}, processors}),
    emitConsole: logPipeline?.emit,
    flush: deadlineMillis => budget.wait(flushAll(), deadlineMillis),
    // In a worker process (Jest's main process waits for it before its reporters and global teardown) whose
    // destinations have taken its exports so far, a test file's spans may wait for the next file's, the queue's timer
    // or the worker's end. The first file's go at its teardown, so a collector that fails is found, and said, during
    // the run. In band the last spans would have only the keep-alive after the run: a loaded machine lost them.
    release: backgroundFlush(flushAll, () => Math.max(0, ...exporting.map(queue => queue.queued)), budget, () => ledger.save(), () => ledger.delivering(), worker),
    localSpans,
  };
}

/** What another OpenTelemetry setup in this process (a `--require`d SDK, a vendor distro) already registered. */
function registeredGlobals(): Set<string> {
  const registry = (globalThis as Record<symbol, Record<string, unknown> | undefined>)[Symbol.for('opentelemetry.js.api.1')];
  return new Set(['trace', 'context', 'propagation'].filter(name => registry?.[name] !== undefined));
}

/**
 * Another SDK already owns this process: send the test spans through its provider (its processors, exporters and
 * instrumentations) instead of starting a second pipeline, and say so once.
 */
function adoptRegisteredProvider(): Pipeline {
  warnOnce(
    'an OpenTelemetry tracer provider was already registered in this process: test spans go through it (its exporters and instrumentations); this environment starts no exporter of its own.',
  );
  const provider = trace.getTracerProvider() as {getDelegate?: () => unknown};
  const delegate = (provider.getDelegate?.() ?? provider) as {forceFlush?: () => Promise<void>};
  const flush: Pipeline['flush'] = deadlineMillis => withDeadline(delegate.forceFlush?.() ?? Promise.resolve(), deadlineMillis);
  return {tracer: trace.getTracer(TRACER_NAME), flush, release: ({deadlineMillis}) => flush(deadlineMillis), adopted: true};
}

/** The exporter of a destination; undefined (and said) for a store whose folder cannot be created. */
function createExporter(name: ResolvedConfig['exporters'][number], config: ResolvedConfig, rootDir: string): SpanExporter | undefined {
  if (name === 'console') return new ConsoleSpanExporter();
  if (name === 'store') return openStore(resolve(rootDir, config.storeDir), config.storeDir, runId(), config.keepRuns);
  // Loaded only when used, like the protobuf serializer it loads on its first export.
  const {OtlpHttpExporter} = require('./otlp') as typeof import('./otlp');
  return new OtlpHttpExporter(config.otlp, config.otlp.compression);
}

/** The encoder of a destination whose requests take spans encoded as they end (src/pipeline/encoded-span.ts). */
function spanEncoder(name: ResolvedConfig['exporters'][number]): SpanEncoder | undefined {
  if (name === 'store') return encodeSpanJson;
  if (name === 'otlp') return encodeSpan;
  return undefined;
}

function describeTarget(name: ResolvedConfig['exporters'][number], config: ResolvedConfig, rootDir: string): string {
  if (name === 'otlp') return config.otlp.url;
  if (name === 'store') return resolve(rootDir, config.storeDir);
  return name;
}

function enableInstrumentations(config: ResolvedConfig, provider: TracerProvider, rootDir: string, httpMaker: SpanMaker): void {
  // Instrumentations install their require hook as they are made.
  const hooks = requireHooks();
  const instrumentations: Instrumentation[] = [];
  const allowed = (names: string[]) => names.filter(name => !isSecretHeader(name, config.redactHeaders));
  const requestHeaders = allowed(config.captureHeaders.request);
  const responseHeaders = allowed(config.captureHeaders.response);
  if (config.http) {
    const {HttpInstrumentation} = require('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');
    // The package's own spans: records, as the test spans are (src/pipeline/record-span.ts).
    traceHttpClient(recordingStarter(httpMaker, provider.getTracer(HTTP_TRACER_NAME)), {
      requestHeaders,
      responseHeaders,
      ...(config.payloadLimit ? {hooks: httpPayloadHooks(config.payloadLimit)} : {}),
    });
    // Servers that tests start in this process: their incoming requests.
    instrumentations.push(
      new HttpInstrumentation({
        disableOutgoingRequestInstrumentation: true,
        ignoreIncomingRequestHook: isReceiverRequest,
        headersToSpanAttributes: {server: {requestHeaders, responseHeaders}},
        redactedQueryParams: [],
      }),
    );
  }
  if (config.fetch) {
    const {UndiciInstrumentation} = require('@opentelemetry/instrumentation-undici') as typeof import('@opentelemetry/instrumentation-undici');
    instrumentations.push(
      new UndiciInstrumentation({
        // Given at all (even empty), the lists make it parse every request's and response's headers.
        ...(requestHeaders.length + responseHeaders.length > 0 ? {headersToSpanAttributes: {requestHeaders, responseHeaders}} : {}),
        ...(config.payloadLimit ? fetchPayloadHooks(config.payloadLimit) : {}),
      } as ConstructorParameters<typeof UndiciInstrumentation>[0]),
    );
  }
  const fromProject = loadUserInstrumentations(config.instrumentations, config.instrumentationSetup, rootDir);
  instrumentations.push(...fromProject);
  if (instrumentations.length === 0) return;
  const {registerInstrumentations} = require('@opentelemetry/instrumentation') as typeof import('@opentelemetry/instrumentation');
  registerInstrumentations({instrumentations, tracerProvider: provider});
  if (fromProject.length > 0) instrumentSandboxModules(fromProject as unknown as HookableInstrumentation[]);
  // `http` is usually loaded by Jest before us: requiring it again lets the require hook patch the shared exports.
  require('node:http');
  require('node:https');
  if (fromProject.length === 0) releaseRequireHook(hooks);
}

interface RequireHooks {
  require: unknown;
  getBuiltinModule: unknown;
}

const Module = require('node:module') as {prototype: {require: unknown}};

function requireHooks(): RequireHooks {
  return {require: Module.prototype.require, getBuiltinModule: (process as {getBuiltinModule?: unknown}).getBuiltinModule};
}

/**
 * Takes out again the require hook that OpenTelemetry's instrumentations install on `Module.prototype.require`
 * (require-in-the-middle), once it has patched `http` and `https`: every later `require` in a worker is Jest's or a
 * transformer's (a test's modules are loaded by the sandbox, and its `http` is the patched one), and the hook would
 * resolve each of them a second time. Kept when a project's instrumentations are loaded: they may patch anything.
 */
function releaseRequireHook(before: RequireHooks): void {
  const now = requireHooks();
  if (now.require !== before.require) Module.prototype.require = before.require;
  if (now.getBuiltinModule !== before.getBuiltinModule) (process as {getBuiltinModule?: unknown}).getBuiltinModule = before.getBuiltinModule;
}

async function withDeadline(work: Promise<unknown>, deadlineMillis: number, warnIfLate = true): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'late'>(resolve => {
    timer = setTimeout(() => resolve('late'), deadlineMillis);
    timer.unref();
  });
  try {
    const outcome = await Promise.race([work.then(() => 'done' as const), deadline]);
    if (outcome === 'late' && warnIfLate) warnOnce(`exporting spans took longer than ${deadlineMillis} ms; the rest are exported in the background.`);
  } catch {
    // An export that failed was already reported, once, by ReportingExporter.
  } finally {
    clearTimeout(timer);
  }
}
