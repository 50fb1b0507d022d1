import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {collectAttempts} from '../../src/flaky/model';
import {readSource} from '../../src/flaky/read';
import type {StoredSpan} from '../../src/shared/store-read';
import {attemptSpans, toOtlpJson} from '../support/trace-builder';

/* Reading sources (store, collector output, single files) and turning their spans into test attempts. */

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'flaky-read-'));
});
afterEach(() => rmSync(dir, {recursive: true, force: true}));

const write = (path: string, text: string) => {
  mkdirSync(join(dir, path, '..'), {recursive: true});
  writeFileSync(join(dir, path), text);
};
const names = (spans: StoredSpan[]) => spans.map(span => span.name).sort();
const passing = (test: string, runId: string) => attemptSpans({test, runId, status: 'pass'});

describe('readSource', () => {
  test('a trace store: every run folder, every worker file; a line cut short is skipped', () => {
    write('store/runs/aaa/worker-1.jsonl', toOtlpJson(passing('one', 'aaa')));
    write('store/runs/bbb/worker-2.jsonl', toOtlpJson(passing('two', 'bbb')) + '{"resourceSpans":[{"scopeSpa');
    write('store/runs/bbb/worker-3.jsonl', toOtlpJson(passing('three', 'bbb')));
    expect(names(readSource('store', dir))).toEqual(['one', 'three', 'two']);
  });

  test('a folder of collector output: .json and .jsonl files, searched recursively; other JSON files are not ours', () => {
    write('collector/traces.json', toOtlpJson(passing('one', 'a')));
    write('collector/2024-06/traces-1.jsonl', toOtlpJson(passing('two', 'b')));
    write('collector/config.json', '{"receivers": {}}');
    write('collector/notes.txt', 'not a trace');
    expect(names(readSource(join(dir, 'collector')))).toEqual(['one', 'two']);
  });

  test('one file, one request per line or one request spread over many lines', () => {
    write('lines.json', toOtlpJson(passing('one', 'a')));
    write('pretty.json', JSON.stringify(JSON.parse(toOtlpJson(passing('two', 'b'))), null, 2));
    expect(names(readSource('lines.json', dir))).toEqual(['one']);
    expect(names(readSource('pretty.json', dir))).toEqual(['two']);
  });

  test('a source that cannot be used is named, as given, with the reason', () => {
    write('package.json', '{"name": "x"}');
    write('empty/readme.md', '# nothing');
    write('other/a.json', '[1, 2]');
    expect(() => readSource('missing', dir)).toThrow('cannot read missing: no such file or folder');
    expect(() => readSource('package.json', dir)).toThrow('package.json holds no OTLP/JSON ExportTraceServiceRequest');
    expect(() => readSource('empty', dir)).toThrow('empty: no trace store (runs/ folder) and no .json or .jsonl file in it');
    expect(() => readSource('other', dir)).toThrow('other: none of its 1 .json/.jsonl files holds OTLP/JSON traces');
  });

  test('an empty store is no error: it has no runs yet', () => {
    mkdirSync(join(dir, 'store', 'runs'), {recursive: true});
    expect(readSource('store', dir)).toEqual([]);
  });
});

describe('collectAttempts', () => {
  test('an attempt holds every span under its test span, however deep; not the server side of its calls', () => {
    const spans = attemptSpans({
      test: 'pays',
      runId: 'r',
      status: 'fail',
      message: 'expected 200\n\nreceived 503',
      children: [{name: 'beforeEach', children: [{http: {method: 'POST', url: 'http://127.0.0.1:9/pay?card=1', status: 503}, server: true, durationMs: 7}]}],
    });
    const [attempt] = collectAttempts(spans);
    expect(attempt).toMatchObject({test: 'pays', suite: 'shop.test.js', runId: 'r', status: 'fail', attempt: 1, message: 'expected 200\n\nreceived 503'});
    expect(attempt.spans).toEqual([
      {signature: 'beforeEach', durationMs: 2, error: undefined},
      {signature: 'POST /pay', durationMs: 7, httpStatus: '503'},
    ]);
  });

  test('older HTTP conventions (http.method, http.url, http.status_code) give the same signature', () => {
    const spans = attemptSpans({test: 't', runId: 'r', status: 'pass', children: [{name: 'HTTP GET'}]});
    Object.assign(spans[1], {kind: 3, attributes: {'http.method': 'GET', 'http.url': 'http://api:8080/v1/items?page=2', 'http.status_code': 200}});
    expect(collectAttempts(spans)[0].spans).toEqual([{signature: 'GET /v1/items', durationMs: 2, httpStatus: '200'}]);
  });

  test('skipped and todo tests, and spans that are not tests, are no attempts', () => {
    const spans = [...attemptSpans({test: 's', runId: 'r', status: 'skip'}), ...attemptSpans({test: 't', runId: 'r', status: 'todo'})];
    expect(collectAttempts(spans)).toEqual([]);
  });

  test("a failure's message falls back to the status message; a test without our attributes is still named", () => {
    const spans = attemptSpans({test: 'falls', runId: 'r', status: 'fail', message: 'boom\nstack'});
    spans[0].events = [];
    delete spans[0].attributes['test.case.name'];
    delete spans[0].attributes['jest.run.id'];
    expect(collectAttempts(spans)[0]).toMatchObject({test: 'falls', runId: 'unknown', message: 'boom\nstack'});
  });
});
