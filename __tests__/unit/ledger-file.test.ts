import {existsSync, readFileSync, rmSync} from 'node:fs';
import {join} from 'node:path';
import {LedgerFile, type LedgerCounts} from '../../src/pipeline/ledger-file';
import {runTempPath} from '../../src/shared/diag';

const RUN = `unit-ledger-file-${process.pid}`;
const file = join(runTempPath(RUN), `ledger-${process.pid}.json`);

afterAll(() => rmSync(runTempPath(RUN), {recursive: true, force: true}));

const counts = (ended: number, lastError: string): LedgerCounts => ({ended, destinations: [{target: 'http://127.0.0.1:1/v1/traces', delivered: 0, refused: ended, lastError}]});

test('each save leaves the latest counts, also after longer ones', () => {
  const ledger = new LedgerFile(RUN);
  ledger.save(counts(3, 'connect ECONNREFUSED 127.0.0.1:1 — a long reason, with ünicode'));
  ledger.save(counts(4, 'short'));
  expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(counts(4, 'short'));
  ledger.save(counts(12, 'a reason longer than every one before it, so the file grows'));
  expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(counts(12, 'a reason longer than every one before it, so the file grows'));
  ledger.remove();
  expect(existsSync(file)).toBe(false);
});

test('counts that did not change since the last save are not written again', () => {
  const ledger = new LedgerFile(RUN);
  ledger.save(counts(1, 'x'));
  rmSync(file);
  ledger.save(counts(1, 'x'));
  expect(existsSync(file)).toBe(false);
  ledger.remove();
  // Once removed (the losses were said), a later change is kept again.
  ledger.save(counts(2, 'x'));
  expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(counts(2, 'x'));
  ledger.remove();
});
