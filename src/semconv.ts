/*
 * Attribute names. The `test.*` and `code.*` names follow the OpenTelemetry semantic conventions (development
 * stability, copied here on purpose rather than imported from an `incubating` entry point); names that the
 * conventions do not cover live under `jest.*`. Every name here is documented in the README's table.
 */
export const ATTR_TEST_CASE_NAME = 'test.case.name';
export const ATTR_TEST_CASE_RESULT_STATUS = 'test.case.result.status';
export const ATTR_TEST_SUITE_NAME = 'test.suite.name';
export const ATTR_TEST_SUITE_RUN_STATUS = 'test.suite.run.status';
export const ATTR_CODE_FILE_PATH = 'code.file.path';
export const ATTR_CODE_LINE_NUMBER = 'code.line.number';
export const ATTR_CODE_COLUMN_NUMBER = 'code.column.number';

export const ATTR_JEST_TEST_STATUS = 'jest.test.status';
export const ATTR_JEST_TEST_TITLE = 'jest.test.title';
export const ATTR_JEST_TEST_ATTEMPT = 'jest.test.attempt';
export const ATTR_JEST_TEST_MODE = 'jest.test.mode';
export const ATTR_JEST_TEST_CONCURRENT = 'jest.test.concurrent';
export const ATTR_JEST_TEST_FAILING = 'jest.test.failing';
export const ATTR_JEST_TEST_DURATION = 'jest.test.duration_ms';
export const ATTR_JEST_DESCRIBE_PATH = 'jest.describe.path';
export const ATTR_JEST_HOOK_TYPE = 'jest.hook.type';
export const ATTR_JEST_SUITE_TESTS = 'jest.suite.tests';
export const ATTR_JEST_SUITE_PASSED = 'jest.suite.tests.passed';
export const ATTR_JEST_SUITE_FAILED = 'jest.suite.tests.failed';
export const ATTR_JEST_SUITE_SKIPPED = 'jest.suite.tests.skipped';
export const ATTR_JEST_SUITE_TODO = 'jest.suite.tests.todo';
export const ATTR_JEST_WORKER_ID = 'jest.worker.id';
export const ATTR_JEST_RUN_ID = 'jest.run.id';
export const ATTR_JEST_SHARD_INDEX = 'jest.shard.index';
export const ATTR_JEST_SHARD_COUNT = 'jest.shard.count';
export const ATTR_JEST_CONSOLE_LEVEL = 'jest.console.level';
export const ATTR_JEST_CONSOLE_MESSAGE = 'jest.console.message';
export const ATTR_JEST_CONSOLE_TRUNCATED = 'jest.console.truncated';
export const ATTR_JEST_CONSOLE_DROPPED = 'jest.console.dropped';

export const ATTR_EXCEPTION_TYPE = 'exception.type';
export const ATTR_EXCEPTION_MESSAGE = 'exception.message';
export const ATTR_EXCEPTION_STACKTRACE = 'exception.stacktrace';

export const EVENT_EXCEPTION = 'exception';
export const EVENT_CONSOLE = 'console';

/** `test.suite.run.status` values used by this package. */
export const SUITE_STATUS_SUCCESS = 'success';
export const SUITE_STATUS_FAILURE = 'failure';
export const SUITE_STATUS_SKIPPED = 'skipped';
export const SUITE_STATUS_ABORTED = 'aborted';
export const SUITE_STATUS_TIMED_OUT = 'timed_out';

/** `log.iostream` values. */
export const ATTR_LOG_IOSTREAM = 'log.iostream';
export const IOSTREAM_STDOUT = 'stdout';
export const IOSTREAM_STDERR = 'stderr';
