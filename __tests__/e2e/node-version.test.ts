import {execFileSync} from 'node:child_process';
import {join} from 'node:path';
import {FIXTURES} from '../support/paths';
import {NODE, ourWarnings, outcomes, runJest} from '../support/run-jest';
import {OtlpReceiver, type ReceivedSpan} from '../support/otlp-receiver';
import {onlySpan, testSpans} from '../support/spans';

/*
 * Below the supported Node.js (22.15, package.json engines), what cannot be traced is said once per run. The real
 * thing is a Node.js older than that found on this machine (the system Node 20 here and in CI). Where there is none,
 * the run is simulated: the fixture's `simulate-old-node.js`, preloaded with NODE_OPTIONS, makes
 * `process.versions.node` say 20.0.0 in Jest and its workers; that checks the warning, not the missing spans
 * (Node's channels are still there).
 */

const SUPPORTED = [22, 15];
const versionOf = (node: string) => execFileSync(node, ['--version'], {encoding: 'utf8'}).trim().replace(/^v/, '');
const isOld = (version: string) => {
  const [major, minor] = version.split('.').map(Number);
  return major < SUPPORTED[0] || (major === SUPPORTED[0] && minor < SUPPORTED[1]);
};

function findOldNode(): {node: string; version: string} | undefined {
  let candidates: string[] = [];
  try {
    candidates = execFileSync('which', ['-a', 'node'], {encoding: 'utf8'}).split('\n').filter(Boolean);
  } catch {
    // no `which`, or no node on PATH
  }
  for (const node of [...new Set([...candidates, '/usr/bin/node', '/usr/local/bin/node'])]) {
    try {
      const version = versionOf(node);
      if (isOld(version)) return {node, version};
    } catch {
      // not there
    }
  }
  return undefined;
}

const old = findOldNode();
const simulate = join(FIXTURES, 'old-node', 'simulate-old-node.js');
const HTTP_MISSING =
  'Outgoing node:http/https requests are not traced: their client spans come from diagnostics channels that Node.js has from 22.12.0, so the requests carry no traceparent and a server they reach starts a trace of its own.';
const warningFor = (version: string) =>
  `[jest-environment-otel] Node.js ${version} is below the supported 22.15.0 (OpenTelemetry JS 3 requires it): traces may be incomplete. ${HTTP_MISSING} Run Jest on Node.js 22.15.0 or later for complete traces; tests are not affected.`;

const OUTCOMES = {
  'http.test.js › calls its server with node:http': 'passed',
  'http.test.js › calls its server with fetch': 'passed',
  'plain.test.js › needs no network': 'passed',
};

/** The server span a request to `path` got. */
const serverSpan = (spans: ReceivedSpan[], path: string) =>
  spans.find(span => span.kind === 'SERVER' && JSON.stringify(span.attributes).includes(path));

async function traced(node: string | undefined, env: Record<string, string> = {}) {
  const receiver = await new OtlpReceiver().start();
  try {
    const run = await runJest('old-node', {node, args: ['--maxWorkers=2'], env: {OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, ...env}});
    return {run, spans: [...receiver.spans]};
  } finally {
    await receiver.stop();
  }
}

(old ? test : test.skip)(`on ${old ? `Node.js ${old.version}` : 'an old Node.js (none on this machine)'}: one warning per run naming what is not traced, and that is what is missing`, async () => {
  const {run, spans} = await traced(old!.node);
  expect(outcomes(run.results)).toEqual(OUTCOMES);
  expect(ourWarnings(run)).toEqual([warningFor(old!.version)]);
  // What the warning says, as it is: no node:http client span, and the server span in a trace of its own.
  expect(spans.filter(span => span.scope === 'jest-environment-otel/http')).toEqual([]);
  const httpTest = onlySpan(spans, 'calls its server with node:http');
  const orphan = serverSpan(spans, '/from-http');
  expect(orphan).toBeDefined();
  expect(orphan!.traceId).not.toBe(httpTest.traceId);
  // The rest is traced: tests, and fetch with its server span in the test's trace.
  expect(testSpans(spans)).toHaveLength(3);
  const fetchTest = onlySpan(spans, 'calls its server with fetch');
  expect(spans.filter(span => span.kind === 'CLIENT' && span.traceId === fetchTest.traceId)).toHaveLength(1);
  expect(serverSpan(spans, '/from-fetch')?.traceId).toBe(fetchTest.traceId);
});

(old ? test.skip : test)('simulated old Node.js (process.versions.node says 20.0.0): the same one warning per run', async () => {
  const {run} = await traced(undefined, {NODE_OPTIONS: `--require ${simulate}`});
  expect(outcomes(run.results)).toEqual(OUTCOMES);
  expect(ourWarnings(run)).toEqual([warningFor('20.0.0')]);
});

test(`on the supported Node.js (${versionOf(NODE)}): no warning, node:http client spans carry the trace to the server`, async () => {
  const {run, spans} = await traced(undefined);
  expect(outcomes(run.results)).toEqual(OUTCOMES);
  expect(ourWarnings(run)).toEqual([]);
  const httpTest = onlySpan(spans, 'calls its server with node:http');
  expect(spans.filter(span => span.scope === 'jest-environment-otel/http' && span.traceId === httpTest.traceId)).toHaveLength(1);
  expect(serverSpan(spans, '/from-http')?.traceId).toBe(httpTest.traceId);
});
