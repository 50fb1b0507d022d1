import {spawnSync} from 'node:child_process';
import {join} from 'node:path';
import {REPO} from '../support/paths';

test('npm run demo traces the example suite into the local store and shows the 429 that failed a test', () => {
  const demo = spawnSync(process.execPath, [join(REPO, 'example', 'run-demo.js')], {
    cwd: REPO,
    encoding: 'utf8',
    env: {...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: '', OTEL_TRACES_EXPORTER: '', NO_COLOR: '1'},
  });
  expect(demo.status).toBe(0);
  expect(demo.stdout).toMatch(/Traced 6 tests in \d+ spans\./);
  expect(demo.stdout).toMatch(/Traces of this run: example\/\.jest-otel\/runs\/[0-9a-f]{16}\/ /);
  expect(demo.stdout).toContain('✗ insights loads the monthly trend');
  expect(demo.stdout).toMatch(/└ GET http:\/\/127\.0\.0\.1:\d+\/insights\?period=month → 429 \(\d+ ms\)/);
});
