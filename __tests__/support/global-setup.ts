import {execFileSync} from 'node:child_process';
import {cpSync, mkdirSync, readdirSync, rmSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {FIXTURES, REPO, WORK} from './paths';

/*
 * Once per test run: build the package, pack it as npm would publish it, and install the tarball next to copies of
 * the fixture projects, so that every end-to-end test runs Jest against the package a user would get. Its
 * dependencies resolve from this repository's node_modules, one level up: no network, no second install.
 */
export default function globalSetup(): void {
  rmSync(WORK, {recursive: true, force: true});
  mkdirSync(WORK, {recursive: true});
  // A package boundary: without it, `jest-environment-otel` inside this folder would resolve to the repository itself
  // (a package may import itself by name), not to the packed copy.
  writeFileSync(join(WORK, 'package.json'), JSON.stringify({name: 'fixture-projects', private: true}));
  execFileSync(process.execPath, [join(REPO, 'scripts', 'build.js')], {cwd: REPO, stdio: 'inherit'});
  // Built just above: without its scripts, the pack does not build a second time (its `prepare` is tested on a clean
  // copy of the sources, in __tests__/e2e/package.test.ts).
  const packed = execFileSync('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', WORK], {cwd: REPO, encoding: 'utf8'}).trim().split('\n').pop()!;
  const target = join(WORK, 'node_modules', 'jest-environment-otel');
  mkdirSync(target, {recursive: true});
  execFileSync('tar', ['-xzf', join(WORK, packed), '-C', target, '--strip-components=1']);
  for (const fixture of readdirSync(FIXTURES)) cpSync(join(FIXTURES, fixture), join(WORK, fixture), {recursive: true});
}
