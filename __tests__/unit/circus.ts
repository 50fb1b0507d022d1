import type {Circus} from '@jest/types';
import type {SuiteRecorder} from '../../src/environment/recorder';

/*
 * Just enough of jest-circus to drive a SuiteRecorder: objects shaped like circus's, and events dispatched the way
 * circus does, its own state changes (jestAdapterInit.js `eventHandler`) first, then the environment's handler.
 */

export const TEST_PATH = '/repo/__tests__/math.test.js';
export const SUITE_NAME = '__tests__/math.test.js';

/** The `asyncError` circus captures where a test or hook is declared: its stack points into the test file. */
export const declaredAt = (line: number) => ({stack: `Error: \n    at Object.<anonymous> (${TEST_PATH}:${line}:5)`}) as Error;

export function rootBlock(): Circus.DescribeBlock {
  return {type: 'describeBlock', name: 'ROOT_DESCRIBE_BLOCK', children: [], hooks: [], mode: undefined, tests: []};
}

export function addDescribe(name: string, parent: Circus.DescribeBlock): Circus.DescribeBlock {
  const block: Circus.DescribeBlock = {type: 'describeBlock', name, parent, children: [], hooks: [], mode: undefined, tests: []};
  parent.children.push(block);
  return block;
}

export function addTest(name: string, parent: Circus.DescribeBlock, fn: Circus.TestFn = () => {}, extra: Partial<Circus.TestEntry> = {}): Circus.TestEntry {
  const test: Circus.TestEntry = {
    type: 'test',
    name,
    parent,
    fn,
    asyncError: declaredAt(10),
    errors: [],
    retryReasons: [],
    invocations: 0,
    mode: undefined,
    concurrent: false,
    failing: false,
    numPassingAsserts: 0,
    seenDone: false,
    unhandledRejectionErrorByPromise: new Map(),
    ...extra,
  };
  parent.children.push(test);
  return test;
}

export function addHook(type: Circus.HookType, parent: Circus.DescribeBlock, fn: Circus.HookFn = () => {}, stack?: string): Circus.Hook {
  const hook: Circus.Hook = {type, parent, fn, asyncError: stack ? ({stack} as Error) : declaredAt(2), seenDone: false, timeout: undefined};
  parent.hooks.push(hook);
  return hook;
}

export class FakeCircus {
  readonly state: Circus.State;

  constructor(
    private readonly recorder: SuiteRecorder,
    readonly root: Circus.DescribeBlock = rootBlock(),
  ) {
    this.state = {currentDescribeBlock: root, rootDescribeBlock: root, currentlyRunningTest: null, unhandledErrors: [], hasFocusedTests: false} as Partial<Circus.State> as Circus.State;
  }

  emit(event: Circus.Event): void {
    switch (event.name) {
      case 'test_start':
        this.state.currentlyRunningTest = event.test;
        event.test.startedAt = Date.now();
        event.test.invocations += 1;
        break;
      case 'test_skip':
      case 'test_todo':
      case 'test_done':
        if (event.name === 'test_done') event.test.duration = 12;
        this.state.currentlyRunningTest = null;
        break;
      case 'test_retry':
        event.test.errors = [];
        break;
      case 'error':
        if (this.state.currentlyRunningTest) this.state.currentlyRunningTest.errors.push(event.error);
        else this.state.unhandledErrors.push(event.error);
        break;
      default:
        break;
    }
    this.recorder.handle(event, this.state);
  }

  /** hook_start, the hook's (current) fn, then hook_success or hook_failure. */
  async runHook(hook: Circus.Hook): Promise<void> {
    this.emit({name: 'hook_start', hook});
    try {
      await (hook.fn as () => unknown).call({});
      this.emit({name: 'hook_success', hook});
    } catch (error) {
      const test = this.state.currentlyRunningTest ?? undefined;
      if (test && (hook.type === 'beforeEach' || hook.type === 'afterEach')) test.errors.push([error, hook.asyncError]);
      this.emit({name: 'hook_failure', hook, error});
    }
  }

  /** One attempt of a test: test_start, its (current) fn with errors collected as circus does, test_done. */
  async runTest(test: Circus.TestEntry, eachHooks: {before?: Circus.Hook[]; after?: Circus.Hook[]} = {}): Promise<void> {
    this.emit({name: 'test_start', test});
    for (const hook of eachHooks.before ?? []) await this.runHook(hook);
    try {
      await (test.fn as () => unknown).call({});
    } catch (error) {
      test.errors.push([error, test.asyncError]);
    }
    for (const hook of eachHooks.after ?? []) await this.runHook(hook);
    this.emit({name: 'test_done', test});
  }
}
