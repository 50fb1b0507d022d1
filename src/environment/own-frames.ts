import {basename, dirname, sep} from 'node:path';

/*
 * A test or hook function runs inside this package's wrapper, which calls it through a context manager's
 * `AsyncLocalStorage.run`. An error made synchronously by the function therefore carries those frames in its stack.
 * Jest's terminal output filters them (they are in `node:internal` and in a `build/` folder), but the stack it keeps
 * in `--json` results (`failureMessages`, read by CI reporters) is the raw `error.stack`, and so is the span's
 * `exception.stacktrace`. The frames are cut from the error itself when circus reports the failure, before anything
 * reads it: every output then shows the stack it shows without this environment.
 */

/**
 * This package's own folder (the build, or the sources under ts-jest): every frame in it is a frame of ours. In the
 * single-file build this module is build/package.js; compiled on its own, or under ts-jest, it is in environment/.
 */
const OWN_FOLDER = (basename(__dirname) === 'environment' ? dirname(__dirname) : __dirname) + sep;
/** Frames our frames call on the way to the test function: the storage's `run`, and a registered SDK's `context.with`. */
const CALLED_BY_OURS = /^\s*at (?:.* \()?(?:node:internal\/async_local_storage\/|.*[\\/]node_modules[\\/]@opentelemetry[\\/])/;
const FRAME = /^\s*at /;
/** The wrapper circus-storage.ts puts on `AsyncLocalStorage.prototype.run`: a frame of ours that calls nothing of ours. */
const RUN_WRAPPER = /\brunWatchingForCircus\b/;

function isOwnFrame(line: string): boolean {
  return FRAME.test(line) && (line.includes(`(${OWN_FOLDER}`) || line.includes(`at ${OWN_FOLDER}`));
}

/**
 * The stack without our frames and the frames they called (those right above each run of ours), except for the
 * wrapper of `run`, which only stands in for its caller's call.
 */
export function withoutOwnFrames(stack: string): string {
  const lines = stack.split('\n');
  if (!lines.some(isOwnFrame)) return stack;
  const kept: string[] = [];
  for (const line of lines) {
    if (!isOwnFrame(line)) {
      kept.push(line);
      continue;
    }
    // The storage's `run` above it was called by whoever called the wrapper, with or without this environment.
    if (RUN_WRAPPER.test(line)) continue;
    while (kept.length > 0 && CALLED_BY_OURS.test(kept[kept.length - 1])) kept.pop();
  }
  return kept.join('\n');
}

/**
 * Cuts our frames from an error's `stack`, and from those of its `cause` and, for an AggregateError, its `errors`
 * (Jest prints causes too). Values that are not errors, and stacks that cannot be written, are left as they are.
 */
export function cutOwnFrames(error: unknown, depth = 0): void {
  if (typeof error !== 'object' || error === null || depth > 5) return;
  const holder = error as {stack?: unknown; cause?: unknown; errors?: unknown};
  const stack = holder.stack;
  if (typeof stack === 'string') {
    const cut = withoutOwnFrames(stack);
    if (cut !== stack) {
      try {
        holder.stack = cut;
      } catch {
        // a frozen error or a stack without a setter keeps its frames
      }
    }
  }
  if (holder.cause !== undefined) cutOwnFrames(holder.cause, depth + 1);
  if (Array.isArray(holder.errors)) for (const inner of holder.errors) cutOwnFrames(inner, depth + 1);
}
