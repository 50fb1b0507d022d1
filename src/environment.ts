import type {EnvironmentContext, JestEnvironment, JestEnvironmentConfig} from '@jest/environment';
import type {Circus} from '@jest/types';
import NodeEnvironment from 'jest-environment-node';
import {FileTracing} from './file-tracing';

/** A Jest environment class, as `testEnvironment` modules export them. */
export type EnvironmentClass = new (config: JestEnvironmentConfig, context: EnvironmentContext) => JestEnvironment;

/** The base as extended here: `handleTestEvent` is a method (JestEnvironment types it as an optional property). */
interface EnvironmentInstance {
  global: JestEnvironment['global'];
  setup(): Promise<void>;
  teardown(): Promise<void>;
}
type ExtensibleClass = new (config: JestEnvironmentConfig, context: EnvironmentContext) => EnvironmentInstance;
type TestEventHandler = (this: unknown, event: Circus.Event, state: Circus.State) => void | Promise<void>;

/**
 * Adds tracing to any Jest environment class: `module.exports = withOtel(require('jest-environment-jsdom').default)`.
 * The returned class calls the base class's `setup`, `teardown` and `handleTestEvent` and adds its own work around
 * them; subclasses of it must call `super` in those three methods.
 */
export function withOtel<Base extends EnvironmentClass>(BaseEnvironment: Base): Base {
  const baseHandler = (BaseEnvironment.prototype as {handleTestEvent?: TestEventHandler}).handleTestEvent;
  return class OtelEnvironment extends (BaseEnvironment as unknown as ExtensibleClass) {
    private readonly tracing: FileTracing;

    constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
      super(config, context);
      this.tracing = new FileTracing(this.global as unknown as Record<string, unknown>, config, context);
    }

    async setup(): Promise<void> {
      await super.setup();
      this.tracing.setup(this.global as unknown as Record<string, unknown>);
    }

    async teardown(): Promise<void> {
      try {
        await this.tracing.teardown();
      } finally {
        await super.teardown();
        this.tracing.afterBaseTeardown();
      }
    }

    handleTestEvent(event: Circus.Event, state: Circus.State): void | Promise<void> {
      const base = baseHandler?.call(this, event, state);
      this.tracing.handle(event, state);
      return base;
    }
  } as unknown as Base;
}

/**
 * A Jest test environment that traces every test with OpenTelemetry: `testEnvironment: 'otel'`.
 * It is `jest-environment-node` with tracing; subclasses must call `super` in `setup`, `teardown` and
 * `handleTestEvent`.
 */
const OtelEnvironment = withOtel(NodeEnvironment);
export default OtelEnvironment;
