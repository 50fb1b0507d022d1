import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {createRequire} from 'node:module';
import {tmpdir} from 'node:os';
import {dirname, join} from 'node:path';
import {OtlpReceiver} from '../support/otlp-receiver';
import {JEST, ourWarnings, outcomes, runJest} from '../support/run-jest';
import {testSpans} from '../support/spans';

/*
 * Circus awaits each of its event handlers at every event; the environment's handler is joined to the next one in
 * circus's list where Jest keeps that list in the sandbox (Jest 30), so that a traced file waits as many microtask
 * turns between a test's end and the next test's start as a plain one. The fixture counts those turns.
 */

const JEST_MAJOR = Number((JSON.parse(readFileSync(join(dirname(JEST), '..', 'package.json'), 'utf8')) as {version: string}).version.split('.')[0]);

interface Found {
  turns: number;
  handlers: number | null;
  onGlobal: boolean;
  descriptor: string[] | null;
  ownPush: boolean;
}

let receiver: OtlpReceiver;
let logDir: string;
beforeEach(async () => {
  receiver = await new OtlpReceiver().start();
  logDir = mkdtempSync(join(tmpdir(), 'handlers-'));
});
afterEach(async () => {
  await receiver.stop();
  rmSync(logDir, {recursive: true, force: true});
});

async function found(name: string, args: string[], env: Record<string, string> = {}): Promise<Found> {
  const log = join(logDir, `${name}.log`);
  const run = await runJest('handlers', {args: ['--runInBand', ...args], env: {TICKS_LOG: log, ...env}});
  expect(outcomes(run.results)).toEqual({
    'ticks.test.js › counts microtask turns after it ends': 'passed',
    'ticks.test.js › reads the count': 'passed',
  });
  expect(ourWarnings(run)).toEqual([]);
  return JSON.parse(readFileSync(log, 'utf8')) as Found;
}

test('circus waits as many microtask turns between tests as with plain jest-environment-node, and its handler list looks the same', async () => {
  const plain = await found('plain', [`--testEnvironment=${createRequire(JEST).resolve('jest-environment-node')}`]);
  const traced = await found('traced', [], {OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url});
  expect(testSpans(receiver.spans)).toHaveLength(2);
  // The list, where circus keeps it in the sandbox, is an ordinary property holding as many handlers, without a
  // `push` of its own; on Jest 29, there is none, and nothing is left in its place.
  expect({...traced, turns: undefined}).toEqual({...plain, turns: undefined});
  if (JEST_MAJOR >= 30) {
    expect(plain.handlers).toBeGreaterThan(0);
    expect(traced.turns).toBe(plain.turns);
  } else {
    // Jest 29 keeps its handlers to itself: the environment's handler is awaited as one more at each event.
    expect(plain.onGlobal).toBe(false);
    expect(traced.turns).toBeGreaterThan(plain.turns);
  }
});
