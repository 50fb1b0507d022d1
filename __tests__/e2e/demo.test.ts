import {spawnSync} from 'node:child_process';
import {existsSync} from 'node:fs';
import {join} from 'node:path';
import {REPO} from '../support/paths';

test('npm run demo traces the example suite, shows the 429 that failed a test, and says where to look', () => {
  const demo = spawnSync(process.execPath, [join(REPO, 'example', 'run-demo.js')], {
    cwd: REPO,
    encoding: 'utf8',
    env: {...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: '', OTEL_TRACES_EXPORTER: '', NO_COLOR: '1'},
  });
  expect(demo.status).toBe(0);
  expect(demo.stdout).toMatch(/Traced 6 tests in \d+ spans\./);
  expect(demo.stdout).toMatch(/Traces of this run: example\/\.jest-otel\/runs\/[0-9a-f]{16}\/ /);
  expect(demo.stdout).toContain('Timeline of this run: example/.jest-otel/report.html');
  expect(existsSync(join(REPO, 'example', '.jest-otel', 'report.html'))).toBe(true);
  // The reporter's terminal summary, after Jest's own.
  expect(demo.stderr).toContain('insights loads the monthly trend');
  expect(demo.stderr).toMatch(/└ ✗ GET \/insights\?period=month → 429 \(\d+ ms, 127\.0\.0\.1:\d+\)/);
});
