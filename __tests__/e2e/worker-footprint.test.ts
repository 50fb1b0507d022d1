import {OtlpReceiver} from '../support/otlp-receiver';
import {outcomes, ourWarnings, runJest} from '../support/run-jest';
import {childrenOf, onlySpan, testSpans} from '../support/spans';

/*
 * What the tracing leaves in a worker that costs every test file. OpenTelemetry's http instrumentation patches `http`
 * through a hook on Node's `require`, which would then resolve every later module the worker loads (Jest's, a
 * transformer's) once more: the environment takes the hook out once `http` and `https` are patched, so the worker's
 * `require` is Node's own again, and servers that tests start are still traced, in every file of the worker. And the
 * frames of ours in a test's stack, which Jest's source-map support reads once per test file whenever it maps a
 * stack, are in a small file of their own, not in the bundle.
 */
describe.each([['--runInBand'], ['--maxWorkers=2']])('the worker (%s)', mode => {
  const receiver = new OtlpReceiver();
  afterAll(() => receiver.stop());

  test('keeps Node’s require once http is patched, traces servers started by tests, and runs tests from a small file', async () => {
    await receiver.start();
    const run = await runJest('worker-footprint', {args: [mode], env: {OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url}});
    expect(outcomes(run.results)).toEqual({
      'second.test.js › a second file in the same worker': 'passed',
      'second.test.js › the frames of ours in a test’s stack are from a small file, not the bundle': 'passed',
      'server.test.js › a server started by the test is traced, with Node’s own require in the worker': 'passed',
    });
    expect(ourWarnings(run)).toEqual([]);
    const traced = onlySpan(testSpans(receiver.spans), 'a server started by the test is traced, with Node’s own require in the worker');
    const [client] = childrenOf(receiver.spans, traced);
    expect(client).toMatchObject({kind: 'CLIENT', name: 'GET'});
    const [server] = childrenOf(receiver.spans, client);
    expect(server).toMatchObject({kind: 'SERVER', traceId: traced.traceId});
    expect(server.attributes['url.path']).toBe('/served');
  });
});
