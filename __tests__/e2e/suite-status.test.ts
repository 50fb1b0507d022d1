import {OtlpReceiver} from '../support/otlp-receiver';
import {runJest} from '../support/run-jest';
import {onlySpan} from '../support/spans';

/* `test.suite.run.status` on real runs: each value the conventions define that Jest can give. */

let receiver: OtlpReceiver;
beforeAll(async () => {
  receiver = await new OtlpReceiver().start();
  await runJest('suite-status', {args: ['--runInBand'], env: {OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url}});
});
afterAll(() => receiver.stop());

test.each([
  ['timeout.test.js', 'timed_out'],
  ['mixed.test.js', 'failure'],
  ['skipped.test.js', 'skipped'],
])('%s: %s', (file, status) => {
  expect(onlySpan(receiver.spans, file).attributes['test.suite.run.status']).toBe(status);
});
