'use strict';

const {spawn} = require('node:child_process');
const {once} = require('node:events');
const {existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} = require('node:fs');
const net = require('node:net');
const {join} = require('node:path');
const {runJest} = require('./jest');
const {median} = require('./stats');
const {ENVIRONMENT, IGNORED, generateSuite} = require('./suite');

/*
 * What the receiver of the services' spans costs a run that gets a flood of them. A generated suite of 100 tests
 * (25 files × 4, `-w 2`, so Jest's main process runs the reporter and the receiver, not the tests) calls a service
 * in a process of its own, traced by OpenTelemetry's SDK and exporting OTLP/HTTP protobuf to the run's receiver
 * (bench/lib/flood-service.js). With the flood, each call makes the service send enough spans, in the calling test's
 * trace, for `spans` in all (100,000: 999 of its own under each of the 100 server spans); detached, as many spans in
 * traces that no test started (one background job of 999 spans per call), which the receiver stores but the report
 * leaves out; without the flood, the same run and service send only the 100 server spans. Measured per run: wall time, the CPU time and peak RSS of Jest's main
 * process up to the end of the reporters (bench/lib/usage-reporter.js), and the spans the service ended, the ones
 * the receiver accepted, and the ones stored in the run's folder; and whether the run said it dropped any.
 */

const REPORTER = join(__dirname, '..', '..', 'build', 'reporter.js');
const USAGE_REPORTER = join(__dirname, 'usage-reporter.js');
const SERVICE = join(__dirname, 'flood-service.js');

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const {port} = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts the flood service sending to `endpoint`; resolves with its URL, stats() and stop(). */
async function startService(endpoint, floodSpans, detached) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('OTEL_')));
  const child = spawn(process.execPath, [SERVICE], {env: {...env, OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, FLOOD_SPANS: String(floodSpans), FLOOD_DETACHED: detached ? '1' : '0'}, stdio: ['pipe', 'pipe', 'inherit']});
  const [line] = await once(child.stdout, 'data');
  const url = String(line).trim();
  return {
    url,
    stats: async () => (await fetch(`${url}/stats`)).json(),
    stop: async () => {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Spans in the run folder's `received-*.jsonl` files (what the receiver stored). */
function countReceived(runFolder) {
  let spans = 0;
  if (!existsSync(runFolder)) return spans;
  for (const file of readdirSync(runFolder).filter(name => name.startsWith('received-'))) {
    for (const line of readFileSync(join(runFolder, file), 'utf8').split('\n')) {
      if (!line) continue;
      for (const resource of JSON.parse(line).resourceSpans ?? []) for (const scope of resource.scopeSpans ?? []) spans += scope.spans?.length ?? 0;
    }
  }
  return spans;
}

let counter = 0;

async function receiverSection({workDir, log, spans, pairs, files = 25, tests = 4}) {
  const suite = generateSuite(join(workDir, 'suites', 'receiver'), {files, tests, calls: 1});
  const config = join(suite.dir, 'jest.receiver.config.js');
  const options = {testEnvironment: ENVIRONMENT, testMatch: ['**/__tests__/**/*.test.js'], transformIgnorePatterns: IGNORED, reporters: [REPORTER, USAGE_REPORTER]};
  writeFileSync(config, `module.exports = ${JSON.stringify(options, null, 2)};\n`);
  // Spans per call beyond its server span, so that the calls send `spans` in all.
  const perCall = Math.max(0, Math.ceil(spans / suite.totalTests) - 1);
  const variants = [
    {name: 'quiet', label: 'service sends its server spans only', floodSpans: 0},
    {name: 'flood', label: `service sends ${suite.totalTests * (perCall + 1)} spans, in the tests' traces`, floodSpans: perCall},
    {name: 'detached', label: `service sends ${suite.totalTests * (perCall + 1)} spans, in traces of their own`, floodSpans: perCall, detached: true},
  ];
  const cacheDirectory = join(workDir, 'cache', 'receiver');
  rmSync(cacheDirectory, {recursive: true, force: true});
  const runs = Object.fromEntries(variants.map(variant => [variant.name, []]));

  const once = async (variant, measured) => {
    const port = await freePort();
    const service = await startService(`http://127.0.0.1:${port}`, variant.floodSpans, variant.detached);
    const runId = `bench-receiver-${process.pid}-${(counter += 1)}`;
    const usageFile = join(workDir, `usage-${runId}.json`);
    let result;
    let stats;
    try {
      result = await runJest({
        config,
        rootDir: suite.dir,
        cacheDirectory,
        args: ['-w', '2'],
        env: {BENCH_SERVICE_URL: service.url, JEST_OTEL_RECEIVER_PORT: String(port), JEST_OTEL_RUN_ID: runId, BENCH_USAGE_FILE: usageFile},
        expectedTests: suite.totalTests,
      });
      stats = await service.stats();
    } finally {
      await service.stop();
    }
    const usage = JSON.parse(readFileSync(usageFile, 'utf8'));
    rmSync(usageFile, {force: true});
    const runFolder = join(suite.dir, '.jest-otel', 'runs', runId);
    const dropped = /dropped (\d+) of/.exec(result.stderr);
    const record = {
      wallMs: result.wallMs,
      cpuMs: result.cpuMs,
      mainCpuMs: usage.cpuMs,
      mainRssMb: usage.maxRssMb,
      workers: result.peaks.workers.length,
      sent: stats.ended,
      accepted: stats.accepted,
      refused: stats.refused,
      stored: countReceived(runFolder),
      droppedSaid: dropped ? Number(dropped[1]) : 0,
      reportBytes: statSync(join(suite.dir, '.jest-otel', 'report.html')).size,
      warnings: result.warnings,
    };
    rmSync(runFolder, {recursive: true, force: true});
    if (measured) runs[variant.name].push(record);
    log(
      `  receiver ${measured ? 'run ' : 'warm'} ${variant.name.padEnd(8)} ${(record.wallMs / 1000).toFixed(2)} s  main cpu ${(record.mainCpuMs / 1000).toFixed(2)} s  main rss ${record.mainRssMb.toFixed(0)} MB  ` +
        `spans sent ${record.sent}, accepted ${record.accepted}, stored ${record.stored}${record.droppedSaid ? `, dropped ${record.droppedSaid}` : ''}`,
    );
  };

  for (const variant of variants) await once(variant, false);
  for (let round = 0; round < pairs; round += 1) {
    for (const variant of round % 2 === 0 ? variants : [...variants].reverse()) await once(variant, true);
  }
  rmSync(suite.dir, {recursive: true, force: true});

  const summary = {suite: {files: suite.files, tests: suite.tests, totalTests: suite.totalTests}, pairs, args: ['-w', '2'], variants: {}};
  for (const variant of variants) {
    const list = runs[variant.name];
    const pick = key => list.map(run => run[key]);
    summary.variants[variant.name] = {
      ...variant,
      wallMs: pick('wallMs'),
      medianWallMs: median(pick('wallMs')),
      medianCpuMs: median(pick('cpuMs')),
      mainCpuMs: pick('mainCpuMs'),
      medianMainCpuMs: median(pick('mainCpuMs')),
      medianMainRssMb: median(pick('mainRssMb')),
      workers: median(pick('workers')),
      sent: pick('sent'),
      accepted: pick('accepted'),
      stored: pick('stored'),
      droppedSaid: pick('droppedSaid'),
      medianReportBytes: median(pick('reportBytes')),
      warnings: [...new Set(list.flatMap(run => run.warnings))],
    };
  }
  // Each flood against the quiet run of the same round.
  for (const name of ['flood', 'detached']) {
    const delta = key => runs[name].map((run, index) => run[key] - runs.quiet[index][key]);
    Object.assign(summary.variants[name], {
      deltaWallMs: delta('wallMs'),
      medianDeltaWallMs: median(delta('wallMs')),
      deltaMainCpuMs: delta('mainCpuMs'),
      medianDeltaMainCpuMs: median(delta('mainCpuMs')),
      medianDeltaMainRssMb: median(delta('mainRssMb')),
      floodSpans: median(delta('sent')),
    });
  }
  return summary;
}

module.exports = {receiverSection};
