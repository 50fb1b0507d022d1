import {readFileSync} from 'node:fs';
import {dirname} from 'node:path';
import type {JestEnvironment} from '@jest/environment';
import type {Circus, Config} from '@jest/types';
import {errorText, warnOnce} from '../shared/diag';
import {FileTracing, isTraced} from './file-tracing';

/*
 * Tracing on whatever environment a file gets (a docblock's, a project's own), by wrapping Jest's test runner
 * instead of the environment: `testRunner: 'jest-environment-otel/runner'`. Jest builds the file's environment and
 * calls its `setup()`, then hands it to the test runner; this adds the same tracing the environment class adds, then
 * runs jest-circus's runner with it, and flushes the file's spans when the runner is done, before Jest tears the
 * environment down. An environment that traces already (jest-environment-otel's) is left as it is.
 */

type Runner = (
  globalConfig: Config.GlobalConfig,
  config: Config.ProjectConfig,
  environment: JestEnvironment,
  runtime: unknown,
  testPath: string,
  sendMessageToJest?: unknown,
) => Promise<unknown>;
type TestEventHandler = (this: unknown, event: Circus.Event, state: Circus.State) => void | Promise<void>;

/** From the Jest that runs (its main module, or its worker's) first: a project can hold another Jest beside it. */
function load<T>(id: string, rootDir: string): T {
  const main = require.main?.filename;
  const paths = [...(main ? [dirname(main)] : []), rootDir, __dirname];
  const loaded = require(require.resolve(id, {paths})) as {default?: T} & T;
  return loaded.default ?? loaded;
}

function pragmasOf(testPath: string, rootDir: string): Record<string, string | string[]> {
  try {
    const docblock = load<{extract(source: string): string; parse(block: string): Record<string, string | string[]>}>('jest-docblock', rootDir);
    return docblock.parse(docblock.extract(readFileSync(testPath, 'utf8')));
  } catch {
    return {};
  }
}

/** jest-circus's runner, with the file traced. */
const otelRunner: Runner = async (globalConfig, config, environment, runtime, testPath, sendMessageToJest) => {
  const circus = load<Runner>('jest-circus/runner', config.rootDir);
  const sandbox = environment.global as unknown as Record<string, unknown>;
  if (isTraced(sandbox)) return circus(globalConfig, config, environment, runtime, testPath, sendMessageToJest);

  const tracing = new FileTracing(sandbox, {globalConfig, projectConfig: config}, {
    console: sandbox.console as Console,
    docblockPragmas: pragmasOf(testPath, config.rootDir),
    testPath,
  });
  tracing.setup(sandbox);
  // circus registers the environment's handler when its runner starts: wrapped on this instance, before that.
  const own = environment.handleTestEvent as TestEventHandler | undefined;
  const handleTestEvent: TestEventHandler = function (this: unknown, event, state) {
    const result = own?.call(this, event, state);
    tracing.handle(event, state);
    return result;
  };
  environment.handleTestEvent = handleTestEvent as JestEnvironment['handleTestEvent'];
  try {
    return await circus(globalConfig, config, environment, runtime, testPath, sendMessageToJest);
  } finally {
    try {
      await tracing.teardown();
      // The file's tests and hooks have all run: what the environment's own teardown does next is not traced.
      tracing.afterBaseTeardown();
    } catch (error) {
      warnOnce(`teardown failed: ${errorText(error)}`);
    }
  }
};

export default otelRunner;
