import {spawnSync} from 'node:child_process';
import {cpSync, existsSync, mkdirSync, readdirSync, rmSync, symlinkSync} from 'node:fs';
import {join} from 'node:path';
import {REPO, WORK} from '../support/paths';

// The demo runs on a copy of example/, so that the test run leaves the user's own `npm run demo` output alone.
const DEMO = join(WORK, 'demo');
const OWN_STORE = join(REPO, 'example', '.jest-otel', 'runs');

function runsIn(folder: string): string[] {
  return existsSync(folder) ? readdirSync(folder).sort() : [];
}

beforeAll(() => {
  rmSync(DEMO, {recursive: true, force: true});
  mkdirSync(DEMO, {recursive: true});
  cpSync(join(REPO, 'example'), join(DEMO, 'example'), {recursive: true, filter: source => !source.includes('.jest-otel')});
  symlinkSync(join(REPO, 'build'), join(DEMO, 'build'));
  symlinkSync(join(REPO, 'node_modules'), join(DEMO, 'node_modules'));
});

test('npm run demo traces the example suite, shows the 429 that failed a test, and says where to look', () => {
  const ownRuns = runsIn(OWN_STORE);
  const demo = spawnSync(process.execPath, [join(DEMO, 'example', 'run-demo.js')], {
    cwd: DEMO,
    encoding: 'utf8',
    env: {...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: '', OTEL_TRACES_EXPORTER: '', NO_COLOR: '1', JEST_OTEL_RECEIVER_PORT: '0'},
  });
  expect(demo.status).toBe(0);
  expect(demo.stdout).toMatch(/Traced 6 tests in \d+ spans\./);
  expect(demo.stdout).toMatch(/Traces of this run: example\/\.jest-otel\/runs\/[0-9a-f]{16}\/ /);
  expect(demo.stdout).toContain('Timeline of this run: example/.jest-otel/report.html');
  expect(existsSync(join(DEMO, 'example', '.jest-otel', 'report.html'))).toBe(true);
  // The reporter's terminal summary, after Jest's own.
  expect(demo.stderr).toContain('insights loads the monthly trend');
  expect(demo.stderr).toMatch(/└ ✗ GET \/insights\?period=month → 429 \(\d+ ms, 127\.0\.0\.1:\d+\)/);
  // The checkout's own demo output is untouched.
  expect(runsIn(OWN_STORE)).toEqual(ownRuns);
});
