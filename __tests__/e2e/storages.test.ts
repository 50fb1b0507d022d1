import {execFileSync} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {dirname, join} from 'node:path';
import {OtlpReceiver} from '../support/otlp-receiver';
import {JEST, NODE, ourWarnings, outcomes, runJest} from '../support/run-jest';
import {testSpans} from '../support/spans';

/*
 * Circus's per-file AsyncLocalStorage is disabled after each file's teardown where AsyncLocalStorage runs on async
 * hooks (see src/environment/circus-storage.ts). The fixture logs each storage that circus first runs a callback in, and every
 * disable() call of the worker, with whether the storage was one that a test file created itself.
 */

/** Whether the Node.js that runs the fixture has hook-based storages (Node 22), which the environment releases. */
const HOOK_BASED = execFileSync(NODE, ['-p', "typeof require('node:async_hooks').AsyncLocalStorage.prototype._propagate"], {encoding: 'utf8'}).trim() === 'function';
/** Jest 30's circus keeps a storage per file; Jest 29's has none. */
const JEST_MAJOR = Number((JSON.parse(readFileSync(join(dirname(JEST), '..', 'package.json'), 'utf8')) as {version: string}).version.split('.')[0]);
const CIRCUS_STORAGES = JEST_MAJOR >= 30 ? 3 : 0;
const CHECK = JEST_MAJOR >= 30 ? {CHECK_CONCURRENT_NAMES: '1'} : {};

const OUTCOMES = Object.fromEntries(
  [1, 2, 3].flatMap(n => [
    [`file-${n}.test.js › file ${n}: a storage of the test file keeps its store across awaits`, 'passed'],
    [`file-${n}.test.js › file ${n}: concurrent tests still run in their own context`, JEST_MAJOR >= 30 ? 'passed' : 'pending'],
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

function logged(log: string): string[] {
  return readFileSync(log, 'utf8').split('\n').filter(Boolean).sort();
}

test.each([['--runInBand'], ['--maxWorkers=2']])(
  "circus's storage of each file is disabled after the file, the tracing's pauses between functions, and no storage of the tests' own (%s)",
  async workers => {
    const log = join(logDir, 'disabled.log');
    writeFileSync(log, '');
    const run = await runJest('storages', {args: [workers], env: {OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, STORAGES_LOG: log, ...CHECK}});
    expect(outcomes(run.results)).toEqual(OUTCOMES);
    expect(ourWarnings(run)).toEqual([]);
    expect(testSpans(receiver.spans)).toHaveLength(6); // a skipped test has its span too
    // Circus's storage of each file disabled once, still enabled, none of them the tests' own; none at all where
    // storages cost nothing per promise.
    const lines = logged(log);
    const circus = Array.from({length: CIRCUS_STORAGES}, () => 'circus');
    const released = Array.from({length: HOOK_BASED ? CIRCUS_STORAGES : 0}, () => 'circus true');
    expect(lines.filter(line => !line.startsWith('other '))).toEqual([...circus, ...released]);
    // The tracing's own storage pauses between test and hook functions where it costs every promise (each test's
    // function ends with one), and never where it costs nothing.
    const paused = lines.filter(line => line.startsWith('other '));
    if (HOOK_BASED) expect(paused.length).toBeGreaterThanOrEqual(3); // one test function at least in each file
    else expect(paused).toEqual([]);
    expect(new Set(paused)).not.toContain('other false');
  },
);

test('tracing off (OTEL_SDK_DISABLED) leaves every storage alone', async () => {
  const log = join(logDir, 'disabled.log');
  writeFileSync(log, '');
  const run = await runJest('storages', {args: ['--runInBand'], env: {OTEL_SDK_DISABLED: 'true', STORAGES_LOG: log, ...CHECK}});
  expect(outcomes(run.results)).toEqual(OUTCOMES);
  expect(logged(log)).toEqual(Array.from({length: CIRCUS_STORAGES}, () => 'circus'));
});
