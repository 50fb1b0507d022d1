import {OtlpReceiver, type Fault} from '../support/otlp-receiver';
import {unusedPort} from '../support/ports';
import {ourWarnings, outcomes, runJest, type JestRun} from '../support/run-jest';

/*
 * A collector that fails for good — hangs, answers 5xx or 429 to everything, resets, answers too late — costs a run
 * one export deadline, not one per test file; no process of ours outlives the run; every span is delivered or
 * counted. The "files" fixture has six one-test files: 12 spans (a suite and a test each).
 */

const DEADLINE_MS = 1_500;
const FILES = 6;
const SPANS = 2 * FILES;
const JEST_EXIT_WARNINGS = /did not exit one second|failed to exit gracefully/;

const FOREVER: Record<string, Fault> = {
  'accepts and never answers': {hang: true},
  'answers 503': {status: 503},
  'answers 429': {status: 429},
  'resets the connection': {reset: true},
  'answers after twice the deadline': {delayMs: 2 * DEADLINE_MS},
};

let receiver: OtlpReceiver;
beforeEach(async () => {
  receiver = await new OtlpReceiver().start();
});
afterEach(() => receiver.stop());

function runFiles(endpoint: string, args: string[]): Promise<JestRun> {
  return runJest('files', {args, env: {OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_EXPORTER_OTLP_TIMEOUT: String(DEADLINE_MS)}});
}

/** The spans the loss lines of a run count, summed over its processes: [not exported, ended]. */
function countedLosses(run: JestRun, url: string): [number, number] {
  let lost = 0;
  let ended = 0;
  for (const line of ourWarnings(run)) {
    const match = new RegExp(`(\\d+) of (\\d+) spans? w(?:ere|as) not exported to ${url}: `).exec(line);
    if (!match) continue;
    lost += Number(match[1]);
    ended += Number(match[2]);
  }
  return [lost, ended];
}

function expectAllPassed(run: JestRun): void {
  expect(Object.values(outcomes(run.results))).toEqual(Array.from({length: FILES}, () => 'passed'));
}

let healthyMs: number;
beforeAll(async () => {
  const healthy = await new OtlpReceiver().start();
  try {
    const run = await runFiles(healthy.url, ['--runInBand']);
    expectAllPassed(run);
    expect(healthy.spans).toHaveLength(SPANS);
    expect(ourWarnings(run)).toEqual([]);
    healthyMs = run.wallMs;
  } finally {
    await healthy.stop();
  }
});

test.each(Object.entries(FOREVER))(
  'a collector that %s costs the run one export deadline; later files do not ask it again; every span is counted (in band)',
  async (_, fault) => {
    receiver.faults.push(...Array.from({length: 200}, () => fault));
    const run = await runFiles(receiver.url, ['--runInBand']);
    expectAllPassed(run);
    // Every request came within the first export's deadline: once it failed, no later file asked again.
    const times = receiver.log.map(entry => entry.at);
    expect(times.length).toBeGreaterThan(0);
    expect(Math.max(...times) - Math.min(...times)).toBeLessThan(DEADLINE_MS);
    // Generous for a shared machine: one deadline and a second over the healthy run, where one per file would be six.
    expect(run.wallMs - healthyMs).toBeLessThan(DEADLINE_MS + 2_000);
    const found = ourWarnings(run);
    expect(found).toHaveLength(2);
    expect(found[0]).toContain(`could not export spans to ${receiver.tracesUrl}: `);
    expect(found[1]).toMatch(new RegExp(`^\\[jest-environment-otel\\] ${SPANS} of ${SPANS} spans were not exported to ${receiver.tracesUrl}: `));
    expect(run.stderr).not.toMatch(JEST_EXIT_WARNINGS);
  },
);

test.each([['accepts and never answers', {hang: true}], ['answers 503', {status: 503}]] as Array<[string, Fault]>)(
  'with two workers, a collector that %s: no worker outlives the run, every span is counted once',
  async (_, fault) => {
    receiver.faults.push(...Array.from({length: 200}, () => fault));
    const run = await runFiles(receiver.url, ['--maxWorkers=2']);
    expectAllPassed(run);
    expect(run.stderr).not.toMatch(JEST_EXIT_WARNINGS);
    expect(ourWarnings(run).filter(line => line.includes('could not export spans to'))).toHaveLength(1);
    expect(countedLosses(run, receiver.tracesUrl)).toEqual([SPANS, SPANS]);
  },
);

test('workers that Jest stops to recycle them (workerIdleMemoryLimit) still count the spans they could not export', async () => {
  const endpoint = `http://127.0.0.1:${await unusedPort()}`;
  // Any worker is over a 1 KB limit: Jest ends each with SIGTERM after its file, where no exit event comes.
  const run = await runFiles(endpoint, ['--maxWorkers=2', '--workerIdleMemoryLimit=1KB']);
  expectAllPassed(run);
  const [lost, ended] = countedLosses(run, `${endpoint}/v1/traces`);
  expect(lost).toBe(ended);
  // More when a worker was killed in the middle of a file, which Jest then runs again in the next worker.
  expect(lost).toBeGreaterThanOrEqual(SPANS);
});

test('a worker killed before it can say what it lost: the reporter says it when the run completes', async () => {
  const endpoint = `http://127.0.0.1:${await unusedPort()}`;
  const run = await runJest('killed', {args: ['--maxWorkers=2'], env: {OTEL_EXPORTER_OTLP_ENDPOINT: endpoint}});
  expect(outcomes(run.results)).toEqual({'busy.test.js › busy': 'passed', 'plain.test.js › plain': 'passed'});
  expect(run.stderr).toContain('failed to exit gracefully');
  const lines = ourWarnings(run).filter(line => / spans? w(?:ere|as) not exported to /.test(line));
  // The busy worker's suite, test and afterAll, from its ledger file, by the reporter; the other worker's suite and
  // test at its exit; the main process's run span.
  // (Whether its export was refused before it got busy depends on the machine's load.)
  expect(lines).toContainEqual(
    expect.stringMatching(/^\[jest-environment-otel\] 3 of 3 spans were not exported to .*: 3 (in exports that failed \(connect ECONNREFUSED|still waiting for export when its worker was killed)/),
  );
  expect(countedLosses(run, `${endpoint}/v1/traces`)).toEqual([3 + 2 + 1, 3 + 2 + 1]);
});
