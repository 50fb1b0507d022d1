import {relative, sep} from 'node:path';
import {trace} from '@opentelemetry/api';
import type {EnvironmentContext, JestEnvironmentConfig} from '@jest/environment';
import type {Circus} from '@jest/types';
import {testFileDone} from '../shared/code-cache';
import {loadConfig, type ResolvedConfig} from '../shared/config';
import {releaseCircusStorages, watchCircusStorages} from './circus-storage';
import {captureConsole} from './console';
import {joinEnvironmentHandler} from './event-handlers';
import {watchSourceMapRegistry} from './source-positions';
import {shareApiRegistry} from '../pipeline/context';
import {errorText, safely, warnOnce} from '../shared/diag';
import {fileAttributes} from './file-attributes';
import {fetchRememberingBodies} from '../pipeline/payloads';
import {SuiteRecorder} from './recorder';
import {getPipeline, TRACER_NAME, type Pipeline} from '../pipeline/telemetry';
import {createTestApi} from './test-api';
import {tellDestination, usesOurReporter} from '../pipeline/destination';
import {markTraced} from '../pipeline/traced-files';
import {BRIDGE_KEY, createBridge} from '../trace-assertions/bridge';

type Sandbox = Record<string, unknown> & {console?: unknown; process?: NodeJS.Process; fetch?: typeof fetch};

/** The sandboxes already traced, so that the test runner entry leaves an environment's own tracing alone. */
const tracedSandboxes = new WeakSet<object>();

export function isTraced(sandbox: object): boolean {
  return tracedSandboxes.has(sandbox);
}

/**
 * Everything the environment does for one test file, whatever environment class it is mixed into: the globals, the
 * suite recorder, console capture, and the flush at teardown. Every step is guarded: nothing here throws into Jest.
 */
export class FileTracing {
  private readonly config: ResolvedConfig;
  private readonly pipeline: Pipeline | undefined;
  private readonly recorder: SuiteRecorder | undefined;
  private state: Circus.State | undefined;
  private restoreConsole: (() => void) | undefined;
  /** Takes away the watch for circus's handler list where circus did not make one (Jest 29): at the first event. */
  private unwatchHandlers: (() => void) | undefined;
  /** Whether teardown must wait for the file's export: the run may end without letting the worker drain. */
  private readonly waitForExport: boolean;
  private readonly keepAliveMillis: number;
  private readonly exitKeepAliveMillis: number;

  constructor(sandbox: Sandbox, jestConfig: JestEnvironmentConfig, context: EnvironmentContext) {
    const {projectConfig, globalConfig} = jestConfig;
    this.waitForExport = endsAbruptly(globalConfig);
    const graceMillis = exitGraceMillis(globalConfig);
    this.keepAliveMillis = graceMillis / 2;
    // What the worker's own exit may take, with room for Jest's message to reach it and for the process to end.
    this.exitKeepAliveMillis = Math.max(graceMillis / 2, graceMillis - Math.max(100, graceMillis / 5));
    this.config = loadConfig(projectConfig.testEnvironmentOptions);
    if (this.config.enabled) {
      safely('watching circus storages', watchCircusStorages);
      safely('watching for source maps', watchSourceMapRegistry);
      this.pipeline = safely('starting the telemetry pipeline', () => getPipeline(this.config, projectConfig.rootDir));
      if (this.pipeline && !this.pipeline.adopted) safely('saying where the traces go', () => tellDestination(this.config, globalConfig, projectConfig.rootDir));
      const pipeline = this.pipeline;
      this.recorder = safely('starting the suite span', () =>
        pipeline
          ? new SuiteRecorder(pipeline.tracer, {
              testPath: context.testPath,
              suiteName: relative(projectConfig.rootDir, context.testPath).split(sep).join('/'),
              commonAttributes: fileAttributes(this.config, globalConfig, context.docblockPragmas),
              upstream: this.config.upstream,
              realmError: typeof sandbox.Error === 'function' ? (sandbox.Error as ErrorConstructor) : undefined,
            }, pipeline.maker)
          : undefined,
      );
    }
    safely('installing the test globals', () => this.installGlobals(sandbox));
    tracedSandboxes.add(sandbox);
    // Read only by the reporter, which names the files that ran on another environment: one file fewer per test file
    // without it.
    if (usesOurReporter(globalConfig.reporters)) safely('marking the file as traced', () => markTraced(context.testPath));
  }

  /** After the base environment's setup: Jest has put the test file's console in the sandbox by now. */
  setup(sandbox: Sandbox): void {
    this.unwatchHandlers = safely('joining the event handler', () => joinEnvironmentHandler(sandbox));
    const recorder = this.recorder;
    if (!recorder) return;
    if (this.config.console) {
      this.restoreConsole = safely('capturing console output', () =>
        captureConsole(sandbox.console, () => recorder.currentTestSpan(this.state) ?? recorder.suiteOwner, {
          maxEvents: this.config.consoleMaxEvents,
          maxLength: this.config.consoleMaxLength,
          emit: this.config.console === 'logs' ? this.pipeline?.emitConsole : undefined,
        }),
      );
    }
    safely('watching process.exit', () => endSpansOnExit(sandbox.process, recorder));
    const fetch = sandbox.fetch;
    if (this.config.payloadLimit && this.config.fetch && typeof fetch === 'function') {
      sandbox.fetch = fetchRememberingBodies(fetch);
    }
  }

  /** Before the base environment's teardown. Never rejects. */
  async teardown(): Promise<void> {
    try {
      safely('restoring the console', () => this.restoreConsole?.());
      safely('ending open spans', () => this.recorder?.finish());
      safely('releasing the spans kept for trace assertions', () => this.pipeline?.localSpans?.stop());
      if (this.pipeline) {
        const deadlineMillis = this.config.flushTimeoutMillis;
        await this.pipeline.release({deadlineMillis, wait: this.waitForExport, keepAliveMillis: Math.min(deadlineMillis, this.keepAliveMillis), exitKeepAliveMillis: this.exitKeepAliveMillis});
      }
    } catch (error) {
      warnOnce(`teardown failed: ${String(error)}`);
    }
  }

  /** After the base environment's teardown: nothing of the test file runs any more. */
  afterBaseTeardown(): void {
    if (this.config.enabled) safely('releasing circus storages', releaseCircusStorages);
    safely('writing the code cache', testFileDone);
  }

  handle(event: Circus.Event, state: Circus.State): void {
    this.state = state;
    if (this.unwatchHandlers) {
      safely('joining the event handler', this.unwatchHandlers);
      this.unwatchHandlers = undefined;
    }
    const recorder = this.recorder;
    if (!recorder) return;
    // Every circus event passes here: no closure or message is built unless something fails.
    try {
      recorder.handle(event, state);
    } catch (error) {
      warnOnce(`internal error while recording the "${event.name}" event: ${errorText(error)}`);
    }
  }

  private installGlobals(sandbox: Sandbox): void {
    const recorder = this.recorder;
    if (recorder) shareApiRegistry(sandbox);
    Object.assign(sandbox, {
      otelTracer: this.pipeline?.tracer ?? trace.getTracer(TRACER_NAME),
      otelTest: createTestApi(() => recorder?.currentTestSpan(this.state)),
    });
    // For jest-environment-otel/expect, which the file may load: hidden, so that the sandbox's globals stay as they were.
    const bridge = createBridge({
      local: this.pipeline?.localSpans,
      off: !recorder
        ? `tracing is off for this test file (${this.config.enabled ? 'the tracing could not start' : 'OTEL_SDK_DISABLED, otel.disabled or exporter "none"'}), so it has no trace to check`
        : this.pipeline?.adopted
          ? "another OpenTelemetry SDK's provider was registered first and records this process's spans, so the test's own spans cannot be read back"
          : undefined,
      ownService: this.config.serviceName,
      defaults: this.config.traceAssertions,
      redaction: this.config,
      suiteSpan: () => recorder?.suiteOwner,
      state: () => this.state,
    });
    Object.defineProperty(sandbox, BRIDGE_KEY, {configurable: true, enumerable: false, writable: false, value: bridge});
  }
}

/**
 * Runs that may end a worker without letting its event loop drain, so that an export still in flight would be lost:
 * `--forceExit` and `--bail` call `process.exit`, `--detectOpenHandles` would report the export as an open handle,
 * and `workerIdleMemoryLimit` makes Jest kill and replace workers between files.
 */
function endsAbruptly(globalConfig: JestEnvironmentConfig['globalConfig']): boolean {
  const {forceExit, bail, detectOpenHandles, workerIdleMemoryLimit} = globalConfig as JestEnvironmentConfig['globalConfig'] & {workerIdleMemoryLimit?: unknown};
  return Boolean(forceExit || bail || detectOpenHandles || workerIdleMemoryLimit);
}

/**
 * How long Jest lets a worker take to exit once told to before it kills it ("failed to exit gracefully"): its
 * `workerGracefulExitTimeout`, 500 ms unless set (Jest 29 has no option and waits 500 ms). In band, Jest warns
 * when it "did not exit one second after the test run has completed".
 */
function exitGraceMillis(globalConfig: JestEnvironmentConfig['globalConfig']): number {
  const {workerGracefulExitTimeout} = globalConfig as {workerGracefulExitTimeout?: unknown};
  return typeof workerGracefulExitTimeout === 'number' && workerGracefulExitTimeout > 0 ? workerGracefulExitTimeout : 500;
}

/**
 * A test that calls `process.exit` ends the worker without a teardown: end this file's open spans first, so that
 * the span ledger counts them and reports, at exit, the ones that could not be exported in time.
 */
function endSpansOnExit(sandboxProcess: NodeJS.Process | undefined, recorder: SuiteRecorder): void {
  const exit = sandboxProcess?.exit;
  if (!sandboxProcess || typeof exit !== 'function') return;
  sandboxProcess.exit = function (this: unknown, ...args: Parameters<NodeJS.Process['exit']>) {
    safely('ending spans before process.exit', () => recorder.finish());
    return exit.apply(this, args);
  } as NodeJS.Process['exit'];
}
