import {closeSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync, writeSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {claimFile} from '../../src/shared/claim-file';

/* The claim one process of many makes for a job: created only where absent; a stale one taken over once. */

let folder: string;
beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'claim-'));
});
afterEach(() => rmSync(folder, {recursive: true, force: true}));

test('the first claim is mine, the next taken; without staleMs a claim stays however old', () => {
  const path = join(folder, 'job');
  expect(claimFile(path)).toEqual({outcome: 'mine'});
  expect(existsSync(path)).toBe(true);
  expect(claimFile(path)).toEqual({outcome: 'taken'});
  utimesSync(path, new Date(0), new Date(0));
  expect(claimFile(path)).toEqual({outcome: 'taken'});
});

test('with staleMs, a fresh claim is taken and a stale one claimed again', () => {
  const path = join(folder, 'job');
  writeFileSync(path, 'left by a process that died');
  expect(claimFile(path, {staleMs: 60_000})).toEqual({outcome: 'taken'});
  utimesSync(path, new Date(Date.now() - 120_000), new Date(Date.now() - 120_000));
  const claim = claimFile(path, {staleMs: 60_000, mode: 0o600, keepOpen: true});
  expect(claim.outcome).toBe('mine');
  const fd = (claim as {fd?: number}).fd!;
  writeSync(fd, 'mine');
  closeSync(fd);
  expect(readFileSync(path, 'utf8')).toBe('mine');
  expect(statSync(path).mode & 0o777).toBe(0o600);
});

test('a claim that cannot be made (no folder) fails rather than counting as taken', () => {
  expect(claimFile(join(folder, 'missing', 'job'))).toEqual({outcome: 'failed'});
  expect(claimFile(join(folder, 'missing', 'job'), {staleMs: 1})).toEqual({outcome: 'failed'});
});
