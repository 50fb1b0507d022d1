import type {SpanContext} from '@opentelemetry/api';
import {parseTraceParent, TraceState} from '@opentelemetry/core';
import {warnOnce} from './diag';

/** Options read from `testEnvironmentOptions.otel` (or a `@jest-environment-options` docblock). */
export interface OtelEnvironmentOptions {
  /** Turn tracing off for this project while keeping the environment. Default: false (`OTEL_SDK_DISABLED=true` also turns it off). */
  disabled?: boolean;
  /** `service.name` of the exported resource. Default: `OTEL_SERVICE_NAME`, else `jest`. */
  serviceName?: string;
  /** Extra resource attributes; `OTEL_RESOURCE_ATTRIBUTES` is merged over them. Default: none. */
  resourceAttributes?: Record<string, string | number | boolean>;
  /**
   * Where spans go: `store` (the local trace store), `otlp`, `console`, `none`, or a list. Default: `OTEL_TRACES_EXPORTER`
   * (comma-separated), else `otlp` when an OTLP endpoint is configured, else `store`.
   */
  exporter?: ExporterName | ExporterName[];
  /** Folder of the local trace store, relative to rootDir. Default: `.jest-otel`. */
  storeDir?: string;
  /** How many runs the local trace store keeps. Default: 10. */
  keepRuns?: number;
  /** OTLP/HTTP traces URL (…/v1/traces). Default: from `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` / `OTEL_EXPORTER_OTLP_ENDPOINT`, else http://localhost:4318/v1/traces. */
  endpoint?: string;
  /** Headers sent with every export (e.g. an API key). `OTEL_EXPORTER_OTLP_(TRACES_)HEADERS` are merged over them. Default: none. */
  headers?: Record<string, string>;
  /** Timeout of one export request in ms. Default: `OTEL_EXPORTER_OTLP_(TRACES_)TIMEOUT`, else 10000. */
  exportTimeoutMillis?: number;
  /** Longest a test file's teardown waits for its spans to be exported, in ms. Default: 5000. */
  flushTimeoutMillis?: number;
  /** Record console output during tests as span events. Default: true. */
  console?: boolean;
  /** Most console events recorded on one span; the rest are counted in `jest.console.dropped`. Default: 100. */
  consoleMaxEvents?: number;
  /** Longest console message recorded, in characters; longer ones are cut. Default: 2000. */
  consoleMaxLength?: number;
  /** Trace outgoing `node:http`/`https` calls. Default: true. */
  http?: boolean;
  /** Trace `fetch` (undici) calls. Default: true. */
  fetch?: boolean;
  /** Header names recorded on HTTP spans (allowlist). Secret headers are never recorded. Default: none. */
  captureHeaders?: {request?: string[]; response?: string[]};
  /** Query parameter names whose values are replaced by `REDACTED` in exported URLs, beyond the built-in list. Default: none. */
  redactQueryParams?: string[];
  /** Header names treated as secrets (never recorded), beyond the built-in list. Default: none. */
  redactHeaders?: string[];
  /** Attributes put on every test, hook and suite span. Default: none. */
  attributes?: Record<string, string | number | boolean>;
  /** With a valid `TRACEPARENT`: test and suite spans become its children (`parent`) or link to it (`link`). Default: `parent`. */
  traceparent?: 'parent' | 'link';
  /** Instrumentation packages to load from rootDir, as names or `[name, config]`; they also patch modules loaded by tests. Default: none. */
  instrumentations?: InstrumentationSpec[];
  /** A module (relative to rootDir) exporting a function that returns instrumentation instances. Default: none. */
  instrumentationSetup?: string;
  /** Record textual HTTP request/response bodies on client spans (`true`: up to 4096 bytes each). Default: false. */
  capturePayloads?: boolean | {maxBytes?: number};
}

export type InstrumentationSpec = string | [string, Record<string, unknown>];

export type ExporterName = 'store' | 'otlp' | 'console' | 'none';
const EXPORTERS: readonly ExporterName[] = ['store', 'otlp', 'console', 'none'];

export interface OtlpTarget {
  url: string;
  headers: Record<string, string>;
  timeoutMillis: number;
  compression: 'gzip' | 'none';
}

/** Options after defaults, environment variables and validation. */
export interface ResolvedConfig {
  enabled: boolean;
  serviceName: string;
  resourceAttributes: Record<string, string | number | boolean>;
  /** Where spans go; empty when tracing is off. */
  exporters: Array<Exclude<ExporterName, 'none'>>;
  otlp: OtlpTarget;
  /** As configured: relative paths are resolved against rootDir. */
  storeDir: string;
  keepRuns: number;
  flushTimeoutMillis: number;
  console: boolean;
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
  /** The span of a valid TRACEPARENT, and how to relate to it. */
  upstream?: {spanContext: SpanContext; mode: 'parent' | 'link'};
}

export const DEFAULTS = {
  serviceName: 'jest',
  storeDir: '.jest-otel',
  keepRuns: 10,
  endpoint: 'http://localhost:4318/v1/traces',
  exportTimeoutMillis: 10_000,
  flushTimeoutMillis: 5_000,
  console: true,
  consoleMaxEvents: 100,
  consoleMaxLength: 2_000,
  http: true,
  fetch: true,
  payloadBytes: 4_096,
} as const;

type Env = Record<string, string | undefined>;
type Problems = string[];

const OPTION_PREFIX = 'testEnvironmentOptions.otel';

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
    console: options.console ?? DEFAULTS.console,
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
    upstream: parseUpstream(env, options.traceparent ?? 'parent', problems),
  };
  return {config, problems};
}

const cache = new Map<string, ResolvedConfig>();

/** `resolveConfig` once per distinct options object per process, reporting its problems once. */
export function loadConfig(raw: unknown): ResolvedConfig {
  const key = safeKey(raw);
  const cached = cache.get(key);
  if (cached) return cached;
  const {config, problems} = resolveConfig(raw);
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

function parseUpstream(env: Env, mode: 'parent' | 'link', problems: Problems): ResolvedConfig['upstream'] {
  const value = nonEmpty(env.TRACEPARENT);
  if (value === undefined) return undefined;
  const spanContext = parseTraceParent(value);
  if (!spanContext) {
    problems.push(`TRACEPARENT="${value}" is not a valid W3C traceparent: expected 00-<32 hex trace id>-<16 hex span id>-<2 hex flags>, not all zeros; it is ignored.`);
    return undefined;
  }
  const state = nonEmpty(env.TRACESTATE);
  return {spanContext: {...spanContext, isRemote: true, traceState: state ? new TraceState(state) : undefined}, mode};
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
  return {target: {url, headers, timeoutMillis, compression}, configured: configuredUrl !== undefined};
}

function pick<T>(env: Env, name: string, parse: (value: string) => T | undefined): T | undefined {
  const value = nonEmpty(env[name]);
  return value === undefined ? undefined : parse(value);
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

function parseSdkDisabled(env: Env, problems: Problems): boolean {
  const value = nonEmpty(env.OTEL_SDK_DISABLED)?.toLowerCase();
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  problems.push(`OTEL_SDK_DISABLED="${env.OTEL_SDK_DISABLED}" is not valid: expected "true" or "false"; tracing stays on.`);
  return false;
}

function parseExporters(values: unknown[], name: string, problems: Problems, fallback: readonly string[]): ExporterName[] | undefined {
  const names = values.map(value => (typeof value === 'string' ? value.trim().toLowerCase() : value)).filter(value => value !== '');
  const unknown = names.filter(value => !(EXPORTERS as readonly unknown[]).includes(value));
  if (unknown.length === 0 && names.length > 0) return names as ExporterName[];
  problems.push(`${name}=${show(values.length === 1 ? values[0] : values)} is not valid: expected one of ${EXPORTERS.join(', ')} (or a list of them); using "${fallback.join(',')}".`);
  return undefined;
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

/** The W3C baggage-like `key=value,key2=value2` lists of OTEL_RESOURCE_ATTRIBUTES and OTEL_EXPORTER_OTLP_HEADERS. */
export function parseKeyValues(value: string, name: string, problems: Problems): Record<string, string> | undefined {
  const result: Record<string, string> = {};
  for (const part of value.split(',')) {
    if (!part.trim()) continue;
    const index = part.indexOf('=');
    const key = index > 0 ? part.slice(0, index).trim() : '';
    if (!key) {
      problems.push(`${name} is not valid: expected comma-separated key=value pairs; "${part.trim()}" has no key=value; ${name} is ignored.`);
      return undefined;
    }
    try {
      result[decodeURIComponent(key)] = decodeURIComponent(part.slice(index + 1).trim());
    } catch {
      problems.push(`${name} is not valid: "${key}" has a malformed percent-encoded value; ${name} is ignored.`);
      return undefined;
    }
  }
  return result;
}

type Reader = (value: unknown, path: string, problems: Problems) => unknown;

const isBoolean: Reader = (value, path, problems) =>
  typeof value === 'boolean' ? value : void problems.push(`${path} must be true or false; got ${show(value)}.`);
const isString: Reader = (value, path, problems) =>
  typeof value === 'string' && value.trim() ? value : void problems.push(`${path} must be a non-empty string; got ${show(value)}.`);
const isPositive: Reader = (value, path, problems) =>
  typeof value === 'number' && Number.isFinite(value) && value > 0
    ? value
    : void problems.push(`${path} must be a positive number; got ${show(value)}.`);
const isCount: Reader = (value, path, problems) =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0
    ? value
    : void problems.push(`${path} must be a whole number ≥ 0; got ${show(value)}.`);
const isStringList: Reader = (value, path, problems) =>
  Array.isArray(value) && value.every(item => typeof item === 'string')
    ? value.map(item => (item as string).toLowerCase())
    : void problems.push(`${path} must be an array of strings; got ${show(value)}.`);
const isExporter: Reader = (value, path, problems) => parseExporters(Array.isArray(value) ? value : [value], path, problems, ['the default']);
const isEndpoint: Reader = (value, path, problems) =>
  typeof value === 'string' ? value : void problems.push(`${path} must be an http:// or https:// URL; got ${show(value)}.`);
const isStringRecord: Reader = (value, path, problems) =>
  isPlainObject(value) && Object.values(value).every(item => typeof item === 'string')
    ? value
    : void problems.push(`${path} must be an object of string values; got ${show(value)}.`);
const isAttributeRecord: Reader = (value, path, problems) =>
  isPlainObject(value) && Object.values(value).every(item => ['string', 'number', 'boolean'].includes(typeof item))
    ? value
    : void problems.push(`${path} must be an object of string, number or boolean values; got ${show(value)}.`);
const isHeaderLists: Reader = (value, path, problems) => {
  if (!isPlainObject(value)) return void problems.push(`${path} must be { request?: string[], response?: string[] }; got ${show(value)}.`);
  return readKnown(value, path, problems, {request: isStringList, response: isStringList});
};

const READERS: Record<keyof OtelEnvironmentOptions, Reader> = {
  disabled: isBoolean,
  serviceName: isString,
  resourceAttributes: isAttributeRecord,
  exporter: isExporter,
  storeDir: isString,
  keepRuns: (value, path, problems) =>
    typeof value === 'number' && Number.isInteger(value) && value >= 1 ? value : void problems.push(`${path} must be a whole number ≥ 1; got ${show(value)}.`),
  endpoint: isEndpoint,
  headers: isStringRecord,
  exportTimeoutMillis: isPositive,
  flushTimeoutMillis: isPositive,
  console: isBoolean,
  consoleMaxEvents: isCount,
  consoleMaxLength: isPositive,
  http: isBoolean,
  fetch: isBoolean,
  captureHeaders: isHeaderLists,
  redactQueryParams: isStringList,
  redactHeaders: isStringList,
  attributes: isAttributeRecord,
  instrumentations: (value, path, problems) =>
    Array.isArray(value) &&
    value.every(item => typeof item === 'string' || (Array.isArray(item) && item.length === 2 && typeof item[0] === 'string' && isPlainObject(item[1])))
      ? value
      : void problems.push(`${path} must be an array of package names or [name, config] pairs; got ${show(value)}.`),
  instrumentationSetup: isString,
  capturePayloads: (value, path, problems) => {
    if (typeof value === 'boolean') return value;
    if (isPlainObject(value) && Object.keys(value).every(key => key === 'maxBytes')) {
      const maxBytes = value.maxBytes;
      if (maxBytes === undefined || (typeof maxBytes === 'number' && Number.isInteger(maxBytes) && maxBytes > 0)) return value;
    }
    return void problems.push(`${path} must be true, false or {maxBytes: a positive whole number}; got ${show(value)}.`);
  },
  traceparent: (value, path, problems) =>
    value === 'parent' || value === 'link' ? value : void problems.push(`${path} must be "parent" or "link"; got ${show(value)}.`),
};

function readOptions(raw: unknown, problems: Problems): OtelEnvironmentOptions {
  if (raw === undefined || raw === null) return {};
  if (!isPlainObject(raw)) {
    problems.push(`${OPTION_PREFIX} must be an object; got ${show(raw)}. Using the defaults.`);
    return {};
  }
  return readKnown(raw, OPTION_PREFIX, problems, READERS) as OtelEnvironmentOptions;
}

function readKnown(
  raw: Record<string, unknown>,
  path: string,
  problems: Problems,
  readers: Record<string, Reader>,
): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    const reader = readers[key];
    if (!reader) {
      problems.push(`${path}.${key} is not an option; expected one of: ${Object.keys(readers).join(', ')}.`);
      continue;
    }
    if (value === undefined) continue;
    const read = reader(value, `${path}.${key}`, problems);
    if (read !== undefined) result[key] = read;
  }
  return result;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function show(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
