import {AsyncLocalStorage} from 'node:async_hooks';
import {context, createContextKey, trace, type Context, type Span} from '@opentelemetry/api';
import {contextManager} from './context-manager';
import {runningInStore} from './stack-frames';

/*
 * The sandbox boundary.
 *
 * 1. A test file runs in its own vm realm, and the `@opentelemetry/api` it requires is a second copy that keeps its
 *    registry on the sandbox's `globalThis`. Exposing the worker's registry there (a getter, so it always follows
 *    the worker's) makes that copy see our provider, context manager and propagator instead of no-ops.
 * 2. Changing the active context inside `handleTestEvent` does not reach the test body: circus calls the body from
 *    its own awaited dispatch. So the test's (or hook's) function is swapped, for the duration of the call, for a
 *    wrapper that runs it inside `context.with(spanContext, …)`, and swapped back when it ends so that a retry
 *    never wraps a wrapper.
 */

const API_REGISTRY = Symbol.for('opentelemetry.js.api.1');

export function shareApiRegistry(sandbox: object): void {
  Object.defineProperty(sandbox, API_REGISTRY, {
    configurable: true,
    enumerable: false,
    get: () => (globalThis as Record<symbol, unknown>)[API_REGISTRY],
    set: () => {
      // A sandbox copy registering its own globals would replace the worker's: keep the worker's.
    },
  });
}

/** The span of the test (or hook) that owns the current async context; console events go there. */
const OWNER_SPAN = createContextKey('jest-environment-otel owner span');
/** The span of the running test, for the test API (`otelTest`) even inside user spans. */
const TEST_SPAN = createContextKey('jest-environment-otel test span');

/** The API's key of the active span (`trace.setSpan` writes it): read off a context that records what is set on it. */
const SPAN_KEY: symbol = (() => {
  let key: symbol | undefined;
  const probe: Context = {
    getValue: () => undefined,
    setValue: (written: symbol) => ((key = written), probe),
    deleteValue: () => probe,
  };
  trace.setSpan(probe, trace.wrapSpanContext({traceId: '', spanId: '', traceFlags: 0}));
  return key ?? Symbol('unused');
})();

/**
 * `parent` with `span` active and, where given, the owner and test spans set: the context each test and hook runs in,
 * as one object instead of a copy of `parent`'s values per key set. What derives a context from it (a user's span,
 * an HTTP call's) gets OpenTelemetry's own, made once.
 */
class SpanContextOf implements Context {
  private derived: Context | undefined;

  constructor(
    private readonly parent: Context,
    private readonly span: Span,
    private readonly owner: Span | undefined,
    private readonly test: Span | undefined,
  ) {}

  getValue(key: symbol): unknown {
    if (key === SPAN_KEY) return this.span;
    if (key === OWNER_SPAN && this.owner) return this.owner;
    if (key === TEST_SPAN && this.test) return this.test;
    return this.parent.getValue(key);
  }

  setValue(key: symbol, value: unknown): Context {
    return this.general().setValue(key, value);
  }

  deleteValue(key: symbol): Context {
    return this.general().deleteValue(key);
  }

  private general(): Context {
    if (!this.derived) {
      const withSpan = trace.setSpan(this.parent, this.span);
      const withOwner = this.owner ? withSpan.setValue(OWNER_SPAN, this.owner) : withSpan;
      this.derived = this.test ? withOwner.setValue(TEST_SPAN, this.test) : withOwner;
    }
    return this.derived;
  }
}

/** `parent` with `span` active, and the owner and test spans (for console output and `otelTest`) where given. */
export function spanContext(parent: Context, span: Span, owner?: Span, test?: Span): Context {
  return new SpanContextOf(parent, span, owner, test);
}

export function activeOwnerSpan(): Span | undefined {
  return context.active().getValue(OWNER_SPAN) as Span | undefined;
}

export function activeTestSpan(): Span | undefined {
  return context.active().getValue(TEST_SPAN) as Span | undefined;
}

type AnyFn = (...args: unknown[]) => unknown;
/** A circus test or hook: anything with a swappable `fn`. */
interface HasFn {
  fn?: unknown;
}

const originalFn = new WeakMap<object, AnyFn>();

/*
 * Where AsyncLocalStorage is built on async hooks (Node.js before 24), an enabled storage makes every promise of the
 * process pay a hook when it is made and whenever its callbacks run, and circus's own dispatch of each event makes
 * several. Jest 30's circus keeps a storage of its own enabled during each file, so its runs pay that anyway; on
 * Jest 29 nothing else enables one, and ours, enabled by the first test and never disabled, made circus's work
 * between and around every test function pay it: about 1.6 M instructions a test of 1 ms on Jest 29 (BENCHMARKS.md).
 * So ours is enabled only while a test's or a hook's function runs: from the call of its wrapper until circus says
 * it settled (its promise or `done`, its timeout). Its contexts are kept on the resources made while it was enabled;
 * work a test left running that runs between functions sees no context until the next function starts. With async
 * context frames (Node.js 24 and later) an enabled storage costs nothing per promise, and it is left enabled.
 */
const PAUSES = typeof (AsyncLocalStorage.prototype as {_propagate?: unknown})._propagate === 'function';
/** The tests and hooks whose function is running. */
const running = new Set<object>();

/** Circus says the function of `holder` (a test or a hook) settled: with none left running, the storage pauses. */
export function functionSettled(holder: object): void {
  if (running.delete(holder) && running.size === 0) contextManager.storage.disable();
}

/**
 * Keeps the storage from pausing until the returned function is called: for the package's own work whose later
 * steps rely on the context they started in (an export's requests, retries included, are not traced because of it).
 */
export function holdContext(): () => void {
  if (!PAUSES) return () => {};
  const token = {};
  running.add(token);
  return () => functionSettled(token);
}

type Runner = (ctx: Context, fn: AnyFn, thisArg: unknown, args: unknown[]) => unknown;
const runWithOurs: Runner = (ctx, fn, thisArg, args) => contextManager.with(ctx, fn, thisArg, ...args);
const runWithRegistered: Runner = (ctx, fn, thisArg, args) => context.with(ctx, fn, thisArg, ...args);
let run: Runner = runWithOurs;

/**
 * Which context manager runs tests: ours (the default), or — `undefined` — the one another OpenTelemetry setup
 * registered first, reached through the API.
 */
export function useContextManager(manager: typeof contextManager | undefined): void {
  run = manager ? runWithOurs : runWithRegistered;
}

/** Runs `fn` in `ctx` with the context manager that runs tests. */
export function runInContext<T>(ctx: Context, fn: () => T): T {
  return run(ctx, fn, undefined, []) as T;
}

/**
 * Replaces `holder.fn` with a wrapper that runs it in `ctx` (or in the context `ctx()` returns when it is called).
 * The wrapper keeps `fn.length`, which circus reads to decide whether the function takes a `done` callback.
 * Generator functions are left alone (circus runs them through `co`, which would not see a wrapper as a
 * generator). A holder already wrapped is left as it is.
 */
export function wrapFn(holder: HasFn, ctx: Context | (() => Context)): void {
  const fn = holder.fn as AnyFn | undefined;
  if (typeof fn !== 'function' || originalFn.has(holder) || isGenerator(fn)) return;
  // With our context manager, the wrapper calls its storage itself, from a small file of its own (see
  // src/pipeline/stack-frames.ts); another SDK's is reached through the API.
  const wrapper =
    run === runWithOurs
      ? runningInStore(contextManager.storage, ctx, fn, PAUSES ? () => running.add(holder) : undefined)
      : function (this: unknown, ...args: unknown[]) {
          return run(typeof ctx === 'function' ? ctx() : ctx, fn, this, args);
        };
  // A rest-parameter function has length 0 already: only done-callback functions need theirs set (a slower path).
  if (fn.length !== 0) Object.defineProperty(wrapper, 'length', {value: fn.length});
  originalFn.set(holder, fn);
  holder.fn = wrapper;
}

export function restoreFn(holder: HasFn): void {
  const fn = originalFn.get(holder);
  if (!fn) return;
  originalFn.delete(holder);
  holder.fn = fn;
}

function isGenerator(fn: AnyFn): boolean {
  const tag = (fn as unknown as {[Symbol.toStringTag]?: string})[Symbol.toStringTag];
  return tag === 'GeneratorFunction' || tag === 'AsyncGeneratorFunction';
}
