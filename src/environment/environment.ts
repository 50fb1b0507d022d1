import type {EnvironmentContext, JestEnvironment, JestEnvironmentConfig} from '@jest/environment';
import type {Circus} from '@jest/types';
import NodeEnvironment from 'jest-environment-node';
import {BASE_OPTION, loadEnvironment, resolveEnvironment} from './base-environment';
import {loadConfig} from '../shared/config';
import {warnOnce} from '../shared/diag';
import {FileTracing} from './file-tracing';
import {runningNodeEnvironment} from './running-jest';

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

const tracedBases = new Map<string, EnvironmentClass>();
const NODE_ENVIRONMENT = require.resolve('jest-environment-node');

/**
 * The traced class for `testEnvironmentOptions.otel.baseEnvironment`, once per base file. Without one, the base is
 * the jest-environment-node of the Jest that runs the tests, as plain Jest's would be (a project on Jest 29 gets Jest
 * 29's, not the one this package was installed with); undefined where that is the one this class already extends.
 */
function tracedBase(config: JestEnvironmentConfig): EnvironmentClass | undefined {
  const {rootDir, testEnvironmentOptions} = config.projectConfig;
  const name = loadConfig(testEnvironmentOptions).baseEnvironment;
  const file = name ? resolveEnvironment(name, rootDir) : runningNodeEnvironment();
  return file === undefined || file === NODE_ENVIRONMENT ? undefined : tracedOn(file, name ? BASE_OPTION : 'jest-environment-node');
}

function tracedOn(file: string, option: string): EnvironmentClass {
  let traced = tracedBases.get(file);
  if (!traced) {
    traced = withOtel(loadEnvironment(file, option));
    tracedBases.set(file, traced);
  }
  return traced;
}

/**
 * A traced environment over one Jest environment package, for entries such as `jest-environment-otel/jsdom`: found
 * from the working folder or from this package, as the entry's own `require` would.
 */
export function tracedEnvironment(name: string, entry: string): EnvironmentClass {
  return tracedOn(resolveEnvironment(name, process.cwd(), entry), entry);
}

/**
 * A Jest test environment that traces every test with OpenTelemetry: `testEnvironment: 'otel'`.
 * It is the running Jest's `jest-environment-node` with tracing, or the environment
 * `testEnvironmentOptions.otel.baseEnvironment` names with tracing; subclasses (which extend the jest-environment-node
 * this package was installed with) must call `super` in `setup`, `teardown` and `handleTestEvent`.
 */
export default class OtelEnvironment extends withOtel(NodeEnvironment) {
  constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
    // Jest constructs the class it loaded; another base means another class, so its instance is returned instead.
    // A subclass keeps its own prototype chain, over Node.
    const Traced = new.target === OtelEnvironment ? tracedBase(config) : undefined;
    if (Traced) return new Traced(config, context) as unknown as OtelEnvironment;
    super(config, context);
    if (new.target !== OtelEnvironment && loadConfig(config.projectConfig.testEnvironmentOptions).baseEnvironment) {
      warnOnce(`${BASE_OPTION} is not used by ${new.target.name || 'a class'} that extends jest-environment-otel (it runs on Node); trace another environment with withOtel(Base).`);
    }
  }
}
