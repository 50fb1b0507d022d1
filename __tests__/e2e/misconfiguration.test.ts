import {readdirSync, rmSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {OtlpReceiver} from '../support/otlp-receiver';
import {WORK} from '../support/paths';
import {SMALL_OUTCOMES, ourWarnings, outcomes, runJest} from '../support/run-jest';
import {testSpans} from '../support/spans';

/*
 * Configuration a new user gets slightly wrong: whatever can be used is used, and what cannot is named once per run
 * with where it belongs or what was meant. Tests run on with the same outcomes.
 */

test('one malformed entry in OTEL_EXPORTER_OTLP_HEADERS: the valid headers are still sent, the bad entry is named by position', async () => {
  const receiver = await new OtlpReceiver().start();
  try {
    const run = await runJest('small', {
      args: ['--runInBand'],
      env: {OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=abc123,broken-secret'},
    });
    expect(outcomes(run.results)).toEqual(SMALL_OUTCOMES);
    expect(testSpans(receiver.spans)).toHaveLength(3);
    expect(receiver.requests.length).toBeGreaterThan(0);
    for (const request of receiver.requests) expect(request.headers['x-api-key']).toBe('abc123');
    expect(ourWarnings(run)).toEqual([
      '[jest-environment-otel] OTEL_EXPORTER_OTLP_HEADERS is not valid: entry 2 of 2 is not a key=value pair; it is skipped, the other entries are used.',
    ]);
    expect(run.stderr).not.toContain('abc123');
    expect(run.stderr).not.toContain('broken-secret');
  } finally {
    await receiver.stop();
  }
});

test('our options next to otel instead of inside it, and a misspelt one inside: each named, with where it belongs or what was meant', async () => {
  const options = {serviceName: 'checkout', exporter: 'none', otel: {sericeName: 'checkout'}};
  const run = await runJest('small', {args: ['--runInBand', '--testEnvironmentOptions', JSON.stringify(options)]});
  expect(outcomes(run.results)).toEqual(SMALL_OUTCOMES);
  expect(ourWarnings(run).sort()).toEqual([
    '[jest-environment-otel] testEnvironmentOptions.otel.sericeName is not an option — did you mean serviceName? It is ignored.',
    '[jest-environment-otel] testEnvironmentOptions.serviceName, testEnvironmentOptions.exporter are ignored: options of jest-environment-otel belong under testEnvironmentOptions.otel, as in testEnvironmentOptions: {otel: {serviceName, exporter}}.',
  ]);
});

test('with three workers, each distinct warning is printed once per run, not once per process', async () => {
  const receiver = await new OtlpReceiver().start();
  try {
    // The first exports (one per file) answered after 400 ms, past a 50 ms flush deadline; --bail makes every
    // teardown wait for its export. The store proves that several processes ran: a file per worker process.
    for (let i = 0; i < 6; i++) receiver.faults.push({delayMs: 400});
    const options = {otel: {sericeName: 'x', flushTimeoutMillis: 50, exporter: ['otlp', 'store']}};
    const run = await runJest('workers', {
      args: ['--maxWorkers=3', '--bail', '--testEnvironmentOptions', JSON.stringify(options)],
      env: {OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_RESOURCE_ATTRIBUTES: 'team=payments,orphan', JEST_OTEL_RUN_ID: `warnings-${process.pid}`},
    });
    expect(run.results.numPassedTests).toBe(6);
    const runFolder = join(WORK, 'workers', '.jest-otel', 'runs', `warnings-${process.pid}`);
    const workerFiles = readdirSync(runFolder).filter(name => /^worker-\d+\.jsonl$/.test(name));
    expect(workerFiles.length).toBeGreaterThanOrEqual(2);
    // What a process could not deliver it says for itself (its own counts), so only the other warnings are compared.
    expect(ourWarnings(run).filter(line => !/ spans? w(?:ere|as) not exported to /.test(line)).sort()).toEqual([
      '[jest-environment-otel] OTEL_RESOURCE_ATTRIBUTES is not valid: entry "orphan" is not a key=value pair; it is skipped, the other entries are used.',
      '[jest-environment-otel] exporting spans took longer than 50 ms; the rest are exported in the background.',
      '[jest-environment-otel] testEnvironmentOptions.otel.sericeName is not an option — did you mean serviceName? It is ignored.',
    ]);
  } finally {
    await receiver.stop();
  }
});

// Node's recursive mkdir never returns under /proc; under a regular file it fails. Either way: one line, no hang.
test.each([
  ['under /proc', () => '/proc/jest-otel-store'],
  ['whose parent is a regular file', () => {
    const file = join(WORK, 'small', 'not-a-folder');
    writeFileSync(file, '');
    return join(file, 'store');
  }],
])('a storeDir that cannot be created (%s): one line naming storeDir, the run ends, same outcomes', async (_, storeDir) => {
  const dir = storeDir();
  const run = await runJest('small', {
    args: ['--maxWorkers=2', '--testEnvironmentOptions', JSON.stringify({otel: {storeDir: dir}})],
    killAfterMs: 30_000,
  });
  rmSync(join(WORK, 'small', 'not-a-folder'), {force: true});
  expect(run.code).toBe(1);
  expect(outcomes(run.results)).toEqual(SMALL_OUTCOMES);
  const found = ourWarnings(run);
  expect(found).toHaveLength(1);
  expect(found[0]).toMatch(new RegExp(`^\\[jest-environment-otel\\] testEnvironmentOptions\\.otel\\.storeDir "${dir}" cannot be used: cannot create ${dir}/runs/\\w+: .+\\. Spans are not stored in this run`));
  expect(run.stderr).not.toContain('did not exit one second');
  expect(run.wallMs).toBeLessThan(15_000);
});

test('a report outputFile under /proc: one line naming it, the run ends, same outcomes', async () => {
  const config = join(WORK, 'small', 'jest.report-in-proc.config.js');
  writeFileSync(
    config,
    `module.exports = {testEnvironment: 'otel', reporters: ['default', ['jest-environment-otel/reporter', {outputFile: '/proc/jest-otel/report.html'}]]};`,
  );
  try {
    const run = await runJest('small', {args: ['--runInBand', '--config', config], killAfterMs: 30_000});
    expect(run.code).toBe(1);
    expect(outcomes(run.results)).toEqual(SMALL_OUTCOMES);
    expect(ourWarnings(run)).toEqual([
      "[jest-environment-otel] could not write the HTML report to /proc/jest-otel/report.html: cannot create /proc/jest-otel: ENOENT: no such file or directory, mkdir '/proc/jest-otel'",
    ]);
  } finally {
    rmSync(config, {force: true});
  }
});
