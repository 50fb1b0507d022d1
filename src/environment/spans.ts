import {stripVTControlCharacters} from 'node:util';
import {SpanStatusCode, type Attributes, type Span} from '@opentelemetry/api';
import type {Circus} from '@jest/types';
import {callSites, capturedCallSites} from './call-sites';
import {originalPositions} from './source-positions';
import {
  ATTR_CODE_COLUMN_NUMBER,
  ATTR_CODE_FILE_PATH,
  ATTR_CODE_LINE_NUMBER,
  ATTR_EXCEPTION_MESSAGE,
  ATTR_EXCEPTION_STACKTRACE,
  ATTR_EXCEPTION_TYPE,
  ATTR_JEST_DESCRIBE_PATH,
  ATTR_JEST_TEST_CONCURRENT,
  ATTR_JEST_TEST_FAILING,
  ATTR_JEST_TEST_MODE,
  ATTR_JEST_TEST_TITLE,
  ATTR_TEST_CASE_NAME,
  EVENT_EXCEPTION,
  SUITE_STATUS_ABORTED,
  SUITE_STATUS_FAILURE,
  SUITE_STATUS_SKIPPED,
  SUITE_STATUS_SUCCESS,
  SUITE_STATUS_TIMED_OUT,
} from '../shared/semconv';

/*
 * Naming, attributes and error recording: plain functions over circus's objects, unit-tested on their own.
 */

const ROOT_DESCRIBE_BLOCK = 'ROOT_DESCRIBE_BLOCK';
const JEST_CIRCUS = /[\\/]jest-circus[\\/]/;

/** Titles of the describe blocks around a test or hook, outermost first. */
export function describePath(block: Circus.DescribeBlock | undefined): string[] {
  const titles: string[] = [];
  for (let current = block; current && current.name !== ROOT_DESCRIBE_BLOCK; current = current.parent) {
    titles.unshift(current.name);
  }
  return titles;
}

/** The test's full name as Jest prints it: describe titles and the test title, space-joined. */
export function testFullName(test: Circus.TestEntry): string {
  return [...describePath(test.parent), test.name].join(' ');
}

export function hookSpanName(hook: Circus.Hook): string {
  const path = describePath(hook.parent);
  return path.length > 0 ? `${hook.type} (${path.join(' ')})` : hook.type;
}

/**
 * Jest adds a root `beforeEach` of its own to every file (for `clearMocks`, `resetModules`…). A span for it would
 * be noise in every test's trace: hooks declared from inside jest-circus are not traced. This reads the hook's
 * formatted declaration stack; the recorder decides at `add_hook` instead (`hookDeclaredByJest`), and falls back on
 * this only for a hook whose declaration it did not see.
 */
export function isJestOwnHook(hook: Circus.Hook): boolean {
  if (hook.parent?.name !== ROOT_DESCRIBE_BLOCK) return false;
  const stack = readString(hook.asyncError, 'stack') ?? '';
  const frame = stack.split('\n').find(line => line.trimStart().startsWith('at '));
  return frame !== undefined && JEST_CIRCUS.test(frame);
}

export interface Location {
  line: number;
  column: number;
}

/** A test span's attributes, after `common` (the file's, shared by every span): built in one object. */
export function testAttributes(test: Circus.TestEntry, testPath: string, declaredAt?: Location, common?: Attributes): Attributes {
  const path = describePath(test.parent);
  const attributes: Attributes = {
    ...common,
    [ATTR_TEST_CASE_NAME]: [...path, test.name].join(' '),
    [ATTR_JEST_TEST_TITLE]: test.name,
    [ATTR_JEST_DESCRIBE_PATH]: path,
    [ATTR_CODE_FILE_PATH]: testPath,
  };
  if (test.mode) attributes[ATTR_JEST_TEST_MODE] = test.mode;
  if (test.concurrent) attributes[ATTR_JEST_TEST_CONCURRENT] = true;
  if (test.failing) attributes[ATTR_JEST_TEST_FAILING] = true;
  const location = declaredAt ?? locate(test.asyncError, testPath);
  if (location) {
    attributes[ATTR_CODE_LINE_NUMBER] = location.line;
    attributes[ATTR_CODE_COLUMN_NUMBER] = location.column;
  }
  return attributes;
}

const mappedBySite = new Map<string, Location | undefined>();

/**
 * Deep enough for `test(…)` and `beforeEach(…)` called from a test file (its frame is the 7th below the recorder),
 * `test.each` and a small helper included. Capturing costs about as much per frame as the frames are deep, so a
 * deeper declaration pays for a second, full capture instead of every test paying for a deep one.
 */
const SHALLOW_STACK = 12;
const FULL_STACK = 100;

/**
 * The call site, in `file`, of the test being declared right now: called while the test file runs `test(…)` (circus's
 * `add_test` event). V8's structured call sites give the test file's frame without formatting any; where it sits in
 * the original source is asked later, once for all the file's tests (`locateDeclarations`). Where this realm has no
 * stack formatter to hand the frame to later (the stack is formatted by another realm's), the location is read at
 * once from a stack formatted the plain way.
 */
export function declarationCallSite(file: string, asyncError?: object, realmError?: ErrorConstructor): NodeJS.CallSite | Location | undefined {
  const inFile = (callSite: NodeJS.CallSite) => callSite.getFileName() === file;
  // Circus captured the stack below its public `test` for this test already: its frames, unformatted, when they can be had.
  const captured = asyncError ? capturedCallSites(asyncError, realmError)?.find(inFile) : undefined;
  if (captured) return captured;
  if (typeof Error.prepareStackTrace !== 'function') {
    const holder: {stack?: string} = {};
    Error.captureStackTrace(holder, declarationCallSite);
    return locate(holder, file);
  }
  const sites = callSites(declarationCallSite, SHALLOW_STACK);
  const site = sites.find(inFile);
  if (site || sites.length < SHALLOW_STACK) return site;
  return callSites(declarationCallSite, FULL_STACK).find(inFile);
}

/**
 * Where each declaration of `file` sits in its original source. Reading circus's `asyncError.stack` instead would make
 * Jest format and source-map the whole stack of every test. The file's source map is read once, for just the lines of
 * these call sites (source-positions.ts); where it cannot answer for sure, the site alone goes through the installed
 * (source-map-aware) `Error.prepareStackTrace`, once per position (`test.each` and loops share one).
 */
export function locateDeclarations(file: string, declarations: ReadonlyArray<NodeJS.CallSite | Location>): Array<Location | undefined> {
  const sites = declarations.filter((declaration): declaration is NodeJS.CallSite => !isLocation(declaration));
  const generated = sites.map(site => ({line: site.getLineNumber() ?? 0, column: site.getColumnNumber() ?? 0}));
  const original = sites.length > 0 && generated.every(position => position.line > 0 && position.column > 0) ? originalPositions(file, generated) : undefined;
  let index = 0;
  return declarations.map(declaration => {
    if (isLocation(declaration)) return declaration;
    const at = index++;
    const mapped = original?.[at];
    if (mapped !== undefined) return mapped ?? generated[at];
    return formattedLocation(file, declaration);
  });
}

/** Where the test being declared right now sits in `file`, original source: both steps at once. */
export function declarationSite(file: string): Location | undefined {
  const declaration = declarationCallSite(file);
  return declaration ? locateDeclarations(file, [declaration])[0] : undefined;
}

export function isLocation(value: NodeJS.CallSite | Location): value is Location {
  return typeof (value as Partial<Location>).line === 'number';
}

function formattedLocation(file: string, site: NodeJS.CallSite): Location | undefined {
  const prepare = Error.prepareStackTrace;
  if (typeof prepare !== 'function') return undefined;
  const key = `${file}:${site.getLineNumber()}:${site.getColumnNumber()}`;
  if (!mappedBySite.has(key)) mappedBySite.set(key, locate({stack: String(prepare(new Error(), [site]))}, file));
  return mappedBySite.get(key);
}

/**
 * Whether the hook being added right now (circus's `add_hook` event) is declared by Jest itself — the root
 * `beforeEach` its adapter adds to every file — rather than by a test file, a setup file or a helper: the same rule
 * as `isJestOwnHook` (the caller of circus's `beforeEach`/`afterEach`/… is in jest-circus), read from V8's call
 * sites instead of a formatted stack. Circus declares every hook through its `_addHook`; the caller is the frame
 * below the public function that called it. Undefined when the stack does not have that shape.
 */
export function hookDeclaredByJest(asyncError?: object, realmError?: ErrorConstructor): boolean | undefined {
  const inCircus = (callSite: NodeJS.CallSite | undefined) => JEST_CIRCUS.test(callSite?.getFileName() ?? '');
  // Circus captured the hook's stack below the public function: its first frame is that function's caller.
  const captured = asyncError ? capturedCallSites(asyncError, realmError) : undefined;
  if (captured && captured.length > 0) return inCircus(captured[0]);
  const sites = callSites(hookDeclaredByJest, SHALLOW_STACK);
  const index = sites.findIndex(callSite => callSite.getFunctionName() === '_addHook' && inCircus(callSite));
  const caller = index === -1 ? undefined : sites[index + 2];
  return caller ? inCircus(caller) : undefined;
}

/** Line and column of the first stack frame in `file`: where the test was declared, for circus's `asyncError`. */
export function locate(error: unknown, file: string): Location | undefined {
  const stack = readString(error, 'stack');
  if (!stack) return undefined;
  for (const line of stack.split('\n')) {
    const index = line.indexOf(`${file}:`);
    if (index === -1) continue;
    const match = /^:(\d+):(\d+)/.exec(line.slice(index + file.length));
    if (match) return {line: Number(match[1]), column: Number(match[2])};
  }
  return undefined;
}

export interface ErrorInfo {
  type: string;
  message: string;
  stack?: string;
}

/**
 * Makes sense of one entry of circus's `test.errors`: an `[error, asyncError]` pair or a bare value. The error may
 * come from the test's vm realm (so `instanceof Error` is false), or not be an error at all: a timeout is a plain
 * string, `done('reason')` and `throw 42` give any value. As circus does, a value without message or stack is
 * described by the `asyncError` that circus captured where the test was declared.
 */
export function describeError(entry: unknown): ErrorInfo {
  const [error, asyncError] = Array.isArray(entry) ? entry : [entry, undefined];
  const message = readString(error, 'message');
  const stack = readString(error, 'stack');
  if (message !== undefined || stack !== undefined) {
    return {
      type: errorType(error),
      message: clean(message ?? firstLine(stack ?? '')),
      stack: stack === undefined ? undefined : clean(stack),
    };
  }
  const asyncStack = readString(asyncError, 'stack');
  const text = typeof error === 'string' ? error : `thrown: ${safeString(error)}`;
  return {type: 'Error', message: clean(text), stack: asyncStack === undefined ? undefined : clean(replaceFirstLine(asyncStack, `Error: ${text}`))};
}

export interface SuiteOutcome {
  ranToTheEnd: boolean;
  tests: number;
  passed: number;
  failed: number;
  /** The errors of each failed test's latest attempt. */
  failedTestErrors: ReadonlyArray<readonly unknown[]>;
  /** Errors of the file outside any test (a failing `afterAll`, an unhandled rejection). */
  suiteErrors: readonly unknown[];
}

/**
 * `test.suite.run.status`: `aborted` when the file did not run to the end (it failed to load, or Jest stopped it);
 * `timed_out` when every failure was Jest's timeout of a test or hook (a failing `beforeAll` fails its tests with its
 * own error); `failure`; `skipped` when all its tests were skipped or todo; else `success`.
 */
export function suiteRunStatus(outcome: SuiteOutcome): string {
  if (!outcome.ranToTheEnd) return SUITE_STATUS_ABORTED;
  if (outcome.failed === 0 && outcome.suiteErrors.length === 0) {
    return outcome.tests > 0 && outcome.passed === 0 ? SUITE_STATUS_SKIPPED : SUITE_STATUS_SUCCESS;
  }
  const onlyTimeouts = outcome.failedTestErrors.every(errors => errors.some(isJestTimeout)) && outcome.suiteErrors.every(isJestTimeout);
  return onlyTimeouts ? SUITE_STATUS_TIMED_OUT : SUITE_STATUS_FAILURE;
}

/** Jest's own error for a test or hook that ran past its timeout (circus, Jest 29 and 30). */
export function isJestTimeout(entry: unknown): boolean {
  return /^Exceeded timeout of \d+ ms for a (?:test|hook)\b/.test(describeError(entry).message);
}

/** ERROR status with the first error's message, and one `exception` event per error. */
export function recordErrors(span: Span, errors: readonly unknown[]): void {
  if (errors.length === 0) return;
  const infos = errors.map(describeError);
  for (const info of infos) {
    const attributes: Attributes = {[ATTR_EXCEPTION_TYPE]: info.type, [ATTR_EXCEPTION_MESSAGE]: info.message};
    if (info.stack !== undefined) attributes[ATTR_EXCEPTION_STACKTRACE] = info.stack;
    span.addEvent(EVENT_EXCEPTION, attributes);
  }
  span.setStatus({code: SpanStatusCode.ERROR, message: infos[0].message});
}

function errorType(error: unknown): string {
  const name = readString(error, 'name');
  const constructorName = readString((error as {constructor?: unknown} | null)?.constructor, 'name');
  if (constructorName && constructorName !== 'Object' && constructorName !== 'Error') return constructorName;
  return name ?? constructorName ?? 'Error';
}

function readString(value: unknown, key: string): string | undefined {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return undefined;
  try {
    const read = (value as Record<string, unknown>)[key];
    return typeof read === 'string' ? read : undefined;
  } catch {
    return undefined;
  }
}

function safeString(value: unknown): string {
  try {
    return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

function clean(text: string): string {
  return stripVTControlCharacters(text);
}

function firstLine(text: string): string {
  const index = text.indexOf('\n');
  return index === -1 ? text : text.slice(0, index);
}

function replaceFirstLine(text: string, line: string): string {
  const index = text.indexOf('\n');
  return index === -1 ? line : line + text.slice(index);
}
