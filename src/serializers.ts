import {dirname, join} from 'node:path';

type Transformer = typeof import('@opentelemetry/otlp-transformer');
export type TraceSerializers = Pick<Transformer, 'ProtobufTraceSerializer' | 'JsonTraceSerializer'>;

let loaded: TraceSerializers | undefined;

/**
 * OpenTelemetry's OTLP trace serializers (protobuf and JSON), loaded on first use. The package's single entry point
 * also loads its metrics and logs serializers and the metrics SDK: about 15 ms of every worker's startup for code a
 * trace exporter never runs. So the two trace modules are required from the package's `dist/` folder, and the entry
 * point only if that layout is not there (another version of the package).
 */
export function traceSerializers(): TraceSerializers {
  loaded ??= loadTraceOnly() ?? (require('@opentelemetry/otlp-transformer') as Transformer);
  return loaded;
}

function loadTraceOnly(): TraceSerializers | undefined {
  try {
    const dist = dirname(require.resolve('@opentelemetry/otlp-transformer'));
    const {ProtobufTraceSerializer} = require(join(dist, 'trace', 'protobuf', 'trace.cjs')) as Pick<Transformer, 'ProtobufTraceSerializer'>;
    const {JsonTraceSerializer} = require(join(dist, 'trace', 'json', 'trace.cjs')) as Pick<Transformer, 'JsonTraceSerializer'>;
    if (typeof ProtobufTraceSerializer?.serializeRequest !== 'function' || typeof JsonTraceSerializer?.serializeRequest !== 'function') return undefined;
    return {ProtobufTraceSerializer, JsonTraceSerializer};
  } catch {
    return undefined;
  }
}
