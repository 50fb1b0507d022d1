#!/usr/bin/env node
/*
 * The compatibility matrix: the end-to-end suites that matter most (core, compat, TypeScript), run with other
 * Jest and Node.js versions than the repository's own (Jest 30 on Node 22, covered by `npm test`).
 * Each toolchain is installed from the npm registry into .matrix/<name> (git-ignored) and reused between runs.
 *
 *   node scripts/matrix.js            all combinations
 *   node scripts/matrix.js jest29     only the combinations whose name contains "jest29"
 */
const {spawnSync} = require('node:child_process');
const {existsSync, mkdirSync, writeFileSync} = require('node:fs');
const {join} = require('node:path');

const root = join(__dirname, '..');
const matrixDir = join(root, '.matrix');
const TOOLCHAINS = {
  jest29: ['jest@29'],
  node24: ['node@24'],
  node26: ['node@26'],
};
const COMBINATIONS = [
  {name: 'jest29-node22', jest: 'jest29', node: undefined},
  {name: 'jest30-node24', jest: undefined, node: 'node24'},
  {name: 'jest30-node26', jest: undefined, node: 'node26'},
  {name: 'jest29-node24', jest: 'jest29', node: 'node24'},
];
const SUITES = ['__tests__/e2e/core.test.ts', '__tests__/e2e/stacks.test.ts', '__tests__/e2e/compat.test.ts', '__tests__/e2e/typescript.test.ts', '__tests__/e2e/payloads.test.ts', '__tests__/e2e/storages.test.ts', '__tests__/e2e/locations.test.ts', '__tests__/e2e/worker-footprint.test.ts'];

function install(name) {
  const dir = join(matrixDir, name);
  const marker = join(dir, '.installed');
  if (existsSync(marker)) return dir;
  mkdirSync(dir, {recursive: true});
  // The node package's install script is what puts that Node.js there: allowed, so that an npm which runs only the
  // install scripts a project allows still runs it.
  writeFileSync(join(dir, 'package.json'), JSON.stringify({name: `matrix-${name}`, private: true, allowScripts: {node: true}}));
  const result = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock', ...TOOLCHAINS[name]], {cwd: dir, stdio: 'inherit'});
  if (result.status !== 0) throw new Error(`installing ${TOOLCHAINS[name].join(' ')} failed`);
  writeFileSync(marker, '');
  return dir;
}

const filter = process.argv[2];
const failures = [];
for (const combination of COMBINATIONS.filter(item => !filter || item.name.includes(filter))) {
  const env = {...process.env};
  if (combination.jest) env.E2E_JEST_BIN = join(install(combination.jest), 'node_modules', 'jest', 'bin', 'jest.js');
  if (combination.node) env.E2E_NODE = join(install(combination.node), 'node_modules', '.bin', 'node');
  const version = spawnSync(env.E2E_NODE ?? process.execPath, ['--version'], {encoding: 'utf8'}).stdout.trim();
  console.log(`\n== ${combination.name} (node ${version}) ==`);
  const result = spawnSync(process.execPath, [join(root, 'node_modules', 'jest', 'bin', 'jest.js'), ...SUITES], {cwd: root, env, stdio: 'inherit'});
  if (result.status !== 0) failures.push(combination.name);
}
if (failures.length > 0) {
  console.error(`\nCompatibility matrix failed for: ${failures.join(', ')}`);
  process.exit(1);
}
console.log('\nCompatibility matrix: all combinations passed.');
