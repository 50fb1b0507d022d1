import {dirname, join} from 'node:path';

type Transformer = typeof import('@opentelemetry/otlp-transformer');
export type TraceSerializers = Pick<Transformer, 'ProtobufTraceSerializer' | 'JsonTraceSerializer'>;
export type LogsSerializers = Pick<Transformer, 'ProtobufLogsSerializer' | 'JsonLogsSerializer'>;

/**
 * The transformer's trace-only modules, inside its `dist/` folder (not in its exports map), without their extension:
 * `.cjs` for its CommonJS build, `.mjs` for its ES module build (the one the single-file build takes).
 */
export const TRACE_MODULES = {protobuf: ['trace', 'protobuf', 'trace'], json: ['trace', 'json', 'trace']} as const;
/** Likewise for the logs serializers (console output recorded as log records). */
export const LOGS_MODULES = {protobuf: ['logs', 'protobuf', 'logs'], json: ['logs', 'json', 'logs']} as const;

let loaded: TraceSerializers | undefined;
let loadedLogs: LogsSerializers | undefined;

/**
 * OpenTelemetry's OTLP trace serializers (protobuf and JSON), loaded on first use. The package's single entry point
 * also loads its metrics and logs serializers and the metrics SDK: code a trace exporter never runs. So only the two
 * trace modules are loaded: in the single-file build they are part of it (scripts/bundle.js resolves the two ids
 * below to those modules), otherwise they are required from the package's `dist/` folder; the entry point only if
 * neither is there (another layout of the package).
 */
export function traceSerializers(): TraceSerializers {
  loaded ??= bundled() ?? fromDist() ?? (require('@opentelemetry/otlp-transformer') as Transformer);
  return loaded;
}

function bundled(): TraceSerializers | undefined {
  try {
    return checked(require('jest-environment-otel/bundled/otlp-trace-protobuf'), require('jest-environment-otel/bundled/otlp-trace-json'));
  } catch {
    return undefined;
  }
}

function fromDist(): TraceSerializers | undefined {
  try {
    const dist = dirname(require.resolve('@opentelemetry/otlp-transformer'));
    return checked(require(`${join(dist, ...TRACE_MODULES.protobuf)}.cjs`), require(`${join(dist, ...TRACE_MODULES.json)}.cjs`));
  } catch {
    return undefined;
  }
}

function checked(protobuf: Partial<TraceSerializers>, json: Partial<TraceSerializers>): TraceSerializers | undefined {
  const {ProtobufTraceSerializer} = protobuf;
  const {JsonTraceSerializer} = json;
  if (typeof ProtobufTraceSerializer?.serializeRequest !== 'function' || typeof JsonTraceSerializer?.serializeRequest !== 'function') return undefined;
  return {ProtobufTraceSerializer, JsonTraceSerializer};
}

/** OpenTelemetry's OTLP logs serializers, loaded on first use as the trace ones are. */
export function logsSerializers(): LogsSerializers {
  loadedLogs ??= bundledLogs() ?? logsFromDist() ?? (require('@opentelemetry/otlp-transformer') as Transformer);
  return loadedLogs;
}

function bundledLogs(): LogsSerializers | undefined {
  try {
    return checkedLogs(require('jest-environment-otel/bundled/otlp-logs-protobuf'), require('jest-environment-otel/bundled/otlp-logs-json'));
  } catch {
    return undefined;
  }
}

function logsFromDist(): LogsSerializers | undefined {
  try {
    const dist = dirname(require.resolve('@opentelemetry/otlp-transformer'));
    return checkedLogs(require(`${join(dist, ...LOGS_MODULES.protobuf)}.cjs`), require(`${join(dist, ...LOGS_MODULES.json)}.cjs`));
  } catch {
    return undefined;
  }
}

function checkedLogs(protobuf: Partial<LogsSerializers>, json: Partial<LogsSerializers>): LogsSerializers | undefined {
  const {ProtobufLogsSerializer} = protobuf;
  const {JsonLogsSerializer} = json;
  if (typeof ProtobufLogsSerializer?.serializeRequest !== 'function' || typeof JsonLogsSerializer?.serializeRequest !== 'function') return undefined;
  return {ProtobufLogsSerializer, JsonLogsSerializer};
}
