import {mkdtempSync, rmSync, statSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {makeDirectory} from '../../src/shared/make-directory';

let root: string;
beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'otel-mkdir-'))));
afterEach(() => rmSync(root, {recursive: true, force: true}));

test('creates every missing level, and is quiet when the folder is already there', () => {
  const folder = join(root, 'a', 'b', 'c');
  makeDirectory(folder);
  makeDirectory(folder);
  expect(statSync(folder).isDirectory()).toBe(true);
});

test('under a regular file: fails at once, naming the file', () => {
  writeFileSync(join(root, 'file'), '');
  expect(() => makeDirectory(join(root, 'file', 'x', 'y'))).toThrow(`cannot create ${join(root, 'file', 'x', 'y')}: ${join(root, 'file')} is a file, not a folder`);
  expect(() => makeDirectory(join(root, 'file'))).toThrow(`${join(root, 'file')} is a file, not a folder`);
});

// Node's own recursive mkdir never returns here (the test would time out).
test('under /proc: fails at once with the level that could not be made', () => {
  const started = Date.now();
  expect(() => makeDirectory('/proc/jest-otel-test/store/runs')).toThrow("cannot create /proc/jest-otel-test/store/runs: ENOENT: no such file or directory, mkdir '/proc/jest-otel-test'");
  expect(Date.now() - started).toBeLessThan(1_000);
});
