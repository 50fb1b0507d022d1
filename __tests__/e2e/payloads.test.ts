import {spawnSync} from 'node:child_process';
import {OtlpReceiver} from '../support/otlp-receiver';
import {NODE, outcomes, runJest, type JestRun} from '../support/run-jest';
import {childrenOf, onlySpan, testSpans} from '../support/spans';

/* Opt-in payload capture, with secrets in bodies redacted before export. */

const receiver = new OtlpReceiver();
let run: JestRun;

beforeAll(async () => {
  await receiver.start();
  run = await runJest('payloads', {args: ['--runInBand'], env: {OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url}});
});
afterAll(() => receiver.stop());

const client = (name: string) => {
  const [span] = childrenOf(receiver.spans, onlySpan(testSpans(receiver.spans), name)).filter(child => child.kind === 'CLIENT');
  return span;
};

test('the tests behave exactly as without capture', () => {
  expect(Object.values(outcomes(run.results))).toEqual(['passed', 'passed', 'passed', 'passed']);
  expect(run.stderr).not.toContain('[jest-environment-otel]');
});

test('http: request and response bodies are recorded, with secret fields redacted', () => {
  const span = client('http: JSON request and response bodies');
  expect(span.attributes['http.request.body.content']).toBe('{"user":"ada","password":"REDACTED","items":[1,2]}');
  expect(span.attributes['http.response.body.content']).toMatch(/^\{"echo":\d+,"token":"REDACTED","note":"n{10}"\}$/);
});

test('bodies longer than maxBytes are cut and marked', () => {
  const span = client('http: a large response is cut at maxBytes');
  // The first 300 bytes were kept, then the token's value was replaced.
  expect(String(span.attributes['http.response.body.content'])).toMatch(/^\{"echo":1,"token":"REDACTED","note":"n+$/);
  expect(String(span.attributes['http.response.body.content']).length).toBeLessThanOrEqual(300);
  expect(span.attributes['jest.http.response.body.truncated']).toBe(true);
  expect(span.attributes['http.request.body.content']).toBe('x');
});

test('fetch: the request body is recorded (form fields redacted); the response body where Node reports it', () => {
  const span = client('fetch: a form body');
  expect(span.attributes['http.request.body.content']).toBe('user=ada&api_key=REDACTED');
  // A header the project declared secret is not recorded even though captureHeaders lists it.
  expect(span.attributes['http.request.header.x-trace-me']).toEqual(['yes']);
  expect(span.attributes['http.request.header.x-internal-key']).toBeUndefined();
  const major = Number(spawnSync(NODE, ['-p', 'process.versions.node.split(".")[0]'], {encoding: 'utf8'}).stdout);
  if (major >= 24) expect(span.attributes['http.response.body.content']).toBe('{"echo":32,"token":"REDACTED","note":"nnnnnnnnnn"}');
  else expect(span.attributes['http.response.body.content']).toBeUndefined();
});

test('binary bodies are never recorded, and no secret reaches the collector', () => {
  const span = client('fetch: binary bodies are not recorded');
  expect(Object.keys(span.attributes).filter(key => key.startsWith('jest.http.'))).toEqual([]);
  for (const body of receiver.rawBodies) expect(body.toString('latin1')).not.toMatch(/SECRET_/);
});
