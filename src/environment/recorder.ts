import {SpanKind, SpanStatusCode, type Attributes, type Context, type Link, type Span, type Tracer} from '@opentelemetry/api';
import type {Circus} from '@jest/types';
import {functionSettled, restoreFn, spanContext, wrapFn} from '../pipeline/context';
import {cutOwnFrames} from './own-frames';
import {RecordSpan, type SpanMaker} from '../pipeline/record-span';
import {baseContext, topContext, upstreamLinks, type Upstream} from '../shared/upstream';
import {declarationCallSite, describePath, hookDeclaredByJest, hookSpanName, isJestOwnHook, isLocation, locateDeclarations, recordErrors, suiteRunStatus, testAttributes, testFullName, type Location} from './spans';
import {
  ATTR_JEST_DESCRIBE_PATH,
  ATTR_JEST_HOOK_TYPE,
  ATTR_JEST_SUITE_FAILED,
  ATTR_JEST_SUITE_PASSED,
  ATTR_JEST_SUITE_SKIPPED,
  ATTR_JEST_SUITE_TESTS,
  ATTR_JEST_SUITE_TODO,
  ATTR_JEST_TEST_ATTEMPT,
  ATTR_JEST_TEST_DURATION,
  ATTR_JEST_TEST_STATUS,
  ATTR_TEST_CASE_NAME,
  ATTR_TEST_CASE_RESULT_STATUS,
  ATTR_TEST_SUITE_NAME,
  ATTR_TEST_SUITE_RUN_STATUS,
} from '../shared/semconv';

export interface SuiteInfo {
  /** Absolute path of the test file. */
  testPath: string;
  /** The test file's path relative to rootDir, with `/` separators: `test.suite.name`. */
  suiteName: string;
  /** Attributes put on every span this recorder opens. */
  commonAttributes?: Record<string, string | number | boolean>;
  /** The CI's context (TRACEPARENT, BAGGAGE): test and suite spans join its span as children (`parent`) or link to it (`link`). */
  upstream?: Upstream;
  /** The test file's realm's `Error`: circus's errors are made there. */
  realmError?: ErrorConstructor;
}

type TestStatus = 'pass' | 'fail' | 'skip' | 'todo';

interface HookShape {
  name: string;
  attributes: Attributes;
}

/** An attribute the recorder sets: valid by construction, so a span of its own takes it without the checks. */
function put(span: Span, key: string, value: string | number | boolean): void {
  if (span instanceof RecordSpan) span.put(key, value);
  else span.setAttribute(key, value);
}

/**
 * Turns one test file's circus events into spans: a suite span (own trace), a root span per test attempt linked to
 * it, and hook spans under their test (each hooks) or the suite (all hooks). Every span it opens is ended, at the
 * latest by `finish()`.
 */
export class SuiteRecorder {
  private readonly suiteSpan: Span;
  private readonly suiteContext: Context;
  private readonly spanByTest = new Map<Circus.TestEntry, Span>();
  /** Concurrent tests whose function circus called before their `test_start` (Jest 29 starts them all at once). */
  private readonly startedEarly = new Set<Circus.TestEntry>();
  /** Where each test was declared, taken at `add_test` (keyed by circus's per-test `asyncError`): its call site, then its location. */
  private readonly locationByDeclaration = new WeakMap<object, Location | NodeJS.CallSite>();
  /** The declarations whose call sites are not located yet: all at once, when the first test starts. */
  private unlocated: object[] = [];
  private readonly spanByHook = new Map<Circus.Hook, Span>();
  /** Root hooks seen at `add_hook`, keyed by their `asyncError`: true for the one Jest adds to every file. */
  private readonly jestHookByDeclaration = new WeakMap<object, boolean>();
  /** A hook's span name and the attributes its every run shares: a `beforeEach` runs once per test. */
  private readonly hookShape = new WeakMap<Circus.Hook, HookShape | null>();
  /** The full name of each test whose attempt is open (hook spans carry it too). */
  private readonly nameByTest = new Map<Circus.TestEntry, string>();
  /** The attributes every span of this file carries: the common ones and `test.suite.name`. */
  private readonly suiteAttributes: Attributes;
  /** The root context with the upstream baggage: what test, hook and suite contexts are built on. */
  private readonly base: Context;
  /** Each test's latest result: a retried test counts once, with its last attempt's status, as Jest counts it. */
  private readonly resultByTest = new Map<Circus.TestEntry, TestStatus>();
  private suiteErrors: unknown[] = [];
  /** Errors of each failed test's latest attempt, to tell a file that only timed out from one that failed. */
  private readonly failureErrors = new Map<Circus.TestEntry, readonly unknown[]>();
  private ranToTheEnd = false;
  private finished = false;

  constructor(
    private readonly tracer: Tracer,
    private readonly suite: SuiteInfo,
    /** Makes the spans without the SDK's span objects where it can; the tracer makes the others. */
    private readonly maker?: SpanMaker,
  ) {
    this.suiteAttributes = {...suite.commonAttributes, [ATTR_TEST_SUITE_NAME]: suite.suiteName};
    this.base = baseContext(suite.upstream);
    this.suiteSpan = this.startTopSpan(suite.suiteName, {...this.suiteAttributes}, []);
    this.suiteContext = spanContext(this.base, this.suiteSpan, this.suiteSpan);
  }

  /** The span that owns work done outside any test or hook (module scope of the test file). */
  get suiteOwner(): Span {
    return this.suiteSpan;
  }

  /** The span of the test whose attempt is running, if any (not meaningful for concurrent tests). */
  currentTestSpan(state: Circus.State | undefined): Span | undefined {
    const test = state?.currentlyRunningTest;
    return test ? this.spanByTest.get(test) : undefined;
  }

  handle(event: Circus.Event, state: Circus.State): void {
    switch (event.name) {
      case 'add_test': {
        const site = event.asyncError ? declarationCallSite(this.suite.testPath, event.asyncError, this.suite.realmError) : undefined;
        if (site) {
          this.locationByDeclaration.set(event.asyncError, site);
          this.unlocated.push(event.asyncError);
        }
        break;
      }
      case 'add_hook': {
        if (state.currentDescribeBlock.parent || !event.asyncError) break;
        const byJest = hookDeclaredByJest(event.asyncError, this.suite.realmError);
        if (byJest !== undefined) this.jestHookByDeclaration.set(event.asyncError, byJest);
        break;
      }
      case 'run_describe_start':
        if (!event.describeBlock.parent) this.prepareConcurrentTests(event.describeBlock);
        break;
      case 'test_start':
        this.startTest(event.test);
        break;
      case 'test_skip':
        this.endTest(event.test, 'skip');
        break;
      case 'test_todo':
        this.endTest(event.test, 'todo');
        break;
      case 'test_done':
        this.endTest(event.test, event.test.errors.length > 0 ? 'fail' : 'pass');
        break;
      case 'hook_start':
        this.startHook(event.hook, state.currentlyRunningTest ?? undefined);
        break;
      case 'hook_success':
        this.endHook(event.hook, []);
        break;
      case 'test_fn_success':
        functionSettled(event.test);
        break;
      case 'test_fn_failure':
        functionSettled(event.test);
        cutOwnFrames(event.error);
        break;
      case 'hook_failure':
        cutOwnFrames(event.error);
        this.endHook(event.hook, [event.error]);
        break;
      case 'run_finish':
        this.ranToTheEnd = true;
        this.suiteErrors = [...state.unhandledErrors];
        break;
      case 'error':
        cutOwnFrames(event.error);
        // An uncaught error outside of any test: circus reports it for the file; keep it on the suite span.
        if (!state.currentlyRunningTest) this.suiteErrors.push(event.error);
        break;
      default:
        break;
    }
  }

  /**
   * Test and suite spans start a trace of their own (linked to the upstream CI span), or join the upstream trace as
   * its children. Their context is built from the root context (with the upstream baggage), never from whatever
   * happens to be active in circus (so the SDK's `root` option, which would copy that context once more, is not needed).
   */
  private startTopSpan(name: string, attributes: Attributes, links: Link[]): Span {
    const upstream = this.suite.upstream;
    return this.startSpan(name, attributes, [...links, ...upstreamLinks(upstream)], topContext(upstream));
  }

  private startSpan(name: string, attributes: Attributes, links: Link[], parent: Context): Span {
    return this.maker?.start(name, SpanKind.INTERNAL, attributes, links, parent) ?? this.tracer.startSpan(name, {kind: SpanKind.INTERNAL, attributes, links}, parent);
  }

  /**
   * `test.concurrent` functions may be called before their `test_start` (Jest 29 calls them all right after the
   * root's beforeAll hooks). Their wrapper therefore finds — or, called early, starts — the test's span when it runs.
   */
  private prepareConcurrentTests(block: Circus.DescribeBlock): void {
    for (const child of block.children) {
      if (child.type === 'describeBlock') this.prepareConcurrentTests(child);
      else if (child.concurrent && child.mode !== 'skip' && child.mode !== 'todo') {
        wrapFn(child, () => this.testContext(child));
      }
    }
  }

  private testContext(test: Circus.TestEntry): Context {
    let span = this.spanByTest.get(test);
    if (!span) {
      span = this.startTestSpan(test);
      this.startedEarly.add(test);
    }
    return spanContext(this.base, span, span, span);
  }

  private startTest(test: Circus.TestEntry): void {
    if (this.startedEarly.delete(test)) {
      const span = this.spanByTest.get(test);
      if (span) put(span, ATTR_JEST_TEST_ATTEMPT, test.invocations);
      return;
    }
    this.endOpenTest(test);
    const span = this.startTestSpan(test);
    wrapFn(test, spanContext(this.base, span, span, span));
  }

  private startTestSpan(test: Circus.TestEntry): Span {
    const attributes = testAttributes(test, this.suite.testPath, this.declaredAt(test), this.suiteAttributes);
    attributes[ATTR_JEST_TEST_ATTEMPT] = test.invocations;
    const name = String(attributes[ATTR_TEST_CASE_NAME]);
    const span = this.startTopSpan(name, attributes, [{context: this.suiteSpan.spanContext()}]);
    this.spanByTest.set(test, span);
    this.nameByTest.set(test, name);
    return span;
  }

  /** Where the test was declared in its original source; the file's call sites are all located on the first call. */
  private declaredAt(test: Circus.TestEntry): Location | undefined {
    if (this.unlocated.length > 0) {
      const declarations = this.unlocated;
      this.unlocated = [];
      const sites = declarations.map(declaration => this.locationByDeclaration.get(declaration)!);
      const locations = locateDeclarations(this.suite.testPath, sites);
      declarations.forEach((declaration, index) => {
        const location = locations[index];
        if (location) this.locationByDeclaration.set(declaration, location);
        else this.locationByDeclaration.delete(declaration);
      });
    }
    const found = this.locationByDeclaration.get(test.asyncError);
    return found && isLocation(found) ? found : undefined;
  }

  /** A test that starts again while its previous attempt is still open was interrupted: close that attempt. */
  private endOpenTest(test: Circus.TestEntry): void {
    if (this.spanByTest.has(test)) this.endTest(test, test.errors.length > 0 ? 'fail' : 'pass');
  }

  private endTest(test: Circus.TestEntry, status: TestStatus): void {
    restoreFn(test);
    const span = this.spanByTest.get(test);
    if (!span) return;
    this.spanByTest.delete(test);
    this.nameByTest.delete(test);
    this.resultByTest.set(test, status);
    put(span, ATTR_JEST_TEST_STATUS, status);
    if (status === 'pass' || status === 'fail') put(span, ATTR_TEST_CASE_RESULT_STATUS, status);
    if (typeof test.duration === 'number') put(span, ATTR_JEST_TEST_DURATION, test.duration);
    if (status === 'fail') recordErrors(span, test.errors);
    if (status === 'fail') this.failureErrors.set(test, [...test.errors]);
    else this.failureErrors.delete(test);
    span.end();
  }

  private startHook(hook: Circus.Hook, test: Circus.TestEntry | undefined): void {
    const shape = this.shapeOf(hook);
    if (!shape) return;
    const isEach = hook.type === 'beforeEach' || hook.type === 'afterEach';
    const testSpan = isEach && test ? this.spanByTest.get(test) : undefined;
    const parentSpan = testSpan ?? this.suiteSpan;
    const parent = spanContext(this.base, parentSpan);
    const attributes = testSpan && test ? {...shape.attributes, [ATTR_TEST_CASE_NAME]: this.nameByTest.get(test) ?? testFullName(test)} : {...shape.attributes};
    const span = this.startSpan(shape.name, attributes, [], parent);
    this.spanByHook.set(hook, span);
    wrapFn(hook, spanContext(this.base, span, span, testSpan));
  }

  /** The hook's span name and shared attributes; undefined for Jest's own hook, which is not traced. */
  private shapeOf(hook: Circus.Hook): HookShape | undefined {
    let shape = this.hookShape.get(hook);
    if (shape === undefined) {
      const byJest = hook.parent?.parent === undefined && (this.jestHookByDeclaration.get(hook.asyncError) ?? isJestOwnHook(hook));
      shape = byJest
        ? null
        : {
            name: hookSpanName(hook),
            attributes: {...this.suiteAttributes, [ATTR_JEST_HOOK_TYPE]: hook.type, [ATTR_JEST_DESCRIBE_PATH]: describePath(hook.parent)},
          };
      this.hookShape.set(hook, shape);
    }
    return shape ?? undefined;
  }

  private endHook(hook: Circus.Hook, errors: unknown[]): void {
    functionSettled(hook);
    restoreFn(hook);
    const span = this.spanByHook.get(hook);
    if (!span) return;
    this.spanByHook.delete(hook);
    recordErrors(span, errors);
    span.end();
  }

  /** Ends every span still open (a crash, a timeout in teardown) and the suite span. Idempotent. */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    for (const [hook, span] of this.spanByHook) {
      restoreFn(hook);
      span.setStatus({code: SpanStatusCode.ERROR, message: 'the hook did not finish before the test file was torn down'});
      span.end();
    }
    this.spanByHook.clear();
    for (const test of [...this.spanByTest.keys()]) {
      const span = this.spanByTest.get(test);
      span?.setStatus({code: SpanStatusCode.ERROR, message: 'the test did not finish before the test file was torn down'});
      this.endTest(test, 'fail');
    }
    const counts: Record<TestStatus, number> = {pass: 0, fail: 0, skip: 0, todo: 0};
    for (const status of this.resultByTest.values()) counts[status] += 1;
    const {pass, fail, skip, todo} = counts;
    const total = pass + fail + skip + todo;
    this.suiteSpan.setAttributes({
      [ATTR_JEST_SUITE_TESTS]: total,
      [ATTR_JEST_SUITE_PASSED]: pass,
      [ATTR_JEST_SUITE_FAILED]: fail,
      [ATTR_JEST_SUITE_SKIPPED]: skip,
      [ATTR_JEST_SUITE_TODO]: todo,
      [ATTR_TEST_SUITE_RUN_STATUS]: suiteRunStatus({
        ranToTheEnd: this.ranToTheEnd,
        tests: total,
        passed: pass,
        failed: fail,
        failedTestErrors: [...this.failureErrors.values()],
        suiteErrors: this.suiteErrors,
      }),
    });
    if (this.suiteErrors.length > 0) recordErrors(this.suiteSpan, this.suiteErrors);
    else if (!this.ranToTheEnd) this.suiteSpan.setStatus({code: SpanStatusCode.ERROR, message: 'the test file did not run to the end (it failed to load, or Jest stopped it)'});
    else if (fail > 0) this.suiteSpan.setStatus({code: SpanStatusCode.ERROR, message: `${fail} of ${total} tests failed`});
    this.suiteSpan.end();
  }

  /** Context for work that belongs to the suite (module scope, beforeAll of the root). */
  get context(): Context {
    return this.suiteContext;
  }
}
