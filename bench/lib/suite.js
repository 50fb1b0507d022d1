'use strict';

const {mkdirSync, rmSync, writeFileSync} = require('node:fs');
const {join} = require('node:path');

/*
 * A generated integration-test suite: `files` test files of `tests` tests each. Every test calls the local service
 * `calls` times (alternating `node:http` and `fetch`, so both instrumentations are exercised) and does a little CPU
 * work; every file has a `beforeEach`. Test files need only Node built-ins. The service's URL comes from
 * BENCH_SERVICE_URL.
 */

const ENVIRONMENT = join(__dirname, '..', '..', 'build', 'index.js');
const PROBE_ENVIRONMENT = join(__dirname, 'probe-environment.js');
const RELEASED_ENVIRONMENT = join(__dirname, 'released-environment.js');
const FLOOR_ENVIRONMENT = join(__dirname, 'floor-environment.js');

function testFile(index, tests, calls) {
  return `const http = require('node:http');
const {createHash} = require('node:crypto');

const BASE = process.env.BENCH_SERVICE_URL;

function viaHttp(path) {
  return new Promise((resolve, reject) => {
    http
      .get(BASE + path, response => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', chunk => (body += chunk));
        response.on('end', () => (response.statusCode === 200 ? resolve(JSON.parse(body)) : reject(new Error(body))));
      })
      .on('error', reject);
  });
}

async function viaFetch(path) {
  const response = await fetch(BASE + path);
  if (!response.ok) throw new Error(await response.text());
  return response.json();
}

function digest(item) {
  const hash = createHash('sha256');
  for (let round = 0; round < 100; round += 1) hash.update(JSON.stringify({...item, round}));
  return hash.digest('hex');
}

describe('file ${index}', () => {
  let seed;
  beforeEach(() => {
    seed = {file: ${index}, at: Date.now()};
  });

  for (let t = 0; t < ${tests}; t += 1) {
    test(\`test \${t}\`, async () => {
      let item;
      for (let call = 0; call < ${calls}; call += 1) {
        const get = (t + call) % 2 === 0 ? viaHttp : viaFetch;
        item = await get(\`/items/\${t}\`);
        expect(item.id).toBe(t);
      }
      expect(digest({...item, seed})).toHaveLength(64);
    });
  }
});
`;
}

// Jest transforms (babel-jest) every module it loads for the environment unless its path matches
// transformIgnorePatterns; the default pattern skips node_modules, where an installed environment lives. The
// repository's build/ (and the bench's own environments) are outside node_modules, so they are added to the
// pattern, for every configuration alike.
const IGNORED = ['/node_modules/', ...[join(__dirname, '..', '..', 'build'), __dirname].map(dir => `^${escapeRegExp(dir)}/`)];

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function config(environment, environmentOptions) {
  const options = {testEnvironment: environment, testMatch: ['**/__tests__/**/*.test.js'], transformIgnorePatterns: IGNORED};
  if (environmentOptions) options.testEnvironmentOptions = environmentOptions;
  return `module.exports = ${JSON.stringify(options, null, 2)};\n`;
}

/** Writes the suite under `dir` (emptied first); returns its layout and the config file of each environment. */
function generateSuite(dir, {files, tests, calls}) {
  rmSync(dir, {recursive: true, force: true});
  mkdirSync(join(dir, '__tests__'), {recursive: true});
  const width = String(files).length;
  for (let index = 0; index < files; index += 1) {
    writeFileSync(join(dir, '__tests__', `file-${String(index).padStart(width, '0')}.test.js`), testFile(index, tests, calls));
  }
  const configs = {
    node: join(dir, 'jest.node.config.js'),
    otel: join(dir, 'jest.otel.config.js'),
    otelUninstrumented: join(dir, 'jest.otel-uninstrumented.config.js'),
    probe: join(dir, 'jest.probe.config.js'),
    released: join(dir, 'jest.released.config.js'),
    floor: join(dir, 'jest.floor.config.js'),
  };
  writeFileSync(configs.node, config('node'));
  writeFileSync(configs.otel, config(ENVIRONMENT));
  writeFileSync(configs.otelUninstrumented, config(ENVIRONMENT, {otel: {http: false, fetch: false}}));
  writeFileSync(configs.probe, config(PROBE_ENVIRONMENT));
  writeFileSync(configs.released, config(RELEASED_ENVIRONMENT));
  writeFileSync(configs.floor, config(FLOOR_ENVIRONMENT));
  return {dir, files, tests, calls, totalTests: files * tests, configs};
}

module.exports = {generateSuite, ENVIRONMENT, IGNORED};
