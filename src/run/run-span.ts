import {SpanKind, SpanStatusCode} from '@opentelemetry/api';
import {loadConfig} from '../shared/config';
import {safely} from '../shared/diag';
import {runId} from '../shared/run-id';
import {ATTR_JEST_RUN_ID} from '../shared/semconv';
import {getPipeline} from '../pipeline/telemetry';
import {topContext, upstreamLinks} from '../shared/upstream';

/*
 * The run span: one span per `jest` invocation, from the run's start to its end, with the run's counts. Recorded by
 * the reporter in Jest's main process, through the same destinations as the test spans (the first project's
 * options). Test and suite spans carry the same `jest.run.id`.
 */

export const RUN_SPAN_NAME = 'jest run';

export interface RunResults {
  startTime?: number;
  numTotalTests?: number;
  numPassedTests?: number;
  numFailedTests?: number;
  numPendingTests?: number;
  numTodoTests?: number;
  numTotalTestSuites?: number;
  numFailedTestSuites?: number;
  numRuntimeErrorTestSuites?: number;
  success?: boolean;
}

interface Project {
  config: {rootDir: string; testEnvironmentOptions?: Record<string, unknown>};
}

/** Records the run span and waits (bounded) for it to be exported. Never rejects. */
export async function recordRunSpan(projects: Project[], results: RunResults): Promise<void> {
  const project = projects[0];
  if (!project) return;
  const config = loadConfig(project.config.testEnvironmentOptions);
  if (!config.enabled) return;
  const pipeline = safely('starting the telemetry pipeline', () => getPipeline(config, project.config.rootDir));
  if (!pipeline) return;
  safely('recording the run span', () => {
    const upstream = config.upstream;
    const failed = (results.numFailedTests ?? 0) > 0 || (results.numFailedTestSuites ?? 0) > 0 || results.success === false;
    const span = pipeline.tracer.startSpan(
      RUN_SPAN_NAME,
      {
        kind: SpanKind.INTERNAL,
        startTime: results.startTime,
        links: upstreamLinks(upstream),
        attributes: {
          ...config.attributes,
          [ATTR_JEST_RUN_ID]: runId(),
          'jest.run.status': failed ? 'failure' : 'success',
          'jest.run.tests': results.numTotalTests ?? 0,
          'jest.run.tests.passed': results.numPassedTests ?? 0,
          'jest.run.tests.failed': results.numFailedTests ?? 0,
          'jest.run.tests.skipped': results.numPendingTests ?? 0,
          'jest.run.tests.todo': results.numTodoTests ?? 0,
          'jest.run.suites': results.numTotalTestSuites ?? 0,
          'jest.run.suites.failed': results.numFailedTestSuites ?? 0,
        },
      },
      topContext(upstream),
    );
    if (failed) span.setStatus({code: SpanStatusCode.ERROR, message: `${results.numFailedTests ?? 0} of ${results.numTotalTests ?? 0} tests failed`});
    span.end();
  });
  // Jest's process may have nothing else left to do while it waits here (the export's sockets and timers are unref'd
  // so as never to keep a process alive): without a timer of its own, it would exit in the middle of the reporter.
  // It outlasts the flush's own deadline, which starts a moment later; cleared as soon as the flush returns.
  const keepAlive = setTimeout(() => {}, config.flushTimeoutMillis + 1_000);
  try {
    await pipeline.flush(config.flushTimeoutMillis);
  } finally {
    clearTimeout(keepAlive);
  }
}
