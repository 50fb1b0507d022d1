import {relative, sep} from 'node:path';
import {trace} from '@opentelemetry/api';
import type {EnvironmentContext, JestEnvironmentConfig} from '@jest/environment';
import type {Circus} from '@jest/types';
import NodeEnvironment from 'jest-environment-node';
import {loadConfig, type ResolvedConfig} from './config';
import {captureConsole} from './console';
import {shareApiRegistry} from './context';
import {safely, warnOnce} from './diag';
import {SuiteRecorder} from './recorder';
import {fileAttributes} from './file-attributes';
import {getPipeline, TRACER_NAME, type Pipeline} from './telemetry';
import {fetchRememberingBodies} from './payloads';
import {createTestApi} from './test-api';

/**
 * A Jest test environment that traces every test with OpenTelemetry: `testEnvironment: 'otel'`.
 * Extends `jest-environment-node`; subclasses must call `super` in `setup`, `teardown` and `handleTestEvent`.
 */
export default class OtelEnvironment extends NodeEnvironment {
  private readonly otelConfig: ResolvedConfig;
  private readonly pipeline: Pipeline | undefined;
  private readonly recorder: SuiteRecorder | undefined;
  private state: Circus.State | undefined;
  private restoreConsole: (() => void) | undefined;

  constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
    super(config, context);
    const raw = (config.projectConfig.testEnvironmentOptions as Record<string, unknown> | undefined)?.otel;
    this.otelConfig = loadConfig(raw);
    if (this.otelConfig.enabled) {
      this.pipeline = safely('starting the telemetry pipeline', () => getPipeline(this.otelConfig, config.projectConfig.rootDir));
      this.recorder = safely('starting the suite span', () => {
        if (!this.pipeline) return undefined;
        const suiteName = relative(config.projectConfig.rootDir, context.testPath).split(sep).join('/');
        return new SuiteRecorder(this.pipeline.tracer, {
          testPath: context.testPath,
          suiteName,
          commonAttributes: fileAttributes(this.otelConfig, config.globalConfig, context.docblockPragmas),
          upstream: this.otelConfig.upstream,
        });
      });
    }
    safely('installing the test globals', () => this.installGlobals());
  }

  async setup(): Promise<void> {
    await super.setup();
    const recorder = this.recorder;
    if (recorder && this.otelConfig.console) {
      this.restoreConsole = safely('capturing console output', () =>
        captureConsole(this.global.console, () => recorder.currentTestSpan(this.state) ?? recorder.suiteOwner, {
          maxEvents: this.otelConfig.consoleMaxEvents,
          maxLength: this.otelConfig.consoleMaxLength,
        }),
      );
    }
    if (recorder) safely('watching process.exit', () => endSpansOnExit(this.global.process, recorder));
    const payloadLimit = this.otelConfig.payloadLimit;
    if (recorder && payloadLimit && this.otelConfig.fetch && typeof this.global.fetch === 'function') {
      this.global.fetch = fetchRememberingBodies(this.global.fetch);
    }
  }

  async teardown(): Promise<void> {
    try {
      safely('restoring the console', () => this.restoreConsole?.());
      safely('ending open spans', () => this.recorder?.finish());
      if (this.pipeline) await this.pipeline.flush(this.otelConfig.flushTimeoutMillis);
    } catch (error) {
      warnOnce(`teardown failed: ${String(error)}`);
    } finally {
      await super.teardown();
    }
  }

  handleTestEvent(event: Circus.Event, state: Circus.State): void {
    this.state = state;
    const recorder = this.recorder;
    if (recorder) safely(`recording the "${event.name}" event`, () => recorder.handle(event, state));
  }

  private installGlobals(): void {
    const recorder = this.recorder;
    if (recorder) shareApiRegistry(this.global);
    Object.assign(this.global, {
      otelTracer: this.pipeline?.tracer ?? trace.getTracer(TRACER_NAME),
      otelTest: createTestApi(() => recorder?.currentTestSpan(this.state)),
    });
  }
}

/**
 * A test that calls `process.exit` ends the worker without a teardown: end this file's open spans first, so that
 * the span ledger counts them and reports, at exit, the ones that could not be exported in time.
 */
function endSpansOnExit(sandboxProcess: NodeJS.Process, recorder: SuiteRecorder): void {
  const exit = sandboxProcess.exit;
  if (typeof exit !== 'function') return;
  sandboxProcess.exit = function (this: unknown, ...args: Parameters<NodeJS.Process['exit']>) {
    safely('ending spans before process.exit', () => recorder.finish());
    return exit.apply(this, args);
  } as NodeJS.Process['exit'];
}

