import {execFileSync, spawnSync} from 'node:child_process';
import {cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {dirname, join} from 'node:path';
import {OtlpReceiver} from '../support/otlp-receiver';
import {REPO, WORK} from '../support/paths';
import {outcomes, runJest} from '../support/run-jest';
import {childrenOf, onlySpan, testSpans} from '../support/spans';

/*
 * The package as `npm pack` and `npm publish` make it from a fresh clone: the sources git knows of, no build/, the
 * dependencies already installed (this repository's node_modules, linked: no network). The pack must build it.
 */

interface PackedFile {
  path: string;
  mode: number;
}

let clone: string;
let receiver: OtlpReceiver;

beforeAll(() => {
  clone = mkdtempSync(join(tmpdir(), 'jest-otel-clone-'));
  const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {cwd: REPO, encoding: 'utf8'});
  for (const file of listed.split('\0').filter(Boolean)) {
    if (!existsSync(join(REPO, file))) continue; // deleted in the working tree, not yet in a commit
    mkdirSync(dirname(join(clone, file)), {recursive: true});
    cpSync(join(REPO, file), join(clone, file));
  }
  symlinkSync(join(REPO, 'node_modules'), join(clone, 'node_modules'));
});
afterAll(() => rmSync(clone, {recursive: true, force: true}));
beforeEach(async () => {
  receiver = await new OtlpReceiver().start();
});
afterEach(() => receiver.stop());

test('npm pack on a fresh clone builds the package, and a project that installs the tarball is traced', async () => {
  expect(existsSync(join(clone, 'build'))).toBe(false);
  const [packed] = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--pack-destination', clone], {cwd: clone, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']}),
  ) as Array<{filename: string; files: PackedFile[]}>;
  const modes = new Map(packed.files.map(file => [file.path, file.mode]));
  for (const file of ['build/index.js', 'build/index.d.ts', 'build/reporter.js', 'build/jsdom.js', 'build/runner.js', 'build/package.js', 'build/load-bundle.js', 'build/cli.js', 'build/expect.js', 'build/expect.d.ts', 'build/trace-assertions/types.d.ts', 'globals.d.ts']) {
    expect(modes.has(file)).toBe(true);
  }
  expect(modes.get('build/cli.js')! & 0o111).toBe(0o111);

  // `npx jest-otel` in a checkout runs build/cli.js itself: the build leaves it executable.
  expect(statSync(join(clone, 'build', 'cli.js')).mode & 0o111).toBe(0o111);
  const cli = spawnSync(join(clone, 'build', 'cli.js'), ['--help'], {encoding: 'utf8'});
  expect(cli.status).toBe(0);
  expect(cli.stdout).toContain('Usage: jest-otel <command>');

  const installed = join(WORK, 'clean-install', 'node_modules', 'jest-environment-otel');
  mkdirSync(installed, {recursive: true});
  execFileSync('tar', ['-xzf', join(clone, packed.filename), '-C', installed, '--strip-components=1']);
  const run = await runJest('clean-install', {env: {OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url}});
  expect(outcomes(run.results)).toEqual({'installed.test.js › traced by the package as npm packs it': 'passed'});
  const span = onlySpan(testSpans(receiver.spans), 'traced by the package as npm packs it');
  expect(childrenOf(receiver.spans, span).map(child => child.name)).toEqual(['from the installed package']);
});
