import {spawnSync} from 'node:child_process';
import {chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {WORK} from '../support/paths';
import {NODE, outcomes, ourWarnings, runJest, SMALL_OUTCOMES} from '../support/run-jest';
import {OtlpReceiver} from '../support/otlp-receiver';
import {testSpans} from '../support/spans';

/*
 * The bundle is loaded with V8's code cache (src/load-bundle.ts): the first process that loads the environment
 * writes the code it compiled as it exits; the next ones compile nothing of it again. Each check is a real Node
 * process loading the real build, with JEST_OTEL_CODE_CACHE pointing at a folder of the test's own; and real Jest
 * runs, whose spans and outcomes must not depend on whether the code came from the cache.
 */

const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) rmSync(folder, {recursive: true, force: true});
});

function freshFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'code-cache-test-'));
  folders.push(folder);
  chmodSync(folder, 0o700);
  return folder;
}

/** The package as the fixture projects have it installed (packed from this build). */
const INSTALLED = join(WORK, 'node_modules', 'jest-environment-otel', 'build');

/** A Node process that loads `entry` of the installed package the way Jest would and says how the bundle was loaded. */
function load(cache: string, options: {entry?: string; env?: Record<string, string>} = {}) {
  const build = INSTALLED;
  const script = `
    const loaded = require(${JSON.stringify(join(build, options.entry ?? 'index.js'))});
    const {codeCacheState} = require(${JSON.stringify(join(build, 'load-bundle.js'))});
    process.stdout.write(JSON.stringify({state: codeCacheState(), exports: Object.keys(loaded).sort()}));
  `;
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined && !key.startsWith('JEST_') && !key.startsWith('OTEL_') && key !== 'NODE_OPTIONS') env[key] = value;
  // From a file: `node -e` would make the code part of the process's flags, and so of the cache's key.
  const file = join(scripts, 'load.js');
  writeFileSync(file, script);
  const run = spawnSync(NODE, [file], {encoding: 'utf8', env: {...env, JEST_OTEL_CODE_CACHE: cache, ...options.env}});
  expect(run.status).toBe(0);
  const {state, exports} = JSON.parse(run.stdout) as {state: {status: string; file?: string; problem?: string}; exports: string[]};
  return {...state, exports, stderr: run.stderr};
}

const scripts = freshFolder();
const cacheFiles = (folder: string) => readdirSync(folder).sort();

/** The small fixture run in band with the cache in `folder`: the outcomes and the test spans' shape. */
async function traced(receiver: OtlpReceiver, folder: string, env: Record<string, string> = {}) {
  const run = await runJest('small', {args: ['--runInBand'], env: {OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, JEST_OTEL_CODE_CACHE: folder, ...env}});
  expect(outcomes(run.results)).toEqual(SMALL_OUTCOMES);
  const spans = testSpans([...receiver.spans]);
  receiver.clear();
  const shape = spans
    .map(span => ({name: span.name, status: span.status.code, line: span.attributes['code.line.number'], events: span.events.map(event => event.name)}))
    .sort((a, b) => a.name.localeCompare(b.name));
  return {run, shape};
}

let receiver: OtlpReceiver;
beforeAll(async () => {
  receiver = await new OtlpReceiver().start();
});
afterAll(async () => {
  await receiver.stop();
});

test('the first Jest run writes the cache after its first test file, later processes compile from it, and the spans are the same', async () => {
  const folder = freshFolder();
  // A process that runs no test file (a reporter's, a setup's, this one) reads the cache but does not write it.
  const before = load(folder);
  expect(before.status).toBe('absent');
  expect(before.exports).toEqual(['OtelEnvironment', 'default', 'withOtel']);
  expect(load(folder, {entry: 'reporter.js'}).status).toBe('absent');
  expect(cacheFiles(folder)).toEqual([]);

  const compiled = await traced(receiver, folder);
  expect(ourWarnings(compiled.run)).toEqual([]);
  const files = cacheFiles(folder);
  expect(files).toHaveLength(1);
  expect(files[0]).toMatch(/^[0-9a-f]{32}\.bin$/);
  const file = join(folder, files[0]);
  // Only its owner may read or replace what runs as the package's code.
  expect(statSync(file).mode & 0o777).toBe(0o600);
  expect(statSync(file).size).toBeGreaterThan(100_000);
  const written = statSync(file).mtimeMs;

  expect(load(folder)).toMatchObject({status: 'accepted', file, exports: before.exports});
  expect(load(folder, {entry: 'global-setup.js'}).status).toBe('accepted');
  const fromCache = await traced(receiver, folder);
  expect(compiled.shape).toHaveLength(3);
  expect(compiled.shape.every(span => typeof span.line === 'number')).toBe(true);
  expect(fromCache.shape).toEqual(compiled.shape);
  // An accepted cache is left as it is.
  expect(cacheFiles(folder)).toEqual(files);
  expect(statSync(file).mtimeMs).toBe(written);
}, 90_000);

test('with two workers one of them writes the cache, and none leaves a claim behind', async () => {
  const folder = freshFolder();
  const run = await runJest('many-files', {args: ['--maxWorkers=2'], env: {OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, JEST_OTEL_CODE_CACHE: folder}});
  receiver.clear();
  expect(run.results.numFailedTests).toBe(0);
  expect(run.results.numPassedTests).toBeGreaterThan(0);
  expect(run.stderr).not.toContain('failed to exit gracefully');
  expect(cacheFiles(folder)).toEqual([expect.stringMatching(/^[0-9a-f]{32}\.bin$/)]);
  expect(load(folder).status).toBe('accepted');
}, 90_000);

test('a cache V8 does not accept (damaged) is compiled around, and the next run writes it again', async () => {
  const folder = freshFolder();
  await traced(receiver, folder);
  const [name] = cacheFiles(folder);
  const file = join(folder, name);
  const bytes = readFileSync(file);
  bytes.fill(0x5a, 16, 64);
  writeFileSync(file, bytes);
  const damaged = load(folder);
  expect(damaged.status).toBe('rejected');
  expect(damaged.exports).toEqual(['OtelEnvironment', 'default', 'withOtel']);
  const again = await traced(receiver, folder);
  expect(ourWarnings(again.run)).toEqual([]);
  expect(load(folder).status).toBe('accepted');
}, 90_000);

test('other Node flags get a cache of their own', async () => {
  const folder = freshFolder();
  await traced(receiver, folder);
  const plain = load(folder);
  const options = {NODE_OPTIONS: '--stack-trace-limit=50'};
  expect(load(folder, {env: options}).status).toBe('absent');
  await traced(receiver, folder, options);
  expect(cacheFiles(folder)).toHaveLength(2);
  const flagged = load(folder, {env: options});
  expect(flagged.status).toBe('accepted');
  expect(flagged.file).not.toBe(plain.file);
  expect(load(folder).status).toBe('accepted');
}, 90_000);

test('JEST_OTEL_CODE_CACHE=off, or NODE_DISABLE_COMPILE_CACHE, loads the bundle as a module and writes nothing', async () => {
  const folder = freshFolder();
  const off = load('off');
  expect(off.status).toBe('off');
  expect(off.file).toBeUndefined();
  expect(load(folder, {env: {NODE_DISABLE_COMPILE_CACHE: '1'}}).status).toBe('off');
  const run = await traced(receiver, folder, {NODE_DISABLE_COMPILE_CACHE: '1'});
  expect(ourWarnings(run.run)).toEqual([]);
  expect(cacheFiles(folder)).toEqual([]);
}, 90_000);

test('a folder that others can write to, or that is not a folder, is not used, and the variable is named once', async () => {
  const open = freshFolder();
  chmodSync(open, 0o777);
  const shared = load(open);
  expect(shared.status).toBe('unusable');
  const warning = `[jest-environment-otel] JEST_OTEL_CODE_CACHE is ${open}: expected a folder others cannot write to (its mode is 777); the package loads without a code cache`;
  expect(ourWarnings({stderr: shared.stderr} as never)).toEqual([warning]);
  const run = await traced(receiver, open);
  expect(ourWarnings(run.run)).toEqual([warning]);
  expect(cacheFiles(open)).toEqual([]);

  const file = join(freshFolder(), 'a-file');
  writeFileSync(file, '');
  const notFolder = load(file);
  expect(notFolder.status).toBe('unusable');
  expect(notFolder.problem).toBe(`JEST_OTEL_CODE_CACHE is ${file}: expected a folder, not a file or a link; the package loads without a code cache`);
  expect(notFolder.exports).toEqual(['OtelEnvironment', 'default', 'withOtel']);
}, 90_000);

test('the packed package loads its bundle through the cache', () => {
  const installed = INSTALLED;
  expect(readFileSync(join(installed, 'index.js'), 'utf8')).toContain("require('./load-bundle.js').loadBundle()");
  expect(statSync(join(installed, 'load-bundle.js')).isFile()).toBe(true);
});
