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

/** CI/CD and VCS resource attributes (development stability; the `jest.*` ones are not in the conventions). */
export const ATTR_CICD_PIPELINE_NAME = 'cicd.pipeline.name';
export const ATTR_CICD_PIPELINE_RUN_ID = 'cicd.pipeline.run.id';
export const ATTR_CICD_PIPELINE_RUN_URL = 'cicd.pipeline.run.url.full';
export const ATTR_CICD_PIPELINE_TASK_NAME = 'cicd.pipeline.task.name';
export const ATTR_CICD_PIPELINE_TASK_TYPE = 'cicd.pipeline.task.type';
export const ATTR_CICD_PIPELINE_TASK_RUN_ID = 'cicd.pipeline.task.run.id';
export const ATTR_CICD_PIPELINE_TASK_RUN_URL = 'cicd.pipeline.task.run.url.full';
export const ATTR_CICD_WORKER_ID = 'cicd.worker.id';
export const ATTR_CICD_WORKER_NAME = 'cicd.worker.name';
export const ATTR_VCS_PROVIDER_NAME = 'vcs.provider.name';
export const ATTR_VCS_OWNER_NAME = 'vcs.owner.name';
export const ATTR_VCS_REPOSITORY_NAME = 'vcs.repository.name';
export const ATTR_VCS_REPOSITORY_URL = 'vcs.repository.url.full';
export const ATTR_VCS_REF_HEAD_NAME = 'vcs.ref.head.name';
export const ATTR_VCS_REF_HEAD_REVISION = 'vcs.ref.head.revision';
export const ATTR_VCS_REF_HEAD_TYPE = 'vcs.ref.head.type';
export const ATTR_VCS_REF_BASE_NAME = 'vcs.ref.base.name';
export const ATTR_VCS_REF_BASE_REVISION = 'vcs.ref.base.revision';
export const ATTR_VCS_REF_BASE_TYPE = 'vcs.ref.base.type';
export const ATTR_VCS_CHANGE_ID = 'vcs.change.id';
export const ATTR_JEST_VCS_CHANGE_URL = 'jest.vcs.change.url.full';
export const ATTR_JEST_CI_PROVIDER = 'jest.ci.provider';
export const ATTR_JEST_CI_ACTOR = 'jest.ci.actor';

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

/** HTTP bodies (development stability, merged into the HTTP conventions); stored runs may hold `jest.http.*.body`. */
export const ATTR_HTTP_REQUEST_BODY_CONTENT = 'http.request.body.content';
export const ATTR_HTTP_RESPONSE_BODY_CONTENT = 'http.response.body.content';
export const ATTR_JEST_HTTP_REQUEST_BODY_TRUNCATED = 'jest.http.request.body.truncated';
export const ATTR_JEST_HTTP_RESPONSE_BODY_TRUNCATED = 'jest.http.response.body.truncated';

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
