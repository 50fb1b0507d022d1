import vm from 'node:vm';
import {SpanStatusCode} from '@opentelemetry/api';
import type {Circus} from '@jest/types';
import {declarationSite, describeError, describePath, hookDeclaredByJest, hookSpanName, isJestOwnHook, locate, recordErrors, testFullName} from '../../src/environment/spans';
import {memoryTracing, onlySpan} from './tracing';

/* Minimal circus objects: only the fields these functions read. */
function block(name: string, parent?: Circus.DescribeBlock): Circus.DescribeBlock {
  return {type: 'describeBlock', name, parent, children: [], hooks: [], mode: undefined, tests: []};
}
const root = block('ROOT_DESCRIBE_BLOCK');
const outer = block('outer', root);
const inner = block('inner', outer);

function testEntry(name: string, parent: Circus.DescribeBlock): Circus.TestEntry {
  return {name, parent} as Circus.TestEntry;
}
function hook(type: Circus.HookType, parent: Circus.DescribeBlock, stack = 'Error\n    at Object.<anonymous> (/repo/a.test.js:1:1)'): Circus.Hook {
  return {type, parent, asyncError: {stack} as Error, fn: () => {}, seenDone: false, timeout: undefined};
}

describe('names', () => {
  test('describePath lists describe titles outermost first, without the root block', () => {
    expect(describePath(inner)).toEqual(['outer', 'inner']);
    expect(describePath(root)).toEqual([]);
    expect(describePath(undefined)).toEqual([]);
  });

  test('testFullName joins describe titles and the test title with spaces, as Jest prints it', () => {
    expect(testFullName(testEntry('adds numbers', inner))).toBe('outer inner adds numbers');
    expect(testFullName(testEntry('top level', root))).toBe('top level');
  });

  test('hookSpanName is the hook type, followed by its describe path when there is one', () => {
    expect(hookSpanName(hook('beforeEach', inner))).toBe('beforeEach (outer inner)');
    expect(hookSpanName(hook('afterAll', root))).toBe('afterAll');
  });
});

describe('locate', () => {
  const file = '/repo/src/math.test.ts';
  const stack = [
    'Error: ',
    '    at test (/repo/node_modules/jest-circus/build/index.js:10:3)',
    `    at Object.<anonymous> (${file}:12:7)`,
    `    at Object.<anonymous> (${file}:40:1)`,
  ].join('\n');

  test('gives line and column of the first frame in the file', () => {
    expect(locate({stack}, file)).toEqual({line: 12, column: 7});
  });

  test('finds nothing in another file, without a stack, or in a non-error', () => {
    expect(locate({stack}, '/repo/src/other.test.ts')).toBeUndefined();
    expect(locate({}, file)).toBeUndefined();
    expect(locate('at /repo/src/math.test.ts:1:1', file)).toBeUndefined();
    expect(locate(null, file)).toBeUndefined();
  });
});

describe('isJestOwnHook', () => {
  const circusStack = 'Error\n    at addHook (/x/node_modules/jest-circus/build/jestAdapterInit.js:5:9)\n    at user (/repo/a.test.js:1:1)';

  test('a root hook declared from inside jest-circus is Jest\'s own (also with Windows separators)', () => {
    expect(isJestOwnHook(hook('beforeEach', root, circusStack))).toBe(true);
    expect(isJestOwnHook(hook('beforeEach', root, 'Error\n    at f (C:\\x\\node_modules\\jest-circus\\build\\index.js:5:9)'))).toBe(true);
  });

  test('a user hook, a hook inside a describe, or one without a stack is not', () => {
    expect(isJestOwnHook(hook('beforeEach', root))).toBe(false);
    expect(isJestOwnHook(hook('beforeEach', outer, circusStack))).toBe(false);
    expect(isJestOwnHook({...hook('beforeEach', root), asyncError: undefined as unknown as Error})).toBe(false);
  });

  test('only the first frame counts, not the message or later frames', () => {
    const userFirst = 'Error: see /jest-circus/ docs\n    at user (/repo/a.test.js:1:1)\n    at x (/n/jest-circus/build/a.js:1:1)';
    expect(isJestOwnHook(hook('beforeEach', root, userFirst))).toBe(false);
  });
});

describe('describeError', () => {
  test('an error from another vm realm keeps its type, message and stack', () => {
    const error = vm.runInNewContext('new TypeError("x")');
    expect(error instanceof Error).toBe(false);
    const info = describeError(error);
    expect(info).toEqual({type: 'TypeError', message: 'x', stack: error.stack});
    expect(info.stack).toMatch(/^TypeError: x\n/);
  });

  test('a custom error subclass is named by its class', () => {
    class PaymentDeclined extends Error {}
    class Named extends Error {
      override name = 'NamedError';
    }
    expect(describeError(new PaymentDeclined('no funds'))).toMatchObject({type: 'PaymentDeclined', message: 'no funds'});
    expect(describeError(vm.runInNewContext('class Boom extends Error {}; new Boom("b")'))).toMatchObject({type: 'Boom', message: 'b'});
    expect(describeError(new Named('n')).type).toBe('Named');
    expect(describeError(new Error('plain')).type).toBe('Error');
  });

  test('an error with a name but a plain constructor is named by its name', () => {
    const error = new Error('gone');
    error.name = 'AbortError';
    expect(describeError(error).type).toBe('AbortError');
  });

  test('the [error, asyncError] pair of circus is described by its error', () => {
    const asyncError = new Error('declared here');
    expect(describeError([new RangeError('too big'), asyncError])).toMatchObject({type: 'RangeError', message: 'too big'});
  });

  test('a string is the message, with the stack of the asyncError under an Error: line', () => {
    const asyncError = {stack: 'Error: \n    at Object.<anonymous> (/repo/a.test.js:3:1)'};
    expect(describeError(['Exceeded timeout of 5000 ms', asyncError])).toEqual({
      type: 'Error',
      message: 'Exceeded timeout of 5000 ms',
      stack: 'Error: Exceeded timeout of 5000 ms\n    at Object.<anonymous> (/repo/a.test.js:3:1)',
    });
    expect(describeError('bare reason')).toEqual({type: 'Error', message: 'bare reason', stack: undefined});
  });

  test('non-errors are described as thrown values', () => {
    expect(describeError(42).message).toBe('thrown: 42');
    expect(describeError(undefined).message).toBe('thrown: undefined');
    expect(describeError({code: 'E_NOPE'}).message).toBe('thrown: {"code":"E_NOPE"}');
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(describeError(circular).message).toBe('thrown: [object Object]');
  });

  test('a plain object with a message is described by it', () => {
    expect(describeError({message: 'from an object'}).message).toBe('from an object');
    expect(describeError({stack: 'Error: only stack\n    at x (y.js:1:1)'}).message).toBe('Error: only stack');
  });

  test('ANSI colour codes are stripped from message and stack', () => {
    const error = new Error('expect(\u001b[31mreceived\u001b[39m).toBe(\u001b[32mexpected\u001b[39m)');
    const info = describeError(error);
    expect(info.message).toBe('expect(received).toBe(expected)');
    expect(info.stack).not.toContain('\u001b');
    expect(info.stack).toContain('expect(received).toBe(expected)');
    expect(describeError('\u001b[1mbold\u001b[22m').message).toBe('bold');
  });

  test('a throwing getter does not throw out of describeError', () => {
    const hostile = Object.defineProperty({}, 'message', {get: () => { throw new Error('no'); }});
    expect(describeError(hostile).type).toBe('Error');
  });
});

describe('recordErrors', () => {
  test('sets ERROR with the first message and adds one exception event per error', () => {
    const tracing = memoryTracing();
    const span = tracing.tracer.startSpan('failing test');
    recordErrors(span, [vm.runInNewContext('new TypeError("first")'), ['second', {stack: 'Error: \n    at t (/a.js:1:1)'}]]);
    span.end();
    const exported = onlySpan(tracing.spans(), 'failing test');
    expect(exported.status).toEqual({code: SpanStatusCode.ERROR, message: 'first'});
    expect(exported.events.map(event => event.name)).toEqual(['exception', 'exception']);
    expect(exported.events[0].attributes).toMatchObject({'exception.type': 'TypeError', 'exception.message': 'first'});
    expect(exported.events[0].attributes?.['exception.stacktrace']).toMatch(/^TypeError: first/);
    expect(exported.events[1].attributes).toEqual({
      'exception.type': 'Error',
      'exception.message': 'second',
      'exception.stacktrace': 'Error: second\n    at t (/a.js:1:1)',
    });
  });

  test('no errors leave the span unset and without events', () => {
    const tracing = memoryTracing();
    const span = tracing.tracer.startSpan('passing test');
    recordErrors(span, []);
    span.end();
    const exported = onlySpan(tracing.spans(), 'passing test');
    expect(exported.status.code).toBe(SpanStatusCode.UNSET);
    expect(exported.events).toEqual([]);
  });

  test('an error without a stack gets no stacktrace attribute', () => {
    const tracing = memoryTracing();
    const span = tracing.tracer.startSpan('thrown value');
    recordErrors(span, [7]);
    span.end();
    const [event] = onlySpan(tracing.spans(), 'thrown value').events;
    expect(event.attributes).toEqual({'exception.type': 'Error', 'exception.message': 'thrown: 7'});
  });
});

describe('hookDeclaredByJest (at add_hook, from call sites)', () => {
  const circus = require('../support/jest-circus/hooks') as {
    beforeEach(onAdd: () => unknown): unknown;
    declareJestsOwn(onAdd: () => unknown): unknown;
  };

  test('is true when the caller of circus\'s hook function is in jest-circus, false when it is user code', () => {
    expect(circus.declareJestsOwn(() => hookDeclaredByJest())).toBe(true);
    expect(circus.beforeEach(() => hookDeclaredByJest())).toBe(false);
  });

  test('is undefined (undecided) when no circus `_addHook` frame is on the stack', () => {
    expect(hookDeclaredByJest()).toBeUndefined();
  });
});

describe('declarationSite', () => {
  test('is the line and column, in this very file, of the call that is running now (source-mapped)', () => {
    const [site, here] = [declarationSite(__filename), new Error().stack!]; // both on this line
    const [, line, column] = /:(\d+):(\d+)\)?$/.exec(here.split('\n')[1])!;
    expect(site?.line).toBe(Number(line));
    expect(site?.column).toBeGreaterThan(0);
    expect(site?.column).toBeLessThan(Number(column));
  });

  test('is undefined for a file that is not on the stack', () => {
    expect(declarationSite('/nowhere/else.test.js')).toBeUndefined();
  });
});
