import {warnOnce} from './diag';
import {OPTION_PREFIX, isPlainObject, parseExporters, readMisplaced, readOptions, type ExporterName, type InstrumentationSpec, type OtelEnvironmentOptions, type Problems} from './options';
import {readUpstream, type Upstream} from './upstream';

export type {ExporterName, InstrumentationSpec, OtelEnvironmentOptions} from './options';

export interface OtlpTarget {
  url: string;
  /** Where log records go (console output with `console: 'logs'`). */
  logsUrl: string;
  headers: Record<string, string>;
  timeoutMillis: number;
  compression: 'gzip' | 'none';
}

/** Options after defaults, environment variables and validation. */
export interface ResolvedConfig {
  enabled: boolean;
  /** As configured: resolved against rootDir by the environment. */
  baseEnvironment?: string;
  serviceName: string;
  resourceAttributes: Record<string, string | number | boolean>;
  /** Where spans go; empty when tracing is off. */
  exporters: Array<Exclude<ExporterName, 'none'>>;
  otlp: OtlpTarget;
  /** As configured: relative paths are resolved against rootDir. */
  storeDir: string;
  keepRuns: number;
  flushTimeoutMillis: number;
  /** How console output is recorded; false when it is not. */
  console: false | 'events' | 'logs';
  consoleMaxEvents: number;
  consoleMaxLength: number;
  http: boolean;
  fetch: boolean;
  captureHeaders: {request: string[]; response: string[]};
  redactQueryParams: string[];
  redactHeaders: string[];
  attributes: Record<string, string | number | boolean>;
  instrumentations: InstrumentationSpec[];
  instrumentationSetup?: string;
  /** Bytes of each body recorded; undefined when payload capture is off. */
  payloadLimit?: number;
  /** The context of TRACEPARENT / TRACESTATE / BAGGAGE, and how to relate to its span. */
  upstream?: Upstream;
  /** The waits of the trace assertions. */
  traceAssertions: {timeoutMillis: number; quietMillis: number};
}

export const DEFAULTS = {
  serviceName: 'jest',
  storeDir: '.jest-otel',
  keepRuns: 10,
  endpoint: 'http://localhost:4318/v1/traces',
  exportTimeoutMillis: 10_000,
  flushTimeoutMillis: 5_000,
  console: 'events',
  consoleMaxEvents: 100,
  consoleMaxLength: 2_000,
  http: true,
  fetch: true,
  payloadBytes: 4_096,
  traceparent: 'link',
  traceTimeoutMillis: 3_000,
  traceQuietMillis: 300,
} as const;

type Env = Record<string, string | undefined>;


/**
 * Reads options and environment variables into one resolved config. Never throws: every invalid value becomes one
 * message naming the option and what was expected, and the default is used instead.
 */
export function resolveConfig(raw: unknown, env: Env = process.env): {config: ResolvedConfig; problems: Problems} {
  const problems: Problems = [];
  const options = readOptions(raw, problems);
  const otlp = resolveOtlp(options, env, problems);
  const fallback = options.exporter ?? (otlp.configured ? ['otlp'] : ['store']);
  const chosen =
    pick(env, 'OTEL_TRACES_EXPORTER', value => parseExporters(value.split(','), 'OTEL_TRACES_EXPORTER', problems, toList(fallback))) ?? fallback;
  const sdkDisabled = parseSdkDisabled(env, problems);
  const exporters = [...new Set(toList(chosen))].filter((name): name is Exclude<ExporterName, 'none'> => name !== 'none');
  const config: ResolvedConfig = {
    enabled: !(options.disabled ?? false) && !sdkDisabled && exporters.length > 0,
    baseEnvironment: options.baseEnvironment?.trim(),
    serviceName: nonEmpty(env.OTEL_SERVICE_NAME) ?? options.serviceName ?? DEFAULTS.serviceName,
    resourceAttributes: {
      ...options.resourceAttributes,
      ...pick(env, 'OTEL_RESOURCE_ATTRIBUTES', value => parseKeyValues(value, 'OTEL_RESOURCE_ATTRIBUTES', problems)),
    },
    exporters,
    otlp: otlp.target,
    storeDir: options.storeDir ?? DEFAULTS.storeDir,
    keepRuns: options.keepRuns ?? DEFAULTS.keepRuns,
    flushTimeoutMillis: options.flushTimeoutMillis ?? DEFAULTS.flushTimeoutMillis,
    console: options.console === true || options.console === undefined ? DEFAULTS.console : options.console,
    consoleMaxEvents: options.consoleMaxEvents ?? DEFAULTS.consoleMaxEvents,
    consoleMaxLength: options.consoleMaxLength ?? DEFAULTS.consoleMaxLength,
    http: options.http ?? DEFAULTS.http,
    fetch: options.fetch ?? DEFAULTS.fetch,
    captureHeaders: {
      request: options.captureHeaders?.request ?? [],
      response: options.captureHeaders?.response ?? [],
    },
    redactQueryParams: options.redactQueryParams ?? [],
    redactHeaders: options.redactHeaders ?? [],
    attributes: options.attributes ?? {},
    instrumentations: options.instrumentations ?? [],
    instrumentationSetup: options.instrumentationSetup,
    payloadLimit: payloadLimit(options.capturePayloads),
    upstream: readUpstream(env, options.traceparent ?? DEFAULTS.traceparent, problems),
    traceAssertions: {
      timeoutMillis: options.traceAssertions?.timeoutMillis ?? DEFAULTS.traceTimeoutMillis,
      quietMillis: options.traceAssertions?.quietMillis ?? DEFAULTS.traceQuietMillis,
    },
  };
  return {config, problems};
}

const cache = new Map<string, ResolvedConfig>();

/**
 * `resolveConfig` of `testEnvironmentOptions.otel` once per distinct `testEnvironmentOptions` per process, reporting
 * its problems once, with our option names found outside `otel`.
 */
export function loadConfig(environmentOptions: unknown): ResolvedConfig {
  const key = safeKey(environmentOptions);
  const cached = cache.get(key);
  if (cached) return cached;
  const {config, problems} = resolveConfig(isPlainObject(environmentOptions) ? environmentOptions.otel : undefined);
  readMisplaced(environmentOptions, problems);
  for (const problem of problems) warnOnce(problem);
  cache.set(key, config);
  return config;
}

function safeKey(raw: unknown): string {
  try {
    return JSON.stringify(raw) ?? '';
  } catch {
    return String(raw);
  }
}

function payloadLimit(option: OtelEnvironmentOptions['capturePayloads']): number | undefined {
  if (!option) return undefined;
  return option === true ? DEFAULTS.payloadBytes : (option.maxBytes ?? DEFAULTS.payloadBytes);
}

function toList(value: ExporterName | ExporterName[]): ExporterName[] {
  return Array.isArray(value) ? value : [value];
}

function resolveOtlp(options: OtelEnvironmentOptions, env: Env, problems: Problems): {target: OtlpTarget; configured: boolean} {
  const sources: Array<[string | undefined, string, (valid: string) => string]> = [
    [nonEmpty(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT), 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', valid => valid],
    [nonEmpty(env.OTEL_EXPORTER_OTLP_ENDPOINT), 'OTEL_EXPORTER_OTLP_ENDPOINT', valid => `${valid.replace(/\/+$/, '')}/v1/traces`],
    [options.endpoint, `${OPTION_PREFIX}.endpoint`, valid => valid],
  ];
  let configuredUrl: string | undefined;
  for (const [value, name, toTracesUrl] of sources) {
    if (value === undefined) continue;
    const valid = parseUrl(value, name, problems);
    if (valid === undefined) continue;
    configuredUrl = toTracesUrl(valid);
    break;
  }
  const url = configuredUrl ?? DEFAULTS.endpoint;
  const logsUrl = logsEndpoint(env, url, problems);
  const headers = {
    ...options.headers,
    ...pick(env, 'OTEL_EXPORTER_OTLP_HEADERS', value => parseKeyValues(value, 'OTEL_EXPORTER_OTLP_HEADERS', problems)),
    ...pick(env, 'OTEL_EXPORTER_OTLP_TRACES_HEADERS', value =>
      parseKeyValues(value, 'OTEL_EXPORTER_OTLP_TRACES_HEADERS', problems),
    ),
  } as Record<string, string>;
  const timeoutMillis =
    pick(env, 'OTEL_EXPORTER_OTLP_TRACES_TIMEOUT', value =>
      parsePositive(value, 'OTEL_EXPORTER_OTLP_TRACES_TIMEOUT', problems),
    ) ??
    pick(env, 'OTEL_EXPORTER_OTLP_TIMEOUT', value => parsePositive(value, 'OTEL_EXPORTER_OTLP_TIMEOUT', problems)) ??
    options.exportTimeoutMillis ??
    DEFAULTS.exportTimeoutMillis;
  const compression =
    pick(env, 'OTEL_EXPORTER_OTLP_TRACES_COMPRESSION', value => parseCompression(value, 'OTEL_EXPORTER_OTLP_TRACES_COMPRESSION', problems)) ??
    pick(env, 'OTEL_EXPORTER_OTLP_COMPRESSION', value => parseCompression(value, 'OTEL_EXPORTER_OTLP_COMPRESSION', problems)) ??
    'none';
  for (const name of ['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'OTEL_EXPORTER_OTLP_PROTOCOL']) {
    const protocol = nonEmpty(env[name]);
    if (protocol !== undefined && protocol !== 'http/protobuf') {
      problems.push(`${name}="${protocol}" is not supported: spans are exported as OTLP http/protobuf.`);
    }
  }
  return {target: {url, logsUrl, headers, timeoutMillis, compression}, configured: configuredUrl !== undefined};
}

/**
 * OTEL_EXPORTER_OTLP_LOGS_ENDPOINT as is; else `/v1/logs` on the base URL OTEL_EXPORTER_OTLP_ENDPOINT names; else
 * beside the traces URL (`/v1/logs` in place of its `/v1/traces`).
 */
function logsEndpoint(env: Env, tracesUrl: string, problems: Problems): string {
  const own = nonEmpty(env.OTEL_EXPORTER_OTLP_LOGS_ENDPOINT);
  const valid = own === undefined ? undefined : parseUrl(own, 'OTEL_EXPORTER_OTLP_LOGS_ENDPOINT', problems);
  if (valid !== undefined) return valid;
  const base = nonEmpty(env.OTEL_EXPORTER_OTLP_ENDPOINT);
  if (base !== undefined && URL.canParse(base)) return `${base.replace(/\/+$/, '')}/v1/logs`;
  if (/\/v1\/traces\/?$/.test(tracesUrl)) return tracesUrl.replace(/\/v1\/traces\/?$/, '/v1/logs');
  return new URL('/v1/logs', tracesUrl).href;
}

function pick<T>(env: Env, name: string, parse: (value: string) => T | undefined): T | undefined {
  const value = nonEmpty(env[name]);
  return value === undefined ? undefined : parse(value);
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

/** `OTEL_SDK_DISABLED=true`: for Jest's own process, which reads it without validating (the workers warn). */
export function sdkDisabled(env: Env = process.env): boolean {
  return nonEmpty(env.OTEL_SDK_DISABLED)?.toLowerCase() === 'true';
}

function parseSdkDisabled(env: Env, problems: Problems): boolean {
  const value = nonEmpty(env.OTEL_SDK_DISABLED)?.toLowerCase();
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  problems.push(`OTEL_SDK_DISABLED="${env.OTEL_SDK_DISABLED}" is not valid: expected "true" or "false"; tracing stays on.`);
  return false;
}

function parseUrl(value: string, name: string, problems: Problems): string | undefined {
  try {
    const url = new URL(value);
    if ((url.protocol === 'http:' || url.protocol === 'https:') && url.hostname) return value;
  } catch {
    // reported below
  }
  problems.push(`${name}="${value}" is not valid: expected an http:// or https:// URL; it is ignored.`);
  return undefined;
}

function parseCompression(value: string, name: string, problems: Problems): 'gzip' | 'none' | undefined {
  const lower = value.toLowerCase();
  if (lower === 'gzip' || lower === 'none') return lower;
  problems.push(`${name}="${value}" is not valid: expected gzip or none; sending uncompressed.`);
  return undefined;
}

function parsePositive(value: string, name: string, problems: Problems): number | undefined {
  const number = Number(value);
  if (Number.isFinite(number) && number > 0) return number;
  problems.push(`${name}="${value}" is not valid: expected a positive number of milliseconds; using the default.`);
  return undefined;
}

/**
 * The W3C baggage-like `key=value,key2=value2` lists of OTEL_RESOURCE_ATTRIBUTES and OTEL_EXPORTER_OTLP_HEADERS. A
 * malformed entry is skipped and named, the others are kept: dropping a whole headers variable for one typo would
 * send every export without its API key. Entries of a headers variable are named by position, never by their
 * text, which may hold a secret.
 */
export function parseKeyValues(value: string, name: string, problems: Problems): Record<string, string> {
  const result: Record<string, string> = {};
  const secret = /HEADERS$/.test(name);
  const parts = value.split(',').filter(part => part.trim());
  parts.forEach((part, index) => {
    const at = part.indexOf('=');
    const key = at > 0 ? part.slice(0, at).trim() : '';
    const entry = secret ? `entry ${index + 1} of ${parts.length}` : `entry "${part.trim()}"`;
    if (!key) {
      problems.push(`${name} is not valid: ${entry} is not a key=value pair; it is skipped, the other entries are used.`);
      return;
    }
    try {
      result[decodeURIComponent(key)] = decodeURIComponent(part.slice(at + 1).trim());
    } catch {
      problems.push(`${name} is not valid: the entry for "${key}" has a malformed percent-encoding; it is skipped, the other entries are used.`);
    }
  });
  return result;
}
