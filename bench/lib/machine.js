'use strict';

const os = require('node:os');
const {createHash} = require('node:crypto');
const {readdirSync, readFileSync} = require('node:fs');
const {join} = require('node:path');

const ROOT = join(__dirname, '..', '..');

function versionOf(pkg) {
  try {
    return JSON.parse(readFileSync(join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')).version;
  } catch {
    return 'not installed';
  }
}

/** What the numbers were measured on. */
function machine() {
  return {
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    jest: versionOf('jest'),
    package: JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version,
    otel: {
      api: versionOf('@opentelemetry/api'),
      sdkTrace: versionOf('@opentelemetry/sdk-trace'),
      instrumentationHttp: versionOf('@opentelemetry/instrumentation-http'),
      instrumentationUndici: versionOf('@opentelemetry/instrumentation-undici'),
      otlpTransformer: versionOf('@opentelemetry/otlp-transformer'),
    },
  };
}

/** A short hash of build/*.js: the code measured. `npm test` rebuilds it; a change during a run is reported. */
function buildFingerprint() {
  const dir = join(ROOT, 'build');
  const hash = createHash('sha256');
  for (const file of readdirSync(dir).filter(name => name.endsWith('.js')).sort()) hash.update(file).update(readFileSync(join(dir, file)));
  return hash.digest('hex').slice(0, 12);
}

module.exports = {machine, buildFingerprint};
