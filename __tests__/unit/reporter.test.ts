import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import OtelReporter from '../../src/run/reporter';
import {readReporterOptions, storeDirsOf, useColor} from '../../src/run/reporter-options';

/*
 * The reporter in this process, over a store folder written by hand: where it reads and writes, what it prints and
 * when, and that no problem of its own reaches Jest except a misconfigured option.
 */

const RUN = 'unit-run-0001';
const saved = {
  NO_COLOR: process.env.NO_COLOR,
  FORCE_COLOR: process.env.FORCE_COLOR,
  JEST_OTEL_RUN_ID: process.env.JEST_OTEL_RUN_ID,
  OTEL_TRACES_EXPORTER: process.env.OTEL_TRACES_EXPORTER,
};
process.env.JEST_OTEL_RUN_ID = RUN;
// The reporter's run span is covered end to end (report.test.ts); here it would start a pipeline in this process.
process.env.OTEL_TRACES_EXPORTER = 'none';

let root: string;
let stderr: string[];

beforeAll(() => {
  process.env.NO_COLOR = '1';
  delete process.env.FORCE_COLOR;
});
afterAll(() => {
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'otel-reporter-'));
  stderr = [];
  jest.spyOn(process.stderr, 'write').mockImplementation(chunk => {
    stderr.push(String(chunk));
    return true;
  });
});
afterEach(() => {
  jest.restoreAllMocks();
  rmSync(root, {recursive: true, force: true});
});

const NS = 1_000_000n;
const text = (value: string) => ({stringValue: value});

/** One OTLP/JSON request line, as the store writes it: a failed test with a 429 call, and its file. */
function storeLine(startMs: number): string {
  const ns = (ms: number) => String(BigInt(startMs + ms) * NS);
  const testAttributes = [
    {key: 'test.case.name', value: text('insights loads')},
    {key: 'test.suite.name', value: text('api.test.js')},
    {key: 'jest.test.status', value: text('fail')},
    {key: 'jest.test.attempt', value: {intValue: '1'}},
  ];
  const spans = [
    {traceId: 'a'.repeat(32), spanId: '1'.repeat(16), name: 'insights loads', kind: 1, startTimeUnixNano: ns(0), endTimeUnixNano: ns(20), attributes: testAttributes, status: {code: 2, message: 'expected 200'}},
    {
      traceId: 'a'.repeat(32),
      spanId: '2'.repeat(16),
      parentSpanId: '1'.repeat(16),
      name: 'GET',
      kind: 3,
      startTimeUnixNano: ns(2),
      endTimeUnixNano: ns(14),
      attributes: [
        {key: 'http.request.method', value: text('GET')},
        {key: 'url.full', value: text('http://127.0.0.1:4100/insights')},
        {key: 'http.response.status_code', value: {intValue: '429'}},
      ],
      status: {code: 2},
    },
    {
      traceId: 'b'.repeat(32),
      spanId: '3'.repeat(16),
      name: 'api.test.js',
      kind: 1,
      startTimeUnixNano: ns(-5),
      endTimeUnixNano: ns(30),
      attributes: [{key: 'test.suite.name', value: text('api.test.js')}, {key: 'test.suite.run.status', value: text('failure')}],
      status: {code: 2},
    },
  ];
  return `${JSON.stringify({resourceSpans: [{resource: {attributes: [{key: 'service.name', value: text('unit')}]}, scopeSpans: [{scope: {name: 'unit'}, spans}]}]})}\n`;
}

function writeStore(storeDir: string, run = RUN, startMs = Date.now()): string {
  const folder = join(root, storeDir, 'runs', run);
  mkdirSync(folder, {recursive: true});
  writeFileSync(join(folder, 'worker-1.jsonl'), storeLine(startMs));
  return folder;
}

const project = (testEnvironmentOptions?: Record<string, unknown>) => ({config: {rootDir: root, testEnvironmentOptions}});

test('reads this run from the environment’s store folder, writes the page twice, prints the summary after Jest’s', async () => {
  const folder = writeStore('traces');
  const reporter = new OtelReporter({rootDir: root});
  await reporter.onRunComplete(new Set([project({otel: {storeDir: 'traces'}})]), {startTime: Date.now() - 1000});
  const page = readFileSync(join(root, 'traces', 'report.html'), 'utf8');
  expect(page).toContain('insights loads');
  expect(readFileSync(join(folder, 'report.html'), 'utf8')).toBe(page);
  // Jest's summary reporter runs after ours; Jest then asks every reporter for its last error.
  expect(stderr).toEqual([]);
  expect(reporter.getLastError()).toBeUndefined();
  const printed = stderr.join('');
  expect(printed).toContain(`✗ insights loads  (api.test.js, trace ${'a'.repeat(32)})`);
  expect(printed).toContain('└ ✗ GET /insights → 429 (12 ms, 127.0.0.1:4100)');
  expect(printed).toMatch(/HTML report: .*traces\/report\.html\n$/);
  reporter.getLastError();
  expect(stderr.join('')).toBe(printed);
});

test('its own options win: storeDir and outputFile, relative to rootDir', async () => {
  writeStore('elsewhere');
  const reporter = new OtelReporter({rootDir: root}, {storeDir: 'elsewhere', outputFile: 'out/traces.html', traceUrlTemplate: 'https://ui.example/t/{traceId}'});
  await reporter.onRunComplete(new Set([project({otel: {storeDir: 'traces'}})]), {startTime: Date.now() - 1000});
  expect(existsSync(join(root, 'out', 'traces.html'))).toBe(true);
  expect(existsSync(join(root, 'elsewhere', 'runs', RUN, 'report.html'))).toBe(true);
  expect(existsSync(join(root, 'elsewhere', 'report.html'))).toBe(false);
  reporter.getLastError();
  expect(stderr.join('')).toContain(`  https://ui.example/t/${'a'.repeat(32)}\n`);
});

test('no spans of this run (only another run’s, or older ones in this run’s folder): one line, no page', async () => {
  writeStore('.jest-otel', 'another-run');
  writeStore('.jest-otel', RUN, Date.now() - 60_000);
  const reporter = new OtelReporter({rootDir: root});
  await reporter.onRunComplete(new Set([project()]), {startTime: Date.now() - 1000});
  expect(reporter.getLastError()).toBeUndefined();
  expect(existsSync(join(root, '.jest-otel', 'report.html'))).toBe(false);
  expect(stderr).toHaveLength(1);
  expect(stderr[0]).toMatch(/^\[jest-environment-otel\] no spans of this run in .*\.jest-otel\/runs\/unit-run-0001, so no HTML report/);
});

test('a page that cannot be written is said once; the copy, the terminal summary and the run’s outcome are unaffected', async () => {
  const folder = writeStore('.jest-otel');
  writeFileSync(join(root, 'blocker'), 'a file, not a folder');
  const reporter = new OtelReporter({rootDir: root}, {outputFile: 'blocker/report.html'});
  await expect(reporter.onRunComplete(new Set([project()]), {startTime: Date.now() - 1000})).resolves.toBeUndefined();
  expect(stderr).toHaveLength(1);
  expect(stderr[0]).toMatch(/^\[jest-environment-otel\] could not write the HTML report to .*blocker\/report\.html: .*blocker is a file, not a folder\n/);
  expect(reporter.getLastError()).toBeUndefined();
  expect(stderr[1]).toContain('✗ insights loads');
  expect(stderr[1]).toMatch(/HTML report: .*\.jest-otel\/runs\/unit-run-0001\/report\.html\n$/);
  expect(existsSync(join(folder, 'report.html'))).toBe(true);
});

test('quiet when tracing is off for every project', async () => {
  const reporter = new OtelReporter({rootDir: root});
  await reporter.onRunComplete(new Set([project({otel: {disabled: true}})]), {startTime: Date.now() - 1000});
  expect(reporter.getLastError()).toBeUndefined();
  expect(stderr).toEqual([]);
});

test('an option of the wrong type is a configuration error reported to Jest', () => {
  const reporter = new OtelReporter({rootDir: root}, {outputFile: 42});
  expect(reporter.getLastError()?.message).toBe('jest-environment-otel/reporter option outputFile must be a non-empty string, got 42');
  expect(stderr.join('')).toContain('outputFile must be a non-empty string');
});

describe('readReporterOptions', () => {
  test('strings are taken; unknown names and a template without {traceId} are warned about and ignored', () => {
    expect(readReporterOptions({outputFile: 'r.html', storeDir: 's', traceUrlTemplate: 'http://j/trace/{traceId}'})).toEqual({
      options: {outputFile: 'r.html', storeDir: 's', traceUrlTemplate: 'http://j/trace/{traceId}'},
      errors: [],
      warnings: [],
    });
    const odd = readReporterOptions({outfile: 'r.html', traceUrlTemplate: 'http://j/trace/'});
    expect(odd.options).toEqual({});
    expect(odd.errors).toEqual([]);
    expect(odd.warnings).toEqual([
      'unknown jest-environment-otel/reporter option "outfile" is ignored (known: outputFile, traceUrlTemplate, storeDir, receiver)',
      'jest-environment-otel/reporter option traceUrlTemplate must contain {traceId} (e.g. http://localhost:16686/trace/{traceId}); no trace links are shown',
    ]);
    expect(readReporterOptions(undefined)).toEqual({options: {}, errors: [], warnings: []});
    expect(readReporterOptions('r.html').errors).toEqual(['jest-environment-otel/reporter options must be an object, got "r.html"']);
    expect(readReporterOptions({storeDir: ''}).errors).toEqual(['jest-environment-otel/reporter option storeDir must be a non-empty string, got ""']);
  });
});

test('storeDirsOf: the reporter’s own, else each project’s, else .jest-otel', () => {
  const projects = [
    {config: {rootDir: '/a', testEnvironmentOptions: {otel: {storeDir: 'traces'}}}},
    {config: {rootDir: '/b'}},
    {config: {rootDir: '/b', testEnvironmentOptions: {otel: {storeDir: 7}}}},
  ];
  expect(storeDirsOf('/root', 'mine', projects)).toEqual(['/root/mine']);
  expect(storeDirsOf('/root', undefined, projects)).toEqual(['/a/traces', '/b/.jest-otel']);
  expect(storeDirsOf('/root', undefined, [])).toEqual(['/root/.jest-otel']);
});

test('useColor: a TTY without NO_COLOR; FORCE_COLOR decides when set', () => {
  expect(useColor({isTTY: true}, {})).toBe(true);
  expect(useColor({isTTY: false}, {})).toBe(false);
  expect(useColor({isTTY: true}, {NO_COLOR: '1'})).toBe(false);
  expect(useColor({isTTY: true}, {FORCE_COLOR: '0'})).toBe(false);
  expect(useColor({isTTY: false}, {FORCE_COLOR: '1'})).toBe(true);
});
