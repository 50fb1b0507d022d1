import {OtlpReceiver} from '../support/otlp-receiver';
import {outcomes, ourWarnings, runJest} from '../support/run-jest';
import {childrenOf, onlySpan, testSpans} from '../support/spans';

/*
 * OpenTelemetry's http instrumentation patches `http` through a hook on Node's `require`, which would then resolve
 * every later module the worker loads (Jest's, a transformer's) once more. The environment takes the hook out once
 * `http` and `https` are patched: the worker's `require` is Node's own again, and servers that tests start are still
 * traced, in every file of the worker.
 */
describe.each([['--runInBand'], ['--maxWorkers=2']])('the require hook (%s)', mode => {
  const receiver = new OtlpReceiver();
  afterAll(() => receiver.stop());

  test('is taken out once http is patched, and servers started by tests are still traced', async () => {
    await receiver.start();
    const run = await runJest('require-hook', {args: [mode], env: {OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url}});
    expect(outcomes(run.results)).toEqual({
      'second.test.js › a second file in the same worker': 'passed',
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
