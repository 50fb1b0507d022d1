import {execFileSync} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {OtlpReceiver} from '../support/otlp-receiver';
import {NODE, ourWarnings, outcomes, runJest} from '../support/run-jest';
import {testSpans} from '../support/spans';

/*
 * Circus's per-file AsyncLocalStorage is disabled after each file's teardown where AsyncLocalStorage runs on async
 * hooks (see src/circus-storage.ts). The fixture logs every disable() call of the worker, and whether the storage was
 * one that a test file created itself.
 */

const HOOK_BASED = execFileSync(NODE, ['-p', "typeof require('node:async_hooks').AsyncLocalStorage.prototype._propagate"], {encoding: 'utf8'}).trim() === 'function';

const OUTCOMES = Object.fromEntries(
  [1, 2, 3].flatMap(n => [
    [`file-${n}.test.js › file ${n}: a storage of the test file keeps its store across awaits`, 'passed'],
    [`file-${n}.test.js › file ${n}: concurrent tests still run in their own context`, 'passed'],
  ]),
);

let receiver: OtlpReceiver;
let logDir: string;
beforeEach(async () => {
  receiver = await new OtlpReceiver().start();
  logDir = mkdtempSync(join(tmpdir(), 'storages-'));
});
afterEach(async () => {
  await receiver.stop();
  rmSync(logDir, {recursive: true, force: true});
});

function disabled(log: string): string[] {
  try {
    return readFileSync(log, 'utf8').split('\n').filter(Boolean).sort();
  } catch {
    return [];
  }
}

test.each([['--runInBand'], ['--maxWorkers=2']])(
  "circus's storage of each file is disabled after the file, and no storage of the tests' own (%s)",
  async workers => {
    const log = join(logDir, 'disabled.log');
    writeFileSync(log, '');
    const run = await runJest('storages', {args: [workers], env: {OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, STORAGES_LOG: log}});
    expect(outcomes(run.results)).toEqual(OUTCOMES);
    expect(ourWarnings(run)).toEqual([]);
    expect(testSpans(receiver.spans)).toHaveLength(6);
    // One enabled storage per file, none of them the tests' own; none at all where storages cost nothing per promise.
    expect(disabled(log)).toEqual(HOOK_BASED ? ['other true', 'other true', 'other true'] : []);
  },
);

test('tracing off (OTEL_SDK_DISABLED) leaves every storage alone', async () => {
  const log = join(logDir, 'disabled.log');
  writeFileSync(log, '');
  const run = await runJest('storages', {args: ['--runInBand'], env: {OTEL_SDK_DISABLED: 'true', STORAGES_LOG: log}});
  expect(outcomes(run.results)).toEqual(OUTCOMES);
  expect(disabled(log)).toEqual([]);
});
