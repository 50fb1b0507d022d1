import {spawnSync} from 'node:child_process';
import {cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {REPO} from '../support/paths';

/* The check the npm scripts run first: on the pinned Node.js, or one line saying why not. */

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'otel-check-node-'));
  mkdirSync(join(root, 'scripts'));
  cpSync(join(REPO, 'scripts', 'check-node.js'), join(root, 'scripts', 'check-node.js'));
  cpSync(join(REPO, 'package.json'), join(root, 'package.json'));
});
afterEach(() => rmSync(root, {recursive: true, force: true}));

const check = () => spawnSync(process.execPath, [join(root, 'scripts', 'check-node.js')], {encoding: 'utf8'});

test('without the pinned Node.js installed, one line that says so and how to install it', () => {
  const result = check();
  expect(result.status).toBe(1);
  expect(result.stdout).toBe('');
  expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^jest-environment-otel: the pinned Node\.js \(devDependency "node" ~22\.\d+\.\d+\) is not installed, its install script did not run; this is Node\.js v\d+.*Install it with `npm rebuild node`\.$/)]);
});

test('on another Node.js than the pinned one, one line; on the pinned one, nothing', () => {
  mkdirSync(join(root, 'node_modules', '.bin'), {recursive: true});
  symlinkSync(join(root, 'elsewhere'), join(root, 'node_modules', '.bin', 'node'));
  writeFileSync(join(root, 'elsewhere'), '');
  const other = check();
  expect(other.status).toBe(1);
  expect(other.stderr).toMatch(/^jest-environment-otel: run this through npm .*node_modules\/\.bin\/node; this is Node\.js v/);

  rmSync(join(root, 'node_modules', '.bin', 'node'));
  symlinkSync(process.execPath, join(root, 'node_modules', '.bin', 'node'));
  const pinned = check();
  expect([pinned.status, pinned.stdout, pinned.stderr]).toEqual([0, '', '']);
});
