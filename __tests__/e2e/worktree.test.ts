import {execFileSync, spawnSync} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {OtlpReceiver} from '../support/otlp-receiver';
import {WORK} from '../support/paths';
import {NODE, runJest} from '../support/run-jest';

/*
 * The code a run tested is its commit and its uncommitted changes. The `worktree` fixture, made a git repository of
 * its own, is run on its commit (all pass), then twice with an uncommitted edit that fails `cart totals` every time;
 * the last run also fails the second of two tests named `works`. `jest-otel flaky` must find one flaky test (that
 * second `works`, on the edited code) and call `cart totals` failing, not flaky.
 */

const project = join(WORK, 'worktree');
const CLI = join(WORK, 'node_modules', 'jest-environment-otel', 'build', 'cli.js');

function git(...args: string[]) {
  const env: Record<string, string | undefined> = {...process.env, GIT_AUTHOR_NAME: 'fixture', GIT_AUTHOR_EMAIL: 'fixture@localhost', GIT_COMMITTER_NAME: 'fixture', GIT_COMMITTER_EMAIL: 'fixture@localhost'};
  for (const key of Object.keys(env)) if (key.startsWith('GIT_DIR') || key === 'GIT_WORK_TREE' || key === 'GIT_INDEX_FILE') delete env[key];
  return execFileSync('git', ['-c', 'commit.gpgsign=false', '-c', 'init.defaultBranch=main', ...args], {cwd: project, env, encoding: 'utf8'});
}

function flaky(args: string[]) {
  const run = spawnSync(NODE, [CLI, 'flaky', ...args], {cwd: project, encoding: 'utf8', env: {...process.env, NO_COLOR: '1'}});
  return {code: run.status, stdout: run.stdout, stderr: run.stderr};
}

interface JsonReport {
  summary: {runs: number; revisions: number; runsWithChanges: number; flaky: number};
  flaky: Array<{suite: string; test: string; line?: number; failures: number; attempts: number; revisions: Array<{revision: string; changes: string | null; runIds: string[]}>}>;
  failing: Array<{suite: string; test: string; line?: number; attempts: number; failures: number}>;
  sharedNames: Array<{suite: string; test: string; lines: number[]; merged: boolean}>;
}

let commit: string;

beforeAll(async () => {
  rmSync(join(project, '.jest-otel'), {recursive: true, force: true});
  rmSync(join(project, '.git'), {recursive: true, force: true});
  writeFileSync(join(project, 'total.txt'), '12\n');
  git('init', '-q');
  git('add', '.');
  git('commit', '-q', '-m', 'fixture');
  commit = git('rev-parse', 'HEAD').trim();

  const clean = await runJest('worktree', {args: ['--runInBand']});
  expect(clean.results.numFailedTests).toBe(0);
  writeFileSync(join(project, 'total.txt'), '13\n');
  for (const env of [{}, {TWIN_FAILS: '1'}]) {
    const edited = await runJest('worktree', {args: ['--runInBand'], env});
    expect(edited.results.numFailedTests).toBe('TWIN_FAILS' in env ? 2 : 1);
  }
}, 120_000);

afterAll(() => {
  rmSync(join(project, '.git'), {recursive: true, force: true});
});

test('runs with an uncommitted edit are compared only with each other; same-named tests are told apart by line', () => {
  const {code, stdout, stderr} = flaky([]);
  expect({code, stderr}).toEqual({code: 0, stderr: ''});
  const lines = stdout.split('\n');
  expect(lines[0]).toBe('3 runs (1 revision, 2 runs with uncommitted changes), 3 tests, 9 attempts in .jest-otel: 1 flaky test');
  expect(lines[1]).toBe('Only runs of the same code are compared: the same revision and the same uncommitted changes.');
  expect(lines[4]).toMatch(/ twins\.test\.js › works \(line 2\)$/);
  expect(lines[5]).toMatch(new RegExp(`^ +failed in 1 of 2 runs, on revision ${commit.slice(0, 7)} with uncommitted changes [0-9a-f]{7}$`));
  expect(stdout).toContain('  twins.test.js › works: told apart by their declaration lines (1, 2)');
  expect(stdout).toContain('  cart.test.js › cart totals  (2 of 3 attempts failed)');

  const report = JSON.parse(flaky(['--json']).stdout) as JsonReport;
  expect(report.summary).toMatchObject({runs: 3, revisions: 1, runsWithChanges: 2, flaky: 1});
  const [twin] = report.flaky;
  expect(twin).toMatchObject({suite: 'twins.test.js', test: 'works', line: 2, failures: 1, attempts: 2});
  expect(twin.revisions).toEqual([{revision: commit, changes: expect.stringMatching(/^[0-9a-f]{16}$/), runIds: expect.any(Array), attempts: 2, failures: 1}]);
  expect(report.failing).toEqual([{suite: 'cart.test.js', test: 'cart totals', attempts: 3, failures: 2}]);
  expect(report.sharedNames).toEqual([{suite: 'twins.test.js', test: 'works', lines: [1, 2], merged: false}]);
});

test('with two workers, git is asked once per run, and every worker\'s spans carry its answer', async () => {
  // A `git` first on PATH that notes each call and hands it to the real one.
  const realGit = execFileSync('sh', ['-c', 'command -v git'], {encoding: 'utf8'}).trim();
  const bin = mkdtempSync(join(tmpdir(), 'git-calls-'));
  const calls = join(bin, 'calls.log');
  writeFileSync(join(bin, 'git'), `#!/bin/sh\necho "$*" >> '${calls}'\nexec '${realGit}' "$@"\n`, {mode: 0o755});
  const receiver = await new OtlpReceiver().start();
  try {
    const run = await runJest('worktree', {
      args: ['--maxWorkers=2'],
      env: {PATH: `${bin}:${process.env.PATH}`, OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url},
    });
    expect(run.results.numPassedTests + run.results.numFailedTests).toBe(3);
    const asked = readFileSync(calls, 'utf8').split('\n').filter(Boolean);
    expect(asked.filter(line => line.startsWith('--no-pager status'))).toHaveLength(1);
    expect(asked.filter(line => line.startsWith('--no-pager diff'))).toHaveLength(1);
    const processes = new Set(receiver.spans.map(span => span.resource['process.pid']));
    expect(processes.size).toBe(2);
    const changes = receiver.spans.map(span => span.resource['jest.vcs.worktree.changes']);
    expect(new Set(changes).size).toBe(1);
    expect(changes[0]).toMatch(/^[0-9a-f]{16}$/);
    expect(receiver.spans.every(span => span.resource['jest.vcs.worktree.dirty'] === true)).toBe(true);
  } finally {
    await receiver.stop();
    rmSync(bin, {recursive: true, force: true});
  }
}, 60_000);
