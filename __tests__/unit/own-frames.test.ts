import {ROOT_CONTEXT, context} from '@opentelemetry/api';
import {AsyncLocalStorageContextManager} from '@opentelemetry/context-async-hooks';
import {useContextManager, wrapFn} from '../../src/pipeline/context';
import {contextManager} from '../../src/pipeline/context-manager';
import {cutOwnFrames, withoutOwnFrames} from '../../src/environment/own-frames';

/*
 * Errors made inside a wrapped test function, cut of our frames, against the same errors made by the function called
 * directly: the stacks are equal line for line, except the wrapped call's own line in this file.
 */

function failing(): Error {
  return new Error('boom', {cause: new RangeError('inner')});
}

/** The stack from the failing function's frame down, without the caller's line in this file (it differs). */
function framesBelow(stack: string): string[] {
  return stack.split('\n').filter(line => !line.includes('own-frames.test.ts'));
}

function throughWrapper(): Error {
  const holder: {fn?: unknown} = {fn: failing};
  wrapFn(holder, ROOT_CONTEXT);
  return (holder.fn as () => Error)();
}

afterEach(() => {
  useContextManager(contextManager);
  context.disable();
});

test('with our context manager: the wrapper and the storage frames are cut, the rest kept', () => {
  const direct = failing();
  const wrapped = throughWrapper();
  // The wrapper, from its own small file, calls the storage directly: no frame of the rest of the package.
  expect(wrapped.stack).toMatch(/async_local_storage.*\n.*stack-frames\.ts/);
  expect(wrapped.stack).not.toMatch(/context-manager|context\.ts/);
  cutOwnFrames(wrapped);
  expect(framesBelow(wrapped.stack!)).toEqual(framesBelow(direct.stack!));
  expect(framesBelow((wrapped.cause as Error).stack!)).toEqual(framesBelow((direct.cause as Error).stack!));
});

test('beside another SDK: the frames of its context manager, called by ours, are cut too', () => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  useContextManager(undefined);
  const direct = failing();
  const wrapped = throughWrapper();
  expect(wrapped.stack).toMatch(/@opentelemetry/);
  cutOwnFrames(wrapped);
  expect(framesBelow(wrapped.stack!)).toEqual(framesBelow(direct.stack!));
});

test('a stack without our frames is returned as it is; values that are not errors are left alone', () => {
  const stack = failing().stack!;
  expect(withoutOwnFrames(stack)).toBe(stack);
  expect(() => cutOwnFrames('plain string')).not.toThrow();
  const frozen = Object.freeze(throughWrapper());
  expect(() => cutOwnFrames(frozen)).not.toThrow();
});
