import {existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';

/*
 * The folders the processes of a run share under the OS temp folder are removed a day after their run; every process
 * of every run creates one, so they are looked over at most once an hour, not by every process.
 */

const HOUR_MS = 60 * 60 * 1000;
let temp: string;
let root: string;

beforeEach(() => {
  temp = mkdtempSync(join(tmpdir(), 'temp-folders-'));
  root = join(temp, 'jest-environment-otel');
});
afterEach(() => {
  rmSync(temp, {recursive: true, force: true});
});

/** A fresh copy of the module, as a new process has it, with the OS temp folder at `temp`. */
function freshDiag(): typeof import('../../src/shared/diag') {
  let loaded: typeof import('../../src/shared/diag') | undefined;
  jest.isolateModules(() => {
    jest.doMock('node:os', () => ({...jest.requireActual('node:os'), tmpdir: () => temp}));
    loaded = require('../../src/shared/diag');
  });
  return loaded!;
}

function folder(name: string, ageMs: number): string {
  const path = join(root, name);
  mkdirSync(path, {recursive: true});
  const time = new Date(Date.now() - ageMs);
  utimesSync(path, time, time);
  return path;
}

test('folders older than a day are removed, at most once an hour across processes', () => {
  const old = folder('old-run', 48 * HOUR_MS);
  const recent = folder('recent-run', HOUR_MS);
  expect(freshDiag().runTempFolder('current-run')).toBe(join(root, 'current-run'));
  expect(existsSync(old)).toBe(false);
  expect(existsSync(recent)).toBe(true);
  expect(existsSync(join(root, 'current-run'))).toBe(true);

  // Another process, minutes later: the folders were looked over less than an hour ago.
  const older = folder('older-run', 30 * HOUR_MS);
  freshDiag().runTempFolder('next-run');
  expect(existsSync(older)).toBe(true);

  // Two hours after the last look: looked over again.
  const stamp = join(root, '.pruned');
  const then = new Date(Date.now() - 2 * HOUR_MS);
  utimesSync(stamp, then, then);
  freshDiag().runTempFolder('later-run');
  expect(existsSync(older)).toBe(false);
  expect(existsSync(recent)).toBe(true);
  expect(existsSync(join(root, 'next-run'))).toBe(true);
});
