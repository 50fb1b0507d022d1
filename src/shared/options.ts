/*
 * The options object, `testEnvironmentOptions.otel`, and its validation: one reader per key, each returning the value
 * or pushing one message that names the option path and what was expected.
 */

export type Problems = string[];

export const OPTION_PREFIX = 'testEnvironmentOptions.otel';

/** Options read from `testEnvironmentOptions.otel` (or a `@jest-environment-options` docblock). */
export interface OtelEnvironmentOptions {
  /**
   * The environment the tests run in, traced: `jsdom`, `node`, or a package or path (relative to rootDir) exporting a
   * Jest environment class, found as Jest finds `testEnvironment`. Used by `testEnvironment: 'otel'`. Default: `node`.
   */
  baseEnvironment?: string;
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
  /**
   * Record console output during tests: as `console` span events (`'events'`, or `true`), as OTLP log records
   * correlated with the running span (`'logs'`), or not at all (`false`). Default: `'events'`.
   */
  console?: boolean | 'events' | 'logs';
  /** Most console entries recorded per span (as events or log records); the rest are counted in `jest.console.dropped`. Default: 100. */
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
  /** With a valid `TRACEPARENT`: test and suite spans stay roots of their own traces linked to it (`link`) or become its children (`parent`). Default: `link`. */
  traceparent?: 'parent' | 'link';
  /** Instrumentation packages to load from rootDir, as names or `[name, config]`; they also patch modules loaded by tests. Default: none. */
  instrumentations?: InstrumentationSpec[];
  /** A module (relative to rootDir) exporting a function that returns instrumentation instances. Default: none. */
  instrumentationSetup?: string;
  /** Record textual HTTP request/response bodies on client spans (`true`: up to 4096 bytes each). Default: false. */
  capturePayloads?: boolean | {maxBytes?: number};
  /** The waits of the trace assertions (`jest-environment-otel/expect`), in ms: the longest (default 3000) and the quiet that completes a trace (default 300). */
  traceAssertions?: {timeoutMillis?: number; quietMillis?: number};
}

export type InstrumentationSpec = string | [string, Record<string, unknown>];

export type ExporterName = 'store' | 'otlp' | 'console' | 'none';
export const EXPORTERS: readonly ExporterName[] = ['store', 'otlp', 'console', 'none'];


export function parseExporters(values: unknown[], name: string, problems: Problems, fallback: readonly string[]): ExporterName[] | undefined {
  const names = values.map(value => (typeof value === 'string' ? value.trim().toLowerCase() : value)).filter(value => value !== '');
  const unknown = names.filter(value => !(EXPORTERS as readonly unknown[]).includes(value));
  if (unknown.length === 0 && names.length > 0) return names as ExporterName[];
  problems.push(`${name}=${show(values.length === 1 ? values[0] : values)} is not valid: expected one of ${EXPORTERS.join(', ')} (or a list of them); using "${fallback.join(',')}".`);
  return undefined;
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
  baseEnvironment: isString,
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
  console: (value, path, problems) =>
    typeof value === 'boolean' || value === 'events' || value === 'logs'
      ? value
      : void problems.push(`${path} must be true, false, "events" or "logs"; got ${show(value)}.`),
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
  traceAssertions: (value, path, problems) => {
    if (!isPlainObject(value)) return void problems.push(`${path} must be { timeoutMillis?: number, quietMillis?: number }; got ${show(value)}.`);
    return readKnown(value, path, problems, {timeoutMillis: isPositive, quietMillis: isPositive});
  },
  traceparent: (value, path, problems) =>
    value === 'parent' || value === 'link' ? value : void problems.push(`${path} must be "parent" or "link"; got ${show(value)}.`),
};

export function readOptions(raw: unknown, problems: Problems): OtelEnvironmentOptions {
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
      const meant = closest(key, Object.keys(readers));
      problems.push(
        meant
          ? `${path}.${key} is not an option — did you mean ${meant}? It is ignored.`
          : `${path}.${key} is not an option; expected one of: ${Object.keys(readers).join(', ')}.`,
      );
      continue;
    }
    if (value === undefined) continue;
    const read = reader(value, `${path}.${key}`, problems);
    if (read !== undefined) result[key] = read;
  }
  return result;
}

/*
 * Our option names put directly in `testEnvironmentOptions`, next to `otel` instead of inside it, would be ignored
 * without a word. The names other environments and tools plausibly use there too are left out, so that a project
 * whose base environment reads them gets no warning it cannot silence.
 */
const SHARED_NAMES = new Set(['disabled', 'console', 'http', 'fetch', 'headers', 'attributes']);

/** Names our options outside `testEnvironmentOptions.otel`, where nothing reads them. */
export function readMisplaced(environmentOptions: unknown, problems: Problems): void {
  if (!isPlainObject(environmentOptions)) return;
  const misplaced = Object.keys(environmentOptions).filter(key => key in READERS && !SHARED_NAMES.has(key));
  if (misplaced.length === 0) return;
  const names = misplaced.map(key => `testEnvironmentOptions.${key}`).join(', ');
  problems.push(
    `${names} ${misplaced.length === 1 ? 'is' : 'are'} ignored: options of jest-environment-otel belong under ${OPTION_PREFIX}, as in testEnvironmentOptions: {otel: {${misplaced.join(', ')}}}.`,
  );
}

/** The name `key` most likely meant: the same but for case, or within a couple of typing errors. */
export function closest(key: string, names: string[]): string | undefined {
  let best: {name: string; distance: number} | undefined;
  for (const name of names) {
    const distance = editDistance(key.toLowerCase(), name.toLowerCase());
    if (distance <= Math.max(1, Math.floor(name.length / 4)) && (!best || distance < best.distance)) best = {name, distance};
  }
  return best?.name;
}

/** Levenshtein distance, with a transposition of neighbours counted as one edit (Damerau). */
function editDistance(a: string, b: string): number {
  const rows = Array.from({length: a.length + 1}, (_, i) => Array.from({length: b.length + 1}, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      rows[i][j] = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) rows[i][j] = Math.min(rows[i][j], rows[i - 2][j - 2] + 1);
    }
  }
  return rows[a.length][b.length];
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function show(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
