import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {main, useColor} from '../../src/cli';
import {analyse} from '../../src/flaky/analyse';
import {collectAttempts} from '../../src/flaky/model';
import {renderReport} from '../../src/flaky/render';
import {history, toOtlpJson, type AttemptSpec} from '../support/trace-builder';

/* `jest-otel flaky` through the dispatcher, with its output captured: the table, --json, and usage errors. */

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'flaky-cli-'));
});
afterEach(() => rmSync(dir, {recursive: true, force: true}));

function cli(args: string[], color = false) {
  const output = {stdout: '', stderr: ''};
  const code = main(args, {cwd: dir, color, stdout: text => (output.stdout += text), stderr: text => (output.stderr += text)});
  return {code, ...output};
}

const URL = 'http://127.0.0.1:4100/recommendations?customer=42';
const suggests = (runId: string, status: 'pass' | 'fail'): AttemptSpec => ({
  suite: 'suite/recommendations.test.js',
  test: 'recommendations suggests teas',
  runId,
  revision: '8bb38bf0288e391cda28ad5bddb202424d8bdf57',
  status,
  durationMs: status === 'fail' ? 12 : 9,
  message: 'expect(received).toBe(expected) // Object.is equality\n\nExpected: 200\nReceived: 503',
  children: [{http: {method: 'GET', url: URL, status: status === 'fail' ? 503 : 200}}],
});
const monthly = (runId: string): AttemptSpec => ({suite: 'suite/insights.test.js', test: 'insights loads the monthly trend', runId, revision: '8bb38bf', status: 'fail'});
const runs = ['r1', 'r2', 'r3', 'r4', 'r5'];
const spans = history([...runs.map((runId, index) => suggests(runId, index === 1 || index === 4 ? 'fail' : 'pass')), ...runs.map(monthly)]);

function writeStore(folder: string) {
  mkdirSync(join(dir, folder, 'runs', 'r1'), {recursive: true});
  writeFileSync(join(dir, folder, 'runs', 'r1', 'worker-1.jsonl'), toOtlpJson(spans));
}

test('the table: one row per flaky test, its details under it, broken tests apart', () => {
  writeStore('.jest-otel');
  const [flaky] = analyse(collectAttempts(spans)).flaky;
  const {code, stdout, stderr} = cli(['flaky']);
  expect({code, stderr}).toEqual({code: 0, stderr: ''});
  expect(stdout).toBe(
    [
      '5 runs (2 revisions), 2 tests, 10 attempts in .jest-otel: 1 flaky test',
      '',
      '#  flake rate  failed  time lost  test',
      '1  40%         2 of 5  24 ms      suite/recommendations.test.js › recommendations suggests teas',
      '   failed in 2 of 5 runs, on revision 8bb38bf',
      '   test error: expect(received).toBe(expected) // Object.is equality',
      '',
      '     Expected: 200',
      '     Received: 503 (both failures)',
      '   hint: GET /recommendations → 503 in both failures; 200 in all 3 passes',
      `   traces: failure ${flaky.exampleFailure.traceId}, pass ${flaky.examplePass.traceId}`,
      '',
      'Failing, not flaky (every attempt failed, on a revision or in a run of unknown revision):',
      '  suite/insights.test.js › insights loads the monthly trend  (5 of 5 attempts failed)',
      '',
    ].join('\n'),
  );
});

test('colour only when asked for; the text is the same', () => {
  writeStore('.jest-otel');
  const colored = cli(['flaky'], true).stdout;
  expect(colored).toContain('\x1b[31m40%');
  expect(colored.replace(/\x1b\[\d+m/g, '')).toBe(cli(['flaky']).stdout);
  expect(useColor({}, true)).toBe(true);
  expect(useColor({NO_COLOR: '1'}, true)).toBe(false);
  expect(useColor({}, false)).toBe(false);
});

test('--json: the sources and the report, as the analysis made it', () => {
  writeStore('traces');
  const {code, stdout} = cli(['flaky', '--json', 'traces']);
  expect(code).toBe(0);
  expect(JSON.parse(stdout)).toEqual({sources: ['traces'], ...analyse(collectAttempts(spans))});
});

test('several sources are read together; after -- a name that starts with a dash is a source', () => {
  writeFileSync(join(dir, 'a.json'), toOtlpJson(spans.slice(0, 4)));
  writeFileSync(join(dir, '-b.json'), toOtlpJson(spans.slice(4)));
  const {stdout} = cli(['flaky', '--json', 'a.json', '--', '-b.json']);
  expect(JSON.parse(stdout).summary.attempts).toBe(10);
});

test('no test spans: says so, exit code 0', () => {
  mkdirSync(join(dir, '.jest-otel', 'runs'), {recursive: true});
  expect(cli(['flaky'])).toEqual({code: 0, stdout: 'No test results in .jest-otel: no span with jest.test.status pass or fail.\n', stderr: ''});
});

test('bad usage: exit code 2 and one line that names the problem', () => {
  expect(cli(['flaky', '--jsn'])).toEqual({code: 2, stdout: '', stderr: 'jest-otel flaky: unknown option --jsn (see jest-otel flaky --help)\n'});
  expect(cli(['flaky'])).toEqual({code: 2, stdout: '', stderr: 'jest-otel flaky: cannot read .jest-otel: no such file or folder\n'});
  expect(cli(['flaky', 'runs/old'])).toEqual({code: 2, stdout: '', stderr: 'jest-otel flaky: cannot read runs/old: no such file or folder\n'});
  const unknown = cli(['flakey']);
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toMatch(/^jest-otel: unknown command flakey\n\nUsage: jest-otel <command>/);
});

test('help: the commands, and each command its own', () => {
  const overview = cli(['--help']);
  expect(overview.code).toBe(0);
  expect(overview.stdout).toContain('  report  write the HTML report, or the run history, from recorded traces\n  flaky   rank flaky tests from recorded traces');
  expect(cli([]).code).toBe(2);
  for (const args of [['flaky', '--help'], ['flaky', '-h'], ['help', 'flaky']]) {
    const {code, stdout} = cli(args);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: jest-otel flaky \[--json\] \[source\.\.\.\]\n/);
  }
  for (const args of [['report', '--help'], ['help', 'report']]) expect(cli(args).stdout).toMatch(/^Usage: jest-otel report \[options\] \[source\.\.\.\]\n/);
});

test('the table keeps each test short: 5 hints and 3 test errors at most, the rest counted', () => {
  const steps = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
  const many = history([
    ...['e1', 'e2', 'e3', 'e4'].map((message, index) => ({test: 'busy', runId: `f${index}`, revision: 'r', status: 'fail' as const, message, children: steps.map(name => ({name}))})),
    {test: 'busy', runId: 'p', revision: 'r', status: 'pass'},
  ]);
  const text = renderReport(analyse(collectAttempts(many)), {sources: ['x'], color: false});
  expect(text.match(/ hint: /g)).toHaveLength(5);
  expect(text).toContain('… 2 more hints in --json');
  expect(text.match(/ test error: /g)).toHaveLength(3);
  expect(text).toContain('… 1 other test error in --json');
});

test('tests sharing a full name in one file: each row names its line, and the table says the name is shared', () => {
  const works = (runId: string, line: number, status: 'pass' | 'fail'): AttemptSpec => ({suite: 'twins.test.js', test: 'works', line, runId, revision: 'abcdef0', status});
  const twins = history([works('t1', 3, 'pass'), works('t1', 9, 'pass'), works('t2', 3, 'pass'), works('t2', 9, 'fail'), works('t3', 3, 'fail'), works('t3', 9, 'fail')]);
  const report = analyse(collectAttempts(twins));
  const lines = renderReport(report, {sources: ['x'], color: false}).split('\n');
  expect(lines[0]).toBe('3 runs (1 revision), 2 tests, 6 attempts in x: 2 flaky tests');
  expect(lines.filter(line => /^\d  /.test(line)).map(line => line.replace(/^.*ms +/, ''))).toEqual(['twins.test.js › works (line 9)', 'twins.test.js › works (line 3)']);
  expect(lines.slice(-3)).toEqual(['Full names shared by several tests of one file:', '  twins.test.js › works: told apart by their declaration lines (3, 9)', '']);
});

test('runs with uncommitted changes: the table says only runs of the same code are compared, and names the changes', () => {
  const edited = (runId: string, status: 'pass' | 'fail'): AttemptSpec => ({suite: 'cart.test.js', test: 'cart totals', runId, revision: 'abcdef0123', dirty: true, changes: '5e5e5e5e5e5e5e5e', status});
  writeFileSync(join(dir, 'edited.jsonl'), toOtlpJson(history([{suite: 'cart.test.js', test: 'cart totals', runId: 'c1', revision: 'abcdef0123', dirty: false, status: 'fail'}, edited('e1', 'pass'), edited('e2', 'fail')])));
  const lines = cli(['flaky', 'edited.jsonl']).stdout.split('\n');
  expect(lines.slice(0, 2)).toEqual([
    '3 runs (1 revision, 2 runs with uncommitted changes), 1 test, 3 attempts in edited.jsonl: 1 flaky test',
    'Only runs of the same code are compared: the same revision and the same uncommitted changes.',
  ]);
  expect(lines[5]).toBe('   failed in 1 of 2 runs, on revision abcdef0 with uncommitted changes 5e5e5e5');
});
