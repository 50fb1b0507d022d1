/*
 * `jest-environment-otel/expect`: trace assertions for Jest. Imported by a test file (or listed in
 * `setupFilesAfterEnv`), it adds `toHaveSpan` and `toHaveSpanTimes` to `expect`, and exports `testTrace()`, the running
 * test's trace:
 *
 *   await expect(testTrace()).toHaveSpan({service: 'orders-api', name: 'POST /payments', status: 201});
 *   await expect(testTrace()).not.toHaveSpan({status: 'error'});
 *
 * This module runs inside the test file's sandbox and is only the matchers' shell: the environment's bridge, on the
 * sandbox's global, does the work (src/trace-assertions/bridge.ts), where the worker's spans are.
 */
import type {CheckRequest, TraceAssertionsBridge} from './trace-assertions/bridge';
import type {MatcherUtilsLike, SpanSelector, TestTrace, TraceWaitOptions} from './trace-assertions/types';
// The module augmented below, loaded for its types only.
import type {} from 'expect';

export type {AsymmetricMatcherLike, SpanKindName, SpanSelector, SpanStatusName, TestTrace, TextMatcher, TraceSpan, TraceWaitOptions} from './trace-assertions/types';

const BRIDGE_KEY = Symbol.for('jest-environment-otel.trace-assertions');

function bridge(): TraceAssertionsBridge {
  const found = (globalThis as Record<symbol, TraceAssertionsBridge | undefined>)[BRIDGE_KEY];
  if (!found) {
    throw new Error(
      'jest-environment-otel/expect needs the test file to run in jest-environment-otel (testEnvironment: "jest-environment-otel", or "otel"); this one runs in another environment',
    );
  }
  return found;
}

/**
 * The running test's trace (in `beforeAll`/`afterAll`: the test file's), for `expect(testTrace()).toHaveSpan(…)`:
 * the spans of the test, its hooks and calls, and those the services under test sent to the run's receiver.
 * Called in a test or hook; `options` set how long its assertions wait for spans still on their way.
 */
export function testTrace(options?: TraceWaitOptions): TestTrace {
  return bridge().testTrace(options);
}

interface MatcherContextLike {
  isNot?: boolean;
  promise?: string;
  equals(a: unknown, b: unknown): boolean;
  utils: MatcherUtilsLike;
}

function check(context: MatcherContextLike, request: Pick<CheckRequest, 'matcher' | 'selector' | 'times'>, received: unknown) {
  return bridge().check(received, {
    ...request,
    isNot: context.isNot === true,
    promise: context.promise ?? '',
    equals: (a, b) => context.equals(a, b),
    utils: context.utils,
  });
}

/** The matchers, for an `expect` this module does not find by itself: `expect.extend(traceMatchers)`. */
export const traceMatchers = {
  toHaveSpan(this: MatcherContextLike, received: unknown, selector: SpanSelector) {
    return check(this, {matcher: 'toHaveSpan', selector}, received);
  },
  toHaveSpanTimes(this: MatcherContextLike, received: unknown, selector: SpanSelector, times: number) {
    return check(this, {matcher: 'toHaveSpanTimes', selector, times}, received);
  },
};

type Extendable = {extend(matchers: Record<string, unknown>): void};

function jestExpect(): Extendable | undefined {
  const global = (globalThis as {expect?: Extendable}).expect;
  if (global && typeof global.extend === 'function') return global;
  try {
    // Inside Jest's module registry, `@jest/globals` is the file's own expect (injectGlobals: false).
    return (require('@jest/globals') as {expect: Extendable}).expect;
  } catch {
    return undefined;
  }
}

jestExpect()?.extend(traceMatchers);
// From here on, the worker keeps this file's ended spans for its assertions.
(globalThis as Record<symbol, TraceAssertionsBridge | undefined>)[BRIDGE_KEY]?.enable();

declare module 'expect' {
  interface Matchers<R extends void | Promise<void>, T = unknown> {
    /**
     * The trace (`testTrace()`) has a span matching `selector` (waiting for one, bounded); with `.not`, none (once the
     * trace has stopped growing). Returns a promise: `await` it.
     */
    toHaveSpan(selector: SpanSelector): Promise<void>;
    /** The trace has exactly `times` spans matching `selector`, once it has stopped growing (bounded). Returns a promise: `await` it. */
    toHaveSpanTimes(selector: SpanSelector, times: number): Promise<void>;
  }
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    interface Matchers<R, T = {}> {
      /**
       * The trace (`testTrace()`) has a span matching `selector` (waiting for one, bounded); with `.not`, none (once
       * the trace has stopped growing). Returns a promise: `await` it.
       */
      toHaveSpan(selector: SpanSelector): Promise<R>;
      /** The trace has exactly `times` spans matching `selector`, once it has stopped growing (bounded). Returns a promise: `await` it. */
      toHaveSpanTimes(selector: SpanSelector, times: number): Promise<R>;
    }
  }
}
