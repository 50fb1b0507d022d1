'use strict';

const {mkdirSync, readdirSync, readFileSync, rmSync} = require('node:fs');
const {join} = require('node:path');
const {runJest} = require('./jest');
const {analyze} = require('./profile-report');
const {median} = require('./stats');

/*
 * Where the environment's time goes, on the default suite run in band (the worker is the jest process):
 *  - a CPU profile (`node --cpu-prof`) of a traced run exporting to the receiver, and one of plain Jest;
 *  - the time of each environment lifecycle method (bench/lib/probe-environment.js), traced and plain.
 */

async function profileSection({suite, services, workDir, log}) {
  const dir = join(workDir, 'profile');
  rmSync(dir, {recursive: true, force: true});
  const env = {BENCH_SERVICE_URL: services.service.url, OTEL_EXPORTER_OTLP_ENDPOINT: services.receiver.url};
  const base = {rootDir: suite.dir, args: ['--runInBand'], expectedTests: suite.totalTests};
  const cache = name => join(workDir, 'cache', `profile-${name}`);
  const profiled = async (name, config) => {
    const outDir = join(dir, name);
    mkdirSync(outDir, {recursive: true});
    rmSync(cache(name), {recursive: true, force: true});
    await runJest({...base, config, cacheDirectory: cache(name), env});
    const run = await runJest({...base, config, cacheDirectory: cache(name), env, nodeArgs: ['--cpu-prof', '--cpu-prof-dir', outDir]});
    log(`  profile ${name}: ${(run.wallMs / 1000).toFixed(2)} s`);
    const files = readdirSync(outDir).filter(file => file.endsWith('.cpuprofile'));
    return join(outDir, files[0]);
  };
  const plainProfile = await profiled('plain', suite.configs.node);
  const otelProfile = await profiled('otel', suite.configs.otel);
  const profile = analyze({plainProfile, otelProfile, testDir: suite.dir});

  const timed = async (name, baseName) => {
    rmSync(cache(name), {recursive: true, force: true});
    const runs = [];
    for (let round = 0; round < 4; round += 1) {
      const timings = join(dir, `timings-${name}-${round}`);
      mkdirSync(timings, {recursive: true});
      await runJest({...base, config: suite.configs.probe, cacheDirectory: cache(name), env: {...env, BENCH_PROBE_BASE: baseName, BENCH_TIMINGS_DIR: timings}});
      const files = readdirSync(timings);
      if (round > 0) runs.push(JSON.parse(readFileSync(join(timings, files[0]), 'utf8')));
    }
    const fields = Object.keys(runs[0]).filter(field => typeof runs[0][field] === 'number');
    const events = Object.keys(runs[0].eventMs ?? {});
    const eventMs = Object.fromEntries(events.map(event => [event, median(runs.map(run => run.eventMs?.[event] ?? 0))]));
    return {...Object.fromEntries(fields.map(field => [field, median(runs.map(run => run[field]))])), eventMs};
  };
  const phases = {
    plain: await timed('timed-plain', 'node'),
    otel: await timed('timed-otel', 'otel'),
    released: await timed('timed-released', 'released'),
  };
  log(`  lifecycle timings: ${JSON.stringify(phases)}`);
  return {profile, phases, profiles: {plain: plainProfile, otel: otelProfile}};
}

module.exports = {profileSection};
