import {DEFAULTS, parseKeyValues, resolveConfig} from '../../src/shared/config';
import {closest, readMisplaced} from '../../src/shared/options';

/*
 * resolveConfig over an explicit environment (never process.env): defaults, precedence of the OTEL_* variables over
 * the options, and the rule that any bad value gives exactly one message naming it while the default is used.
 */

const resolve = (raw: unknown, env: Record<string, string | undefined> = {}) => resolveConfig(raw, env);

describe('defaults', () => {
  test('no options and no environment give the documented defaults, without problems', () => {
    const {config, problems} = resolve(undefined);
    expect(problems).toEqual([]);
    expect(config).toMatchObject({
      enabled: true,
      serviceName: 'jest',
      exporters: ['store'],
      otlp: {url: 'http://localhost:4318/v1/traces', headers: {}, timeoutMillis: 10_000, compression: 'none'},
      storeDir: '.jest-otel',
      keepRuns: 10,
      flushTimeoutMillis: 5_000,
      console: 'events',
      consoleMaxEvents: 100,
      consoleMaxLength: 2_000,
      http: true,
      fetch: true,
      captureHeaders: {request: [], response: []},
      redactQueryParams: [],
      attributes: {},
    });
    expect(config.upstream).toBeUndefined();
  });

  test('null, {} and options set to undefined are the same as no options', () => {
    expect(resolve(null)).toEqual(resolve(undefined));
    expect(resolve({})).toEqual(resolve(undefined));
    expect(resolve({console: undefined, serviceName: undefined})).toEqual(resolve(undefined));
  });

  test('valid options are taken as given; header and query names are lower-cased', () => {
    const {config, problems} = resolve({
      serviceName: 'api',
      keepRuns: 3,
      console: false,
      consoleMaxEvents: 0,
      captureHeaders: {request: ['X-Request-Id']},
      redactQueryParams: ['Session'],
      attributes: {team: 'a', shard: 1, ci: true},
    });
    expect(problems).toEqual([]);
    expect(config).toMatchObject({serviceName: 'api', keepRuns: 3, console: false, consoleMaxEvents: 0});
    expect(config.captureHeaders).toEqual({request: ['x-request-id'], response: []});
    expect(config.redactQueryParams).toEqual(['session']);
    expect(config.attributes).toEqual({team: 'a', shard: 1, ci: true});
  });
});

describe('OTLP endpoint', () => {
  test('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT wins over OTEL_EXPORTER_OTLP_ENDPOINT and the option, and is used as is', () => {
    const {config} = resolve(
      {endpoint: 'http://option:4318/v1/traces'},
      {OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example/custom', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://base:4318'},
    );
    expect(config.otlp.url).toBe('https://traces.example/custom');
  });

  test('OTEL_EXPORTER_OTLP_ENDPOINT gets /v1/traces appended (trailing slashes dropped) and wins over the option', () => {
    expect(resolve({endpoint: 'http://option:1/v1/traces'}, {OTEL_EXPORTER_OTLP_ENDPOINT: 'http://base:4318'}).config.otlp.url).toBe('http://base:4318/v1/traces');
    expect(resolve(undefined, {OTEL_EXPORTER_OTLP_ENDPOINT: 'http://base:4318/otlp//'}).config.otlp.url).toBe('http://base:4318/otlp/v1/traces');
  });

  test('the endpoint option is used when no variable is set; blank variables count as unset', () => {
    const {config, problems} = resolve({endpoint: 'https://collector:4318/v1/traces'}, {OTEL_EXPORTER_OTLP_ENDPOINT: '  '});
    expect(problems).toEqual([]);
    expect(config.otlp.url).toBe('https://collector:4318/v1/traces');
  });

  test('a configured endpoint makes otlp the default exporter', () => {
    expect(resolve(undefined, {OTEL_EXPORTER_OTLP_ENDPOINT: 'http://base:4318'}).config.exporters).toEqual(['otlp']);
    expect(resolve({endpoint: 'http://c:4318/v1/traces'}).config.exporters).toEqual(['otlp']);
  });
});

describe('headers, timeouts, compression', () => {
  test('option headers, then OTEL_EXPORTER_OTLP_HEADERS, then OTEL_EXPORTER_OTLP_TRACES_HEADERS are merged, later wins', () => {
    const {config, problems} = resolve(
      {headers: {a: 'option', b: 'option', c: 'option'}},
      {OTEL_EXPORTER_OTLP_HEADERS: 'b=base,c=base', OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'c=traces'},
    );
    expect(problems).toEqual([]);
    expect(config.otlp.headers).toEqual({a: 'option', b: 'base', c: 'traces'});
  });

  test('timeout: TRACES variable, then the generic one, then the option, then 10000', () => {
    expect(resolve({exportTimeoutMillis: 1}, {OTEL_EXPORTER_OTLP_TIMEOUT: '2', OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '3'}).config.otlp.timeoutMillis).toBe(3);
    expect(resolve({exportTimeoutMillis: 1}, {OTEL_EXPORTER_OTLP_TIMEOUT: '2'}).config.otlp.timeoutMillis).toBe(2);
    expect(resolve({exportTimeoutMillis: 1}).config.otlp.timeoutMillis).toBe(1);
    expect(resolve({flushTimeoutMillis: 7}).config.flushTimeoutMillis).toBe(7);
  });

  test('compression from the variables, case-insensitive', () => {
    expect(resolve(undefined, {OTEL_EXPORTER_OTLP_COMPRESSION: 'GZIP'}).config.otlp.compression).toBe('gzip');
    expect(resolve(undefined, {OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip', OTEL_EXPORTER_OTLP_TRACES_COMPRESSION: 'none'}).config.otlp.compression).toBe('none');
  });
});

describe('switching tracing and exporters', () => {
  test.each([
    ['true', false],
    ['TRUE', false],
    [' true ', false],
    ['false', true],
    ['', true],
  ])('OTEL_SDK_DISABLED=%j gives enabled=%s', (value, enabled) => {
    const {config, problems} = resolve(undefined, {OTEL_SDK_DISABLED: value});
    expect(problems).toEqual([]);
    expect(config.enabled).toBe(enabled);
  });

  test('the disabled option turns tracing off', () => {
    expect(resolve({disabled: true}).config.enabled).toBe(false);
  });

  test('OTEL_TRACES_EXPORTER is a comma-separated, case-insensitive list that wins over the option; duplicates and none dropped', () => {
    const {config, problems} = resolve({exporter: 'store'}, {OTEL_TRACES_EXPORTER: 'OTLP, console ,otlp,none'});
    expect(problems).toEqual([]);
    expect(config.exporters).toEqual(['otlp', 'console']);
    expect(config.enabled).toBe(true);
  });

  test('the exporter option accepts a name or a list', () => {
    expect(resolve({exporter: 'console'}).config.exporters).toEqual(['console']);
    expect(resolve({exporter: ['store', 'otlp']}).config.exporters).toEqual(['store', 'otlp']);
  });

  test('exporter none leaves no exporter and turns tracing off', () => {
    const {config} = resolve(undefined, {OTEL_TRACES_EXPORTER: 'none'});
    expect(config.exporters).toEqual([]);
    expect(config.enabled).toBe(false);
  });

  test('environment values override serviceName and merge over resourceAttributes', () => {
    const {config} = resolve(
      {serviceName: 'option', resourceAttributes: {a: 'option', b: 2}},
      {OTEL_SERVICE_NAME: 'env', OTEL_RESOURCE_ATTRIBUTES: 'a=env,c=3'},
    );
    expect(config.serviceName).toBe('env');
    expect(config.resourceAttributes).toEqual({a: 'env', b: 2, c: '3'});
  });

  test('a valid TRACEPARENT becomes a remote upstream span, with the traceparent option as its mode (link by default)', () => {
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const {config, problems} = resolve({traceparent: 'parent'}, {TRACEPARENT: traceparent, TRACESTATE: 'vendor=x'});
    expect(problems).toEqual([]);
    expect(config.upstream?.mode).toBe('parent');
    expect(config.upstream?.spanContext).toMatchObject({traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', isRemote: true});
    expect(config.upstream?.spanContext?.traceState?.get('vendor')).toBe('x');
    expect(resolve(undefined, {TRACEPARENT: traceparent}).config.upstream?.mode).toBe('link');
  });

  test('console: true and "events" record span events, "logs" log records, false nothing', () => {
    expect([true, 'events', 'logs', false].map(console => resolve({console}).config.console)).toEqual(['events', 'events', 'logs', false]);
  });

  test('the logs URL: OTEL_EXPORTER_OTLP_LOGS_ENDPOINT as is, else /v1/logs on the base URL, else beside the traces URL', () => {
    const logsUrl = (options: Record<string, unknown> | undefined, env: Record<string, string>) => resolve(options, env).config.otlp.logsUrl;
    expect(logsUrl(undefined, {})).toBe('http://localhost:4318/v1/logs');
    expect(logsUrl(undefined, {OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/'})).toBe('http://collector:4318/v1/logs');
    expect(logsUrl(undefined, {OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: 'http://logs:9000/in', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318'})).toBe('http://logs:9000/in');
    expect(logsUrl({endpoint: 'https://otlp.example.com/v1/traces'}, {})).toBe('https://otlp.example.com/v1/logs');
    expect(logsUrl(undefined, {OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://x:1/custom/path'})).toBe('http://x:1/v1/logs');
  });

  test('BAGGAGE is read with or without TRACEPARENT; TRACESTATE alone is not a context', () => {
    const {config, problems} = resolve(undefined, {BAGGAGE: 'ci.job=unit,team=payments;owner'});
    expect(problems).toEqual([]);
    expect(config.upstream?.spanContext).toBeUndefined();
    expect(config.upstream?.baggage?.getAllEntries().map(([key, entry]) => [key, entry.value])).toEqual([['ci.job', 'unit'], ['team', 'payments']]);
    expect(resolve(undefined, {TRACESTATE: 'vendor=x'}).config.upstream).toBeUndefined();
  });

  test('a BAGGAGE with no valid entry gets one problem and is ignored', () => {
    const {config, problems} = resolve(undefined, {BAGGAGE: '=,;'});
    expect(config.upstream).toBeUndefined();
    expect(problems).toEqual(['BAGGAGE="=,;" holds no valid W3C baggage entry: expected key=value pairs separated by commas; it is ignored.']);
  });
});

describe('bad input: exactly one problem naming the culprit, and the default instead', () => {
  const defaults = resolve(undefined).config;

  test.each<[string, unknown, Record<string, string>, string, (config: typeof defaults) => unknown, unknown]>([
    ['unknown option key', {colour: true}, {}, 'testEnvironmentOptions.otel.colour', c => c.console, 'events'],
    ['options not an object', 'yes', {}, 'testEnvironmentOptions.otel', c => c.serviceName, 'jest'],
    ['boolean as a string', {console: 'false'}, {}, 'testEnvironmentOptions.otel.console', c => c.console, 'events'],
    ['blank string', {serviceName: '  '}, {}, 'testEnvironmentOptions.otel.serviceName', c => c.serviceName, 'jest'],
    ['number as a string', {keepRuns: '5'}, {}, 'testEnvironmentOptions.otel.keepRuns', c => c.keepRuns, 10],
    ['negative number', {flushTimeoutMillis: -1}, {}, 'testEnvironmentOptions.otel.flushTimeoutMillis', c => c.flushTimeoutMillis, 5_000],
    ['fractional count', {consoleMaxEvents: 1.5}, {}, 'testEnvironmentOptions.otel.consoleMaxEvents', c => c.consoleMaxEvents, 100],
    ['non-string header value', {headers: {a: 1}}, {}, 'testEnvironmentOptions.otel.headers', c => c.otlp.headers, {}],
    ['list of non-strings', {redactQueryParams: [1]}, {}, 'testEnvironmentOptions.otel.redactQueryParams', c => c.redactQueryParams, []],
    ['unknown key in captureHeaders', {captureHeaders: {both: []}}, {}, 'testEnvironmentOptions.otel.captureHeaders.both', c => c.captureHeaders, {request: [], response: []}],
    ['bad traceparent mode', {traceparent: 'child'}, {}, 'testEnvironmentOptions.otel.traceparent', c => c.upstream, undefined],
    ['unknown exporter option', {exporter: 'zipkin'}, {}, 'testEnvironmentOptions.otel.exporter', c => c.exporters, ['store']],
    ['endpoint option not a string', {endpoint: 4318}, {}, 'testEnvironmentOptions.otel.endpoint', c => c.otlp.url, DEFAULTS.endpoint],
    ['endpoint option not a URL', {endpoint: 'collector:4318'}, {}, 'testEnvironmentOptions.otel.endpoint', c => c.otlp.url, DEFAULTS.endpoint],
    ['traces endpoint not http(s)', undefined, {OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'ftp://x/'}, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', c => c.otlp.url, DEFAULTS.endpoint],
    ['base endpoint malformed', undefined, {OTEL_EXPORTER_OTLP_ENDPOINT: 'http://'}, 'OTEL_EXPORTER_OTLP_ENDPOINT', c => c.otlp.url, DEFAULTS.endpoint],
    ['header without =', undefined, {OTEL_EXPORTER_OTLP_HEADERS: 'a=1,novalue'}, 'OTEL_EXPORTER_OTLP_HEADERS', c => c.otlp.headers, {a: '1'}],
    ['header without key', undefined, {OTEL_EXPORTER_OTLP_HEADERS: '=x'}, 'OTEL_EXPORTER_OTLP_HEADERS', c => c.otlp.headers, {}],
    ['traces header bad escape', undefined, {OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'a=%zz'}, 'OTEL_EXPORTER_OTLP_TRACES_HEADERS', c => c.otlp.headers, {}],
    ['bad resource attributes', undefined, {OTEL_RESOURCE_ATTRIBUTES: 'novalue'}, 'OTEL_RESOURCE_ATTRIBUTES', c => c.resourceAttributes, {}],
    ['non-numeric timeout', undefined, {OTEL_EXPORTER_OTLP_TIMEOUT: '10s'}, 'OTEL_EXPORTER_OTLP_TIMEOUT', c => c.otlp.timeoutMillis, 10_000],
    ['zero traces timeout', undefined, {OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '0'}, 'OTEL_EXPORTER_OTLP_TRACES_TIMEOUT', c => c.otlp.timeoutMillis, 10_000],
    ['bad OTEL_SDK_DISABLED', undefined, {OTEL_SDK_DISABLED: 'yes'}, 'OTEL_SDK_DISABLED', c => c.enabled, true],
    ['unknown exporter variable', undefined, {OTEL_TRACES_EXPORTER: 'otlp,jaeger'}, 'OTEL_TRACES_EXPORTER', c => c.exporters, ['store']],
    ['bad compression', undefined, {OTEL_EXPORTER_OTLP_COMPRESSION: 'br'}, 'OTEL_EXPORTER_OTLP_COMPRESSION', c => c.otlp.compression, 'none'],
    ['bad traceparent', undefined, {TRACEPARENT: '00-abc-def-01'}, 'TRACEPARENT', c => c.upstream, undefined],
  ])('%s', (_, raw, env, culprit, read, expected) => {
    const {config, problems} = resolve(raw, env);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(culprit);
    expect(read(config)).toEqual(expected);
  });

  test('one bad option does not discard the good ones next to it', () => {
    const {config, problems} = resolve({serviceName: 'kept', keepRuns: 'many', http: false});
    expect(problems).toHaveLength(1);
    expect(config).toMatchObject({serviceName: 'kept', keepRuns: 10, http: false});
  });

  test('an unsupported protocol is reported but changes nothing', () => {
    const {config, problems} = resolve(undefined, {OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc'});
    expect(problems).toEqual([expect.stringContaining('OTEL_EXPORTER_OTLP_PROTOCOL="grpc"')]);
    expect(config.otlp).toEqual(defaults.otlp);
  });
});

describe('parseKeyValues', () => {
  test('splits pairs, trims around keys and values, skips empty parts and keeps = inside values', () => {
    const problems: string[] = [];
    expect(parseKeyValues(' a = 1 ,, b=x=y ,c=', 'X', problems)).toEqual({a: '1', b: 'x=y', c: ''});
    expect(problems).toEqual([]);
  });

  test('percent-decodes keys and values', () => {
    const problems: string[] = [];
    expect(parseKeyValues('my%20key=hello%2C%20world,auth=Bearer%20abc%3D%3D', 'X', problems)).toEqual({
      'my key': 'hello, world',
      auth: 'Bearer abc==',
    });
    expect(problems).toEqual([]);
  });

  test.each<[string, Record<string, string>]>([
    ['novalue', {}],
    ['=x', {}],
    ['a=1, =2', {a: '1'}],
    ['a=%E0%A4%A,b=2', {b: '2'}],
  ])('%j: the malformed entry is skipped with one message naming the variable, the others are kept', (value, kept) => {
    const problems: string[] = [];
    expect(parseKeyValues(value, 'MY_VAR', problems)).toEqual(kept);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('MY_VAR');
  });

  test('a malformed header entry keeps the valid headers and is named by position, not by its text', () => {
    const {config, problems} = resolve(undefined, {OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=abc,secret-token-typed-without-equals'});
    expect(config.otlp.headers).toEqual({'x-api-key': 'abc'});
    expect(problems).toEqual(['OTEL_EXPORTER_OTLP_HEADERS is not valid: entry 2 of 2 is not a key=value pair; it is skipped, the other entries are used.']);
  });

  test('resource attribute entries are named by their text', () => {
    const {config, problems} = resolve(undefined, {OTEL_RESOURCE_ATTRIBUTES: 'team=payments,orphan'});
    expect(config.resourceAttributes).toEqual({team: 'payments'});
    expect(problems).toEqual([expect.stringContaining('entry "orphan" is not a key=value pair')]);
  });
});

describe('reports that name what is really used', () => {
  test('a bad OTEL_SDK_DISABLED is reported even when the disabled option already turns tracing off', () => {
    const {config, problems} = resolve({disabled: true}, {OTEL_SDK_DISABLED: 'yes'});
    expect(config.enabled).toBe(false);
    expect(problems).toEqual([expect.stringContaining('OTEL_SDK_DISABLED="yes" is not valid')]);
  });

  test('a bad OTEL_TRACES_EXPORTER falls back to the exporter option, and says so', () => {
    const {config, problems} = resolve({exporter: 'console'}, {OTEL_TRACES_EXPORTER: 'bogus'});
    expect(config.exporters).toEqual(['console']);
    expect(problems).toEqual([expect.stringContaining('using "console"')]);
  });

  test('an invalid endpoint is ignored: it does not make otlp the default, and the next source is used', () => {
    const invalid = resolve({}, {OTEL_EXPORTER_OTLP_ENDPOINT: 'localhost:4318'});
    expect(invalid.config.exporters).toEqual(['store']);
    expect(invalid.problems).toEqual([expect.stringContaining('OTEL_EXPORTER_OTLP_ENDPOINT="localhost:4318" is not valid')]);
    const fallback = resolve({endpoint: 'http://collector.test:4318/v1/traces'}, {OTEL_EXPORTER_OTLP_ENDPOINT: 'nope'});
    expect(fallback.config.otlp.url).toBe('http://collector.test:4318/v1/traces');
  });

  test('empty entries in OTEL_TRACES_EXPORTER are skipped; keepRuns must be a whole number', () => {
    expect(resolve({}, {OTEL_TRACES_EXPORTER: 'otlp,'}).config.exporters).toEqual(['otlp']);
    const {config, problems} = resolve({keepRuns: 2.5});
    expect(config.keepRuns).toBe(DEFAULTS.keepRuns);
    expect(problems).toEqual([expect.stringContaining('testEnvironmentOptions.otel.keepRuns must be a whole number ≥ 1')]);
  });
});

describe('options in the wrong place or misspelt', () => {
  test('an unknown name close to an option suggests it: a typo, a swap, another case', () => {
    expect(resolve({sericeName: 'x'}).problems).toEqual(['testEnvironmentOptions.otel.sericeName is not an option — did you mean serviceName? It is ignored.']);
    expect(closest('exproter', ['serviceName', 'exporter', 'endpoint'])).toBe('exporter');
    expect(closest('STOREDIR', ['storeDir', 'keepRuns'])).toBe('storeDir');
    expect(resolve({captureHeaders: {requests: []}}).problems).toEqual([expect.stringContaining('captureHeaders.requests is not an option — did you mean request?')]);
  });

  test('an unknown name close to none lists the options instead', () => {
    expect(closest('colour', ['console', 'serviceName'])).toBeUndefined();
    expect(resolve({verbose: true}).problems).toEqual([expect.stringContaining('testEnvironmentOptions.otel.verbose is not an option; expected one of: baseEnvironment, disabled, serviceName')]);
  });

  test('our option names next to otel instead of inside it: one message naming them and where they belong', () => {
    const problems: string[] = [];
    readMisplaced({serviceName: 'x', exporter: 'none', url: 'http://localhost/', otel: {}}, problems);
    expect(problems).toEqual([
      'testEnvironmentOptions.serviceName, testEnvironmentOptions.exporter are ignored: options of jest-environment-otel belong under testEnvironmentOptions.otel, as in testEnvironmentOptions: {otel: {serviceName, exporter}}.',
    ]);
  });

  test('names other environments use (jsdom\'s url, a shared name such as console) are not ours to claim', () => {
    const problems: string[] = [];
    readMisplaced({url: 'http://localhost/', customExportConditions: ['node'], console: false, otel: {serviceName: 'x'}}, problems);
    readMisplaced(undefined, problems);
    expect(problems).toEqual([]);
  });
});
