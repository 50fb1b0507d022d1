import {OtlpReceiver, type ReceivedSpan} from '../support/otlp-receiver';
import {RedisServer} from '../support/redis';
import {outcomes, runJest, type JestRun} from '../support/run-jest';
import {descendantsOf, onlySpan, testSpans} from '../support/spans';

/*
 * Instrumentations listed in testEnvironmentOptions patch the modules that test files load through Jest's registry
 * (express, redis), in CommonJS and ESM test files, against real servers on 127.0.0.1.
 */

describe.each([['--runInBand'], ['--maxWorkers=2']])('library instrumentations inside the sandbox (%s)', mode => {
  const receiver = new OtlpReceiver();
  const redis = new RedisServer();
  let run: JestRun;
  let spans: ReceivedSpan[];

  beforeAll(async () => {
    await Promise.all([receiver.start(), redis.start()]);
    run = await runJest('libraries', {
      args: [mode],
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        REDIS_PORT: String(redis.port),
        NODE_OPTIONS: '--experimental-vm-modules --no-warnings',
      },
    });
    spans = receiver.spans;
  });
  afterAll(() => Promise.all([receiver.stop(), redis.stop()]));

  test('every test passes and nothing is reported', () => {
    expect(outcomes(run.results)).toEqual({
      'esm-express.test.mjs › an ESM test file calls an express app': 'passed',
      'express.test.js › calls an express app started by the test': 'passed',
      'redis.test.js › talks to a real redis-server': 'passed',
    });
    expect(run.stderr).not.toContain('[jest-environment-otel]');
  });

  test.each([
    ['calls an express app started by the test', '/orders/:id'],
    ['an ESM test file calls an express app', '/ping'],
  ])('express spans of "%s" sit under the test span', (name, route) => {
    const below = descendantsOf(spans, onlySpan(testSpans(spans), name));
    const express = below.filter(span => span.scope === '@opentelemetry/instrumentation-express');
    expect(express.length).toBeGreaterThan(0);
    expect(express.map(span => span.attributes['http.route'])).toContain(route);
    expect(below.map(span => span.kind)).toEqual(expect.arrayContaining(['CLIENT', 'SERVER']));
  });

  test('redis commands sit under the test span', () => {
    const below = descendantsOf(spans, onlySpan(testSpans(spans), 'talks to a real redis-server'));
    const redisSpans = below.filter(span => span.scope === '@opentelemetry/instrumentation-redis');
    const commands = redisSpans.map(span => String(span.attributes['db.operation.name'] ?? span.attributes['db.operation'] ?? span.name));
    expect(commands).toEqual(expect.arrayContaining([expect.stringMatching(/SET/i), expect.stringMatching(/GET/i)]));
  });
});
