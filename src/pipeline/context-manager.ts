import {AsyncLocalStorage} from 'node:async_hooks';
import {ROOT_CONTEXT, type Context} from '@opentelemetry/api';
import {AsyncLocalStorageContextManager} from '@opentelemetry/context-async-hooks';

/**
 * OpenTelemetry's AsyncLocalStorage context manager, with its storage calls made from this package's own frames.
 *
 * A test runs inside `with()`, so every frame between circus and the test function shows in the stack of a failing
 * test. Jest hides `node:internal` frames and frames under a `jest…/build/` folder (this package's build), but not
 * the frames of `@opentelemetry/*`. Calling `AsyncLocalStorage.run` from here keeps a failure's stack exactly as it
 * is without this environment. Event-emitter binding is inherited and goes through these methods.
 */
export class TestContextManager extends AsyncLocalStorageContextManager {
  /** Its storage: a test's wrapper runs the test in it directly (src/pipeline/context.ts). */
  readonly storage = new AsyncLocalStorage<Context>();

  override active(): Context {
    return this.storage.getStore() ?? ROOT_CONTEXT;
  }

  override with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    context: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    return this.storage.run(context, thisArg == null ? fn : fn.bind(thisArg), ...args);
  }

  override attach(context: Context): ReturnType<AsyncLocalStorageContextManager['attach']> {
    const previous = this.active();
    this.storage.enterWith(context);
    let disposed = false;
    return {
      dispose: () => {
        if (disposed) return;
        disposed = true;
        this.storage.enterWith(previous);
      },
    } as ReturnType<AsyncLocalStorageContextManager['attach']>;
  }

  override disable(): this {
    this.storage.disable();
    return this;
  }
}

/** The one context manager of this worker. */
export const contextManager = new TestContextManager();
