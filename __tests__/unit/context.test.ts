import vm from 'node:vm';
import {ROOT_CONTEXT, context, trace, type Span} from '@opentelemetry/api';
import {AsyncLocalStorageContextManager} from '@opentelemetry/context-async-hooks';
import {activeOwnerSpan, activeTestSpan, restoreFn, shareApiRegistry, spanContext as withSpans, useContextManager, wrapFn} from '../../src/pipeline/context';
import {contextManager} from '../../src/pipeline/context-manager';

const API_REGISTRY = Symbol.for('opentelemetry.js.api.1');
const outerGlobal = globalThis as Record<symbol, unknown>;

function fakeSpan(spanId: string): Span {
  return trace.wrapSpanContext({traceId: '0af7651916cd43dd8448eb211c80319c', spanId, traceFlags: 1});
}
const testSpan = fakeSpan('00000000000000a1');
const spanContext = trace.setSpan(ROOT_CONTEXT, testSpan);

describe('shareApiRegistry', () => {
  beforeAll(() => {
    // Makes sure the registry of this realm exists.
    context.setGlobalContextManager(contextManager);
  });
  afterAll(() => context.disable());

  test('a plain object sandbox reads the outer registry, and follows it when it changes', () => {
    const sandbox: Record<symbol, unknown> = {};
    shareApiRegistry(sandbox);
    const registry = outerGlobal[API_REGISTRY];
    expect(registry).toBeDefined();
    expect(sandbox[API_REGISTRY]).toBe(registry);
    const replacement = {version: 'replacement'};
    outerGlobal[API_REGISTRY] = replacement;
    try {
      expect(sandbox[API_REGISTRY]).toBe(replacement);
    } finally {
      outerGlobal[API_REGISTRY] = registry;
    }
  });

  test('assignments from the sandbox are ignored, and the property is not enumerable', () => {
    const sandbox: Record<symbol, unknown> = {};
    shareApiRegistry(sandbox);
    sandbox[API_REGISTRY] = {version: 'sandbox copy'};
    expect(sandbox[API_REGISTRY]).toBe(outerGlobal[API_REGISTRY]);
    expect(Object.getOwnPropertySymbols(sandbox)).toEqual([API_REGISTRY]);
    expect(Object.prototype.propertyIsEnumerable.call(sandbox, API_REGISTRY)).toBe(false);
  });

  test('code in a vm realm sees the outer registry through its globalThis and cannot replace it', () => {
    const realm = vm.createContext();
    shareApiRegistry(vm.runInContext('this', realm));
    const read = `globalThis[Symbol.for('opentelemetry.js.api.1')]`;
    expect(vm.runInContext(read, realm)).toBe(outerGlobal[API_REGISTRY]);
    vm.runInContext(`${read} = {version: 'inner'};`, realm);
    expect(vm.runInContext(read, realm)).toBe(outerGlobal[API_REGISTRY]);
  });
});

describe('wrapFn and restoreFn', () => {
  beforeAll(() => {
    context.setGlobalContextManager(contextManager);
  });
  afterAll(() => context.disable());

  test.each([
    ['no argument', () => undefined, 0],
    ['a done callback', (done: () => void) => done(), 1],
    ['two arguments', (a: unknown, b: unknown) => [a, b], 2],
  ])('the wrapper keeps fn.length of a function with %s', (_, fn, length) => {
    const holder = {fn};
    wrapFn(holder, spanContext);
    expect(holder.fn).not.toBe(fn);
    expect(holder.fn.length).toBe(length);
  });

  test('the wrapper passes this and arguments, returns the result, and runs fn with the span active', () => {
    const seen: unknown[] = [];
    const fn = function (this: unknown, a: number, b: number) {
      seen.push(this, trace.getActiveSpan());
      return a + b;
    };
    const holder = {fn};
    const self = {name: 'testContext'};
    wrapFn(holder, spanContext);
    expect(holder.fn.call(self, 2, 3)).toBe(5);
    expect(seen).toEqual([self, testSpan]);
    expect(seen[1]).toBe(testSpan);
    expect(trace.getActiveSpan()).toBeUndefined();
  });

  test('the span stays active across awaits of an async function', async () => {
    const holder = {
      fn: async () => {
        await Promise.resolve();
        await new Promise(resolve => setImmediate(resolve));
        return trace.getActiveSpan();
      },
    };
    wrapFn(holder, spanContext);
    await expect(holder.fn()).resolves.toBe(testSpan);
  });

  test('a context factory is called on every call, not when wrapping', () => {
    const spans = [fakeSpan('00000000000000b1'), fakeSpan('00000000000000b2')];
    let calls = 0;
    const factory = jest.fn(() => trace.setSpan(ROOT_CONTEXT, spans[calls++]));
    const holder = {fn: () => trace.getActiveSpan()};
    wrapFn(holder, factory);
    expect(factory).not.toHaveBeenCalled();
    expect(holder.fn()).toBe(spans[0]);
    expect(holder.fn()).toBe(spans[1]);
    expect(factory).toHaveBeenCalledTimes(2);
  });

  test('owner and test spans of the context a test runs in are visible inside the wrapped function', () => {
    const owner = fakeSpan('00000000000000c1');
    const holder = {fn: () => [activeOwnerSpan(), activeTestSpan()]};
    wrapFn(holder, withSpans(ROOT_CONTEXT, testSpan, owner, testSpan));
    expect(holder.fn()).toEqual([owner, testSpan]);
    expect(activeOwnerSpan()).toBeUndefined();
  });

  test('restoreFn puts the original function back, once', () => {
    const fn = () => trace.getActiveSpan();
    const holder = {fn};
    wrapFn(holder, spanContext);
    restoreFn(holder);
    expect(holder.fn).toBe(fn);
    expect(holder.fn()).toBeUndefined();
    restoreFn(holder);
    expect(holder.fn).toBe(fn);
  });

  test('wrapping twice keeps the first wrapper, so one restore gives back the original', () => {
    const fn = () => trace.getActiveSpan();
    const holder = {fn};
    wrapFn(holder, spanContext);
    const first = holder.fn;
    wrapFn(holder, trace.setSpan(ROOT_CONTEXT, fakeSpan('00000000000000d1')));
    expect(holder.fn).toBe(first);
    expect(holder.fn()).toBe(testSpan);
    restoreFn(holder);
    expect(holder.fn).toBe(fn);
  });

  test('after a restore, the holder can be wrapped again (a retry)', () => {
    const fn = () => trace.getActiveSpan();
    const holder = {fn};
    wrapFn(holder, spanContext);
    restoreFn(holder);
    const retrySpan = fakeSpan('00000000000000e1');
    wrapFn(holder, trace.setSpan(ROOT_CONTEXT, retrySpan));
    expect(holder.fn()).toBe(retrySpan);
  });

  test('generator functions, async generator functions and non-functions are left alone', () => {
    function* generator() {
      yield 1;
    }
    async function* asyncGenerator() {
      yield 1;
    }
    for (const fn of [generator, asyncGenerator, undefined, 'not a function']) {
      const holder = {fn};
      wrapFn(holder, spanContext);
      expect(holder.fn).toBe(fn);
    }
  });

  test('restoreFn on a holder that was never wrapped changes nothing', () => {
    const fn = () => 1;
    const holder = {fn};
    restoreFn(holder);
    expect(holder.fn).toBe(fn);
  });
});

describe('with a context manager registered by another OpenTelemetry setup', () => {
  beforeAll(() => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    useContextManager(undefined);
  });
  afterAll(() => {
    useContextManager(contextManager);
    context.disable();
  });

  test('the wrapper runs fn through the registered manager, with this, arguments and the span', () => {
    const seen: unknown[] = [];
    const holder = {
      fn: function (this: unknown, value: string) {
        seen.push(this, value, trace.getActiveSpan());
      },
    };
    const self = {};
    wrapFn(holder, spanContext);
    holder.fn.call(self, 'arg');
    expect(seen).toEqual([self, 'arg', testSpan]);
    expect(seen[2]).toBe(testSpan);
  });
});
