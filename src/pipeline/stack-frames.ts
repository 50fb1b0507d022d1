/*
 * The frames of this package that sit in the stack of every test and hook function, in a file of their own.
 *
 * Whenever a stack that passes through a test function is source-mapped (a `toThrow` matcher reading an error's
 * stack, a failure's message, a test printing `error.stack`), Jest's source-map support reads each file named in the
 * stack, once per test file, looking for a source map comment. In the single-file build (build/package.js, about
 * 670 kB) that read took 7–10 ms per test file; this file is a few hundred bytes. scripts/bundle.js keeps it out of
 * the bundle, so nothing of the bundle runs between Jest and a test's function.
 */

type AnyFn = (...args: unknown[]) => unknown;

/** The part of an AsyncLocalStorage the wrappers use. */
interface Runs {
  run<R>(store: unknown, callback: (...args: never[]) => R, ...args: unknown[]): R;
}

/**
 * `fn` as a function that runs it, with the same `this` and arguments, in `store` (or the store `store()` returns
 * when it is called), after telling `started` (if given) that it runs. `Reflect.apply` is no frame of its own:
 * between Jest and `fn` the stack has the wrapper and the storage's `run`.
 */
export function runningInStore(storage: Runs, store: object | (() => object), fn: AnyFn, started?: () => void): AnyFn {
  if (typeof store === 'function') {
    const current = store as () => object;
    return function (this: unknown, ...args: unknown[]) {
      if (started) started();
      return storage.run(current(), Reflect.apply, fn, this, args);
    };
  }
  return function (this: unknown, ...args: unknown[]) {
    if (started) started();
    return storage.run(store, Reflect.apply, fn, this, args);
  };
}

/**
 * `run` (AsyncLocalStorage.prototype.run) calling `recognise` with the storage before it runs the callback. Named
 * for the stack (src/environment/own-frames.ts): its frame stands in for the caller's own call of `run`.
 */
export function watchingRun<F extends (...args: never[]) => unknown>(run: F, recognise: (storage: object) => void): F {
  return function runWatchingForCircus(this: object, ...args: Parameters<F>) {
    recognise(this);
    return run.apply(this, args);
  } as F;
}
