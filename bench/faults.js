'use strict';

/*
 * `node bench/faults.js [--files 200] [--timeout 2000] [--faults healthy,closed,…] [-w 1]`: what a collector that
 * misbehaves costs a run. Generates `files` one-test files and runs them with `--runInBand` (or `-w N`) against
 * a receiver on 127.0.0.1 that is healthy, or not there, or accepts and never answers, answers 503 or 429 to
 * everything, resets every connection, answers after twice the export deadline, or answers every request after
 * 300 ms (slow, within the deadline). A first healthy run, not counted, warms the file cache; `--rounds N` runs
 * every case N times, interleaved, and keeps the fastest (a shared machine's load only ever adds time). Prints one
 * line per case: its fastest wall time, the time over the fastest healthy run, and the lines the environment and
 * Jest printed. Build first (`npm run build`).
 */

const http = require('node:http');
const net = require('node:net');
const {mkdirSync, rmSync, writeFileSync} = require('node:fs');
const {join} = require('node:path');
const {runJest} = require('./lib/jest');

const ENVIRONMENT = join(__dirname, '..', 'build', 'index.js');
const WORK = join(__dirname, '.work', 'faults');

function flag(name, fallback) {
  const at = process.argv.indexOf(name);
  return at === -1 ? fallback : process.argv[at + 1];
}

const FILES = Number(flag('--files', '200'));
const TIMEOUT = Number(flag('--timeout', '2000'));
const WORKERS = flag('-w', undefined);
const FAULTS = flag('--faults', 'healthy,closed,hang,503,429,reset,late,slow').split(',');
const ROUNDS = Number(flag('--rounds', '1'));

/** How the receiver treats every request, by fault name. */
const HANDLERS = {
  healthy: (request, response) => response.writeHead(200, {'content-length': 0}).end(),
  hang: () => {},
  503: (request, response) => response.writeHead(503, {'content-length': 0}).end(),
  429: (request, response) => response.writeHead(429, {'content-length': 0}).end(),
  reset: request => request.socket.destroy(),
  late: (request, response) => answerAfter(response, TIMEOUT * 2),
  slow: (request, response) => answerAfter(response, 300),
};

function answerAfter(response, ms) {
  const timer = setTimeout(() => response.writeHead(200, {'content-length': 0}).end(), ms);
  response.on('close', () => clearTimeout(timer));
}

async function startCollector(fault) {
  const server = fault === 'closed' ? net.createServer() : http.createServer((request, response) => {
    request.resume();
    request.on('end', () => HANDLERS[fault](request, response));
  });
  await new Promise(resolve => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  const close = () => {
    server.closeAllConnections?.();
    return new Promise(resolve => server.close(() => resolve()));
  };
  if (fault === 'closed') await close();
  return {url, close};
}

function generate(dir) {
  rmSync(dir, {recursive: true, force: true});
  mkdirSync(dir, {recursive: true});
  const config = join(dir, 'jest.config.js');
  writeFileSync(config, `module.exports = {testEnvironment: ${JSON.stringify(ENVIRONMENT)}, testMatch: ['**/*.test.js']};\n`);
  for (let index = 0; index < FILES; index += 1) {
    writeFileSync(join(dir, `file-${String(index).padStart(3, '0')}.test.js`), `test('one', () => expect(${index} + 1).toBe(${index + 1}));\n`);
  }
  return config;
}

async function main() {
  const dir = join(WORK, 'suite');
  const config = generate(dir);
  const args = WORKERS ? ['-w', WORKERS] : ['--runInBand'];
  const best = new Map();
  const cases = ['warm-up', ...Array.from({length: ROUNDS}, () => FAULTS).flat()];
  for (const fault of cases) {
    const collector = await startCollector(fault === 'warm-up' ? 'healthy' : fault);
    const cacheDirectory = join(WORK, `cache-${fault}`);
    try {
      const run = await runJest({
        config,
        rootDir: dir,
        cacheDirectory,
        args,
        env: {OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_EXPORTER_OTLP_TIMEOUT: String(TIMEOUT)},
        expectedTests: FILES,
      });
      process.stderr.write(`${fault}: ${(run.wallMs / 1000).toFixed(1)} s\n`);
      if (fault === 'warm-up' || (best.get(fault)?.wallMs ?? Infinity) <= run.wallMs) continue;
      const jestWarnings = run.stderr.split('\n').filter(line => /did not exit one second|failed to exit gracefully/.test(line));
      best.set(fault, {wallMs: run.wallMs, lines: [...run.warnings, ...jestWarnings]});
    } finally {
      await collector.close();
      rmSync(cacheDirectory, {recursive: true, force: true});
    }
  }
  const healthyMs = best.get('healthy')?.wallMs;
  for (const [fault, {wallMs, lines}] of best) {
    const over = healthyMs === undefined ? '' : ` (${wallMs >= healthyMs ? '+' : '−'}${(Math.abs(wallMs - healthyMs) / 1000).toFixed(1)} s)`;
    process.stdout.write(`${fault}: ${(wallMs / 1000).toFixed(1)} s${over}\n`);
    for (const line of lines) process.stdout.write(`    ${line}\n`);
  }
}

main().catch(error => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exitCode = 1;
});
