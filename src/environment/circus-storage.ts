import {AsyncLocalStorage} from 'node:async_hooks';
import {callSites} from './call-sites';
import {watchingRun} from '../pipeline/stack-frames';

/*
 * Jest 30's circus keeps each test's execution context in an AsyncLocalStorage that it creates anew for every test
 * file (its adapter is loaded into each file's module registry) and never disables. Where AsyncLocalStorage is built
 * on async hooks (Node 20 and 22, unless run with --experimental-async-context-frame), every enabled storage is
 * visited whenever an async resource — every promise — is created: a worker that has run N test files pays N visits
 * per promise for the rest of its life, and so does every promise the tracing creates. Measured on the benchmark suite
 * (40 files in band), those visits were a tenth of plain Jest's CPU time.
 *
 * So the storages that circus enabled during a test file are disabled once that file has been torn down, when
 * nothing of the file runs any more. Each storage is recognised the first time it runs a callback, by its caller
 * being in jest-circus (each storage passes through that check once); no other storage is touched. Where
 * AsyncLocalStorage has no per-resource cost (async context frames, Node 24 and later), nothing is done.
 */

type Storage = AsyncLocalStorage<unknown>;

const JEST_CIRCUS = /[\\/]jest-circus[\\/]/;
const known = new WeakSet<Storage>();
let circusStorages: Storage[] = [];
let watching = false;

/** Starts recognising circus's storages (once per worker). */
export function watchCircusStorages(): void {
  const prototype = AsyncLocalStorage.prototype as Storage & {_propagate?: unknown};
  if (watching || typeof prototype._propagate !== 'function') return;
  watching = true;
  const run = prototype.run;
  // In a file of its own (src/pipeline/stack-frames.ts): a test file's first test has it in its stack.
  prototype.run = watchingRun(run, storage => {
    const watched = storage as Storage;
    if (known.has(watched)) return;
    known.add(watched);
    if (calledFromCircus()) circusStorages.push(watched);
    // Recognised once: its later calls go straight to the original (every context switch of the tracing is one).
    Object.defineProperty(watched, 'run', {value: run, configurable: true, writable: true, enumerable: false});
  });
}

/** At a test file's teardown, after the base environment's: disables the storages circus used for that file. */
export function releaseCircusStorages(): void {
  const storages = circusStorages;
  circusStorages = [];
  for (const storage of storages) storage.disable();
}

/**
 * Whether the code that called `run` is circus's (its runInTestExecutionContext). Below the wrapper of `run`,
 * frames called as `run` are passed over: those of any other code that wraps `AsyncLocalStorage.prototype.run`
 * after this module (an APM agent). The caller is the next frame: for the tracing's own storage a test's wrapper or
 * the context manager's `with`, for a storage a test function runs directly the test function.
 */
function calledFromCircus(): boolean {
  const sites = callSites(calledFromCircus, 10);
  const wrapper = sites.findIndex(site => site.getFunctionName() === 'runWatchingForCircus');
  const caller = sites.slice(wrapper + 1).find(site => site.getMethodName() !== 'run');
  return JEST_CIRCUS.test(caller?.getFileName() ?? '');
}
