import {readFileSync, rmSync} from 'node:fs';
import {join} from 'node:path';
import {OtlpReceiver} from '../support/otlp-receiver';
import {WORK} from '../support/paths';
import {ourWarnings, runJest} from '../support/run-jest';

interface UserSpan {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  attributes: Record<string, unknown>;
}

test.each([['--runInBand'], ['--maxWorkers=2']])(
  'beside an SDK the user already started (%s): test spans go through it, and no second pipeline starts',
  async mode => {
    const receiver = await new OtlpReceiver().start();
    const spansFile = join(WORK, `user-spans-${mode.replace(/\W/g, '')}.jsonl`);
    rmSync(spansFile, {force: true});
    try {
      const run = await runJest('preregistered', {
        args: [mode],
        env: {
          NODE_OPTIONS: `--require ${join(WORK, 'preregistered', 'user-sdk.js')}`,
          USER_SPANS_FILE: spansFile,
          OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        },
      });
      expect(run.results.numPassedTests).toBe(2);
      const spans = readFileSync(spansFile, 'utf8').trim().split('\n').map(line => JSON.parse(line) as UserSpan);
      const test = spans.find(span => span.name === 'sees its span through the user SDK')!;
      expect(test.attributes['test.case.name']).toBe('sees its span through the user SDK');
      expect(test.attributes['seen.active.span']).toBe(test.spanId);
      const step = spans.find(span => span.name === 'user step')!;
      expect([step.traceId, step.parentSpanId]).toEqual([test.traceId, test.spanId]);
      expect(receiver.requests).toHaveLength(0);
      expect(spans.filter(span => span.attributes['jest.test.status'] === 'pass')).toHaveLength(2);
      // Said once per run, however many workers adopt the user's provider.
      const pids = new Set(spans.filter(span => span.attributes['jest.worker.id']).map(span => span.attributes['jest.worker.id']));
      expect(ourWarnings(run)).toEqual([
        '[jest-environment-otel] an OpenTelemetry tracer provider was already registered in this process: test spans go through it (its exporters and instrumentations); this environment starts no exporter of its own.',
      ]);
      // Nor does it claim the traces went to its own store or endpoint.
      expect(run.stderr).not.toContain('jest-environment-otel: traces of this run');
      if (mode === '--maxWorkers=2') expect(pids.size).toBe(2);
    } finally {
      await receiver.stop();
    }
  },
);
