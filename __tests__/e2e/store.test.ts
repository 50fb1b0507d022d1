import {mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {WORK} from '../support/paths';
import {SMALL_OUTCOMES, ourWarnings, outcomes, runJest} from '../support/run-jest';

/*
 * With no OTLP endpoint, spans go to the local trace store: <rootDir>/.jest-otel/runs/<run id>/worker-<pid>.jsonl,
 * one OTLP/JSON ExportTraceServiceRequest per line.
 */

const project = join(WORK, 'small');
const runsDir = join(project, '.jest-otel', 'runs');
const listRuns = () => readdirSync(runsDir).sort();

interface JsonSpan {
  traceId: string;
  spanId: string;
  name: string;
  attributes: Array<{key: string; value: {stringValue?: string}}>;
}

function readSpans(run: string): {files: string[]; spans: JsonSpan[]} {
  const folder = join(runsDir, run);
  const files = readdirSync(folder).sort();
  const spans: JsonSpan[] = [];
  for (const file of files) {
    for (const line of readFileSync(join(folder, file), 'utf8').split('\n').filter(Boolean)) {
      const request = JSON.parse(line) as {resourceSpans: Array<{scopeSpans: Array<{spans: JsonSpan[]}>}>};
      for (const resourceSpans of request.resourceSpans) for (const scopeSpans of resourceSpans.scopeSpans) spans.push(...scopeSpans.spans);
    }
  }
  return {files, spans};
}

const attribute = (span: JsonSpan, key: string) => span.attributes.find(item => item.key === key)?.value.stringValue;

beforeEach(() => rmSync(join(project, '.jest-otel'), {recursive: true, force: true}));

test('by default spans go to the store: one folder per run, one file per worker, one run id everywhere', async () => {
  const first = await runJest('small', {args: ['--maxWorkers=2']});
  expect(first.stderr).not.toContain('[jest-environment-otel]');
  const [run] = listRuns();
  expect(listRuns()).toHaveLength(1);
  const {files, spans} = readSpans(run);
  expect(files.length).toBe(2);
  for (const file of files) expect(file).toMatch(/^worker-\d+\.jsonl$/);
  expect(spans.map(span => span.name).sort()).toEqual(['adding', 'adds', 'joins', 'math.test.js', 'strings.test.js', 'subtracts wrongly']);
  for (const span of spans) {
    expect(span.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(span.spanId).toMatch(/^[0-9a-f]{16}$/);
  }
  const runIds = new Set(spans.filter(span => span.name !== 'adding').map(span => attribute(span, 'jest.run.id')));
  expect([...runIds]).toEqual([run]);

  await runJest('small', {args: ['--runInBand']});
  const runs = listRuns();
  expect(runs).toHaveLength(2);
  const second = runs.find(name => name !== run)!;
  expect(new Set(readSpans(second).spans.filter(span => span.name !== 'adding').map(span => attribute(span, 'jest.run.id')))).toEqual(new Set([second]));
});

test('only the newest keepRuns runs are kept', async () => {
  const args = ['--runInBand', '--testEnvironmentOptions', JSON.stringify({otel: {keepRuns: 2}})];
  for (let index = 0; index < 3; index += 1) await runJest('small', {args});
  expect(listRuns()).toHaveLength(2);
});

test('an unwritable store folder is named once; outcomes are unchanged', async () => {
  mkdirSync(join(project, '.jest-otel'), {recursive: true});
  writeFileSync(join(project, '.jest-otel', 'blocker'), 'a file, not a folder');
  const run = await runJest('small', {
    args: ['--runInBand', '--testEnvironmentOptions', JSON.stringify({otel: {storeDir: '.jest-otel/blocker/store'}})],
  });
  expect(outcomes(run.results)).toEqual(SMALL_OUTCOMES);
  // Named once, when the store is opened; no export is attempted, so no loss is counted at exit.
  const warnings = ourWarnings(run);
  expect(warnings).toHaveLength(1);
  expect(warnings[0]).toContain('testEnvironmentOptions.otel.storeDir ".jest-otel/blocker/store" cannot be used');
  expect(warnings[0]).toContain('.jest-otel/blocker is a file, not a folder');
});
