'use strict';

const {mkdirSync, rmSync, writeFileSync} = require('node:fs');
const {createRequire} = require('node:module');
const {join} = require('node:path');
const {jestBinary} = require('./jest');
const {ENVIRONMENT, IGNORED} = require('./suite');

/*
 * A generated suite shaped like a library's own unit tests: `files` small files of `tests` tests each, every test
 * about a millisecond of plain computation (no I/O, no hooks), in describe blocks, some through `test.each`. Its files
 * are transformed as such suites' are: by babel-jest (`transform: 'babel'`, Jest's default transformer, which always
 * makes a source map Jest maps stack frames through) or ts-jest (`transform: 'ts'`, TypeScript sources, source maps on).
 * The hoisted `jest.mock` of a local helper (babel-jest) and the type annotations (ts-jest) move the tests' lines in
 * the transformed code, so a location read without the source map would be wrong. Each file's first test also checks
 * that bad input throws (`toThrow`, which reads the error's stack, so Jest maps it through source maps once per
 * file), as library suites do: 18 of luxon's 58 test files use `toThrow`.
 */

const WORK_PER_TEST = 12_000; // about 1 ms of work per test on the benchmark machine

function helper(ts) {
  const type = ts ? ': number' : '';
  return `export function work(seed${type}, rounds${type})${type} {
  let value = seed;
  for (let round = 0; round < rounds; round += 1) value = (value * 31 + round) % 1000003;
  return value;
}

export function format(value${type})${ts ? ': string' : ''} {
  return String(value).padStart(8, '0');
}

export function parse(text${ts ? ': string' : ''})${type} {
  if (!/^\\d+$/.test(text)) throw new RangeError(\`not a number: \${text}\`);
  return Number(text);
}
`;
}

function eachBlock(each, ts) {
  return `
  test.each(Array.from({length: ${each}}, (_, seed) => ({seed})))('each $seed', ({seed}${ts ? ': Case' : ''}) => {
    expect(work(seed, ROUNDS)).toBe(work(seed, ROUNDS));
  });
`;
}

function testFile(index, tests, ts) {
  const each = Math.floor(tests / 4);
  const plain = tests - each;
  const half = Math.ceil(plain / 2);
  const type = ts ? ': number' : '';
  const header = ts
    ? `import {format, parse, work} from './helper';\n\ninterface Case {\n  seed: number;\n}\n`
    : `const {format, parse, work} = require('./helper');\n`;
  const mock = ts ? '' : `\njest.mock('./helper', () => jest.requireActual('./helper'));\n`;
  return `${header}
const ROUNDS${type} = ${WORK_PER_TEST};

describe('unit ${index}', () => {
  describe('work', () => {
    test('case 0', () => {
      const value = work(${index}, ROUNDS);
      expect(value).toBeGreaterThanOrEqual(0);
      expect(format(value)).toHaveLength(8);
      expect(() => parse('unit ${index}')).toThrow(RangeError);
    });
    for (let t = 1; t < ${half}; t += 1) {
      test(\`case \${t}\`, () => {
        const value = work(t + ${index}, ROUNDS);
        expect(value).toBeGreaterThanOrEqual(0);
        expect(format(value)).toHaveLength(8);
      });
    }
  });

  describe('format', () => {
    for (let t = 0; t < ${plain - half}; t += 1) {
      it(\`formats \${t}\`, () => {
        expect(format(work(t, ROUNDS) % 10)).toMatch(/^0+\\d$/);
      });
    }
  });

${each > 0 ? eachBlock(each, ts) : ''}});
${mock}`;
}

function config(environment, transform, environmentOptions) {
  const options = {
    testEnvironment: environment,
    testMatch: [transform === 'ts' ? '**/__tests__/**/*.test.ts' : '**/__tests__/**/*.test.js'],
    transformIgnorePatterns: IGNORED,
    transform:
      transform === 'ts'
        ? {'^.+\\.ts$': [require.resolve('ts-jest'), {tsconfig: {module: 'commonjs', target: 'es2022', sourceMap: true, esModuleInterop: true, isolatedModules: true}, diagnostics: false}]}
        : {'^.+\\.js$': createRequire(jestBinary()).resolve('babel-jest')}, // the babel-jest of the Jest that runs
  };
  if (environmentOptions) options.testEnvironmentOptions = environmentOptions;
  return `module.exports = ${JSON.stringify(options, null, 2)};\n`;
}

/** Writes the unit suite under `dir` (emptied first); returns its layout and the config of each environment. */
function generateUnitSuite(dir, {files, tests, transform = 'babel'}) {
  const ts = transform === 'ts';
  const ext = ts ? 'ts' : 'js';
  rmSync(dir, {recursive: true, force: true});
  mkdirSync(join(dir, '__tests__'), {recursive: true});
  writeFileSync(join(dir, '__tests__', `helper.${ext}`), ts ? helper(true) : helper(false).replace(/^export function (\w+)/gm, 'exports.$1 = function $1'));
  const width = String(files).length;
  for (let index = 0; index < files; index += 1) {
    writeFileSync(join(dir, '__tests__', `unit-${String(index).padStart(width, '0')}.test.${ext}`), testFile(index, tests, ts));
  }
  if (!ts) writeFileSync(join(dir, 'babel.config.js'), 'module.exports = {};\n');
  const configs = {
    node: join(dir, 'jest.node.config.js'),
    otel: join(dir, 'jest.otel.config.js'),
    otelUninstrumented: join(dir, 'jest.otel-uninstrumented.config.js'),
  };
  writeFileSync(configs.node, config('node', transform));
  writeFileSync(configs.otel, config(ENVIRONMENT, transform));
  writeFileSync(configs.otelUninstrumented, config(ENVIRONMENT, transform, {otel: {http: false, fetch: false}}));
  return {dir, files, tests, calls: 0, transform, totalTests: files * tests, configs};
}

module.exports = {generateUnitSuite};
