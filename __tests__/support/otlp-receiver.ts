import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http';
import {join} from 'node:path';
import {gunzipSync} from 'node:zlib';
import protobuf from 'protobufjs';

/** A span as received over OTLP/HTTP protobuf, decoded against the OTLP schema and flattened for assertions. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  kind: 'UNSPECIFIED' | 'INTERNAL' | 'SERVER' | 'CLIENT' | 'PRODUCER' | 'CONSUMER';
  startMs: number;
  endMs: number;
  attributes: Record<string, unknown>;
  events: Array<{name: string; attributes: Record<string, unknown>}>;
  /** Only when the link has one. */
  links: Array<{traceId: string; spanId: string; traceState?: string}>;
  /** The W3C tracestate of the span's context, '' when none. */
  traceState: string;
  status: {code: 'UNSET' | 'OK' | 'ERROR'; message: string};
  resource: Record<string, unknown>;
  scope: string;
}

/** A log record as received on /v1/logs, decoded against the OTLP schema. */
export interface ReceivedLog {
  traceId: string;
  spanId: string;
  timeMs: number;
  severityNumber: number;
  severityText: string;
  body: unknown;
  attributes: Record<string, unknown>;
  resource: Record<string, unknown>;
  scope: string;
}

const root = protobuf.loadSync(join(__dirname, 'otlp.proto'));
const RequestType = root.lookupType('otlp.ExportTraceServiceRequest');
const LogsRequestType = root.lookupType('otlp.ExportLogsServiceRequest');
const KINDS = ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'] as const;
const CODES = ['UNSET', 'OK', 'ERROR'] as const;

interface Raw {
  [key: string]: unknown;
}

/**
 * How the receiver answers one request, for fault injection: an HTTP status (with an optional Retry-After, in
 * seconds), a reset connection, a delay before a normal answer, or no answer at all (until the receiver stops).
 */
export type Fault = {status: number; retryAfter?: string} | {reset: true} | {delayMs: number} | {hang: true};

/** An OTLP/HTTP protobuf receiver on 127.0.0.1, started by a test. */
export class OtlpReceiver {
  /** Faults to inject, one per incoming request, in order; once used up, requests are accepted. */
  readonly faults: Fault[] = [];
  /** The fault of each trace request, by the spans it carries, once `faults` are used up (undefined: accepted). */
  otherwise: ((spans: ReceivedSpan[]) => Fault | undefined) | undefined;
  /** Every request as it arrived, with the fault it got (undefined: accepted). */
  readonly log: Array<{at: number; fault: Fault | undefined; body: Buffer}> = [];
  readonly spans: ReceivedSpan[] = [];
  readonly logs: ReceivedLog[] = [];
  /** Paths answered 404 without being read, as a collector with no pipeline for that signal does. */
  readonly missing = new Set<string>();
  /** Every request body as received (before decoding), to search for leaked secrets. */
  readonly rawBodies: Buffer[] = [];
  readonly requests: Array<{path: string; headers: IncomingMessage['headers']}> = [];
  private server: Server | undefined;
  private port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get tracesUrl(): string {
    return `${this.url}/v1/traces`;
  }

  async start(): Promise<this> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', chunk => chunks.push(chunk));
      request.on('end', () => {
        if (this.missing.has(request.url ?? '')) {
          this.requests.push({path: request.url ?? '', headers: request.headers});
          response.writeHead(404);
          response.end();
          return;
        }
        const fault = this.faults.length > 0 ? this.faults.shift() : this.chosenFault(chunks, request);
        this.log.push({at: Date.now(), fault, body: Buffer.concat(chunks)});
        if (fault && 'reset' in fault) {
          request.socket.destroy();
          return;
        }
        if (fault && 'status' in fault) {
          response.writeHead(fault.status, fault.retryAfter ? {'retry-after': fault.retryAfter} : {});
          response.end();
          return;
        }
        if (fault && 'hang' in fault) return;
        if (fault && 'delayMs' in fault) {
          const timer = setTimeout(() => this.accept(chunks, request, response), fault.delayMs);
          response.on('close', () => clearTimeout(timer));
          return;
        }
        this.accept(chunks, request, response);
      });
    });
    await new Promise<void>(resolve => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as {port: number}).port;
    return this;
  }

  /** The fault `otherwise` chooses for a trace request by its spans (decoded here, and again when it is accepted). */
  private chosenFault(chunks: Buffer[], request: IncomingMessage): Fault | undefined {
    if (!this.otherwise || request.url === '/v1/logs') return undefined;
    return this.otherwise(decodeRequest(chunks, request));
  }

  private accept(chunks: Buffer[], request: IncomingMessage, response: ServerResponse): void {
    try {
      let body = Buffer.concat(chunks);
      if (request.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      this.requests.push({path: request.url ?? '', headers: request.headers});
      this.rawBodies.push(body);
      if (request.url === '/v1/logs') this.logs.push(...decodeLogs(body));
      else this.spans.push(...decode(body));
      response.writeHead(200, {'content-type': 'application/x-protobuf'});
      response.end();
    } catch (error) {
      response.writeHead(400, {'content-type': 'text/plain'});
      response.end(String(error));
    }
  }

  clear(): void {
    this.faults.length = 0;
    this.otherwise = undefined;
    this.log.length = 0;
    this.spans.length = 0;
    this.logs.length = 0;
    this.rawBodies.length = 0;
    this.requests.length = 0;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>(resolve => server.close(() => resolve()));
  }
}

function decodeRequest(chunks: Buffer[], request: IncomingMessage): ReceivedSpan[] {
  try {
    const body = Buffer.concat(chunks);
    return decode(request.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body);
  } catch {
    return [];
  }
}

export function decode(body: Buffer): ReceivedSpan[] {
  const message = RequestType.decode(body);
  const request = RequestType.toObject(message, {longs: String, bytes: Buffer, arrays: true, oneofs: true}) as Raw;
  const spans: ReceivedSpan[] = [];
  for (const resourceSpans of (request.resourceSpans as Raw[]) ?? []) {
    const resource = attributes(((resourceSpans.resource as Raw | undefined)?.attributes as Raw[]) ?? []);
    for (const scopeSpans of (resourceSpans.scopeSpans as Raw[]) ?? []) {
      const scope = String((scopeSpans.scope as Raw | undefined)?.name ?? '');
      for (const span of (scopeSpans.spans as Raw[]) ?? []) {
        const parent = hex(span.parentSpanId);
        const status = (span.status as Raw | undefined) ?? {};
        spans.push({
          traceId: hex(span.traceId),
          spanId: hex(span.spanId),
          parentSpanId: parent === '' ? undefined : parent,
          name: String(span.name),
          kind: KINDS[Number(span.kind)] ?? 'UNSPECIFIED',
          startMs: nanosToMs(span.startTimeUnixNano),
          endMs: nanosToMs(span.endTimeUnixNano),
          attributes: attributes((span.attributes as Raw[]) ?? []),
          events: ((span.events as Raw[]) ?? []).map(event => ({
            name: String(event.name),
            attributes: attributes((event.attributes as Raw[]) ?? []),
          })),
          links: ((span.links as Raw[]) ?? []).map(link => ({
            traceId: hex(link.traceId),
            spanId: hex(link.spanId),
            ...(link.traceState ? {traceState: String(link.traceState)} : {}),
          })),
          traceState: String(span.traceState ?? ''),
          status: {code: CODES[Number(status.code ?? 0)] ?? 'UNSET', message: String(status.message ?? '')},
          resource,
          scope,
        });
      }
    }
  }
  return spans;
}

export function decodeLogs(body: Buffer): ReceivedLog[] {
  const request = LogsRequestType.toObject(LogsRequestType.decode(body), {longs: String, bytes: Buffer, arrays: true, oneofs: true}) as Raw;
  const logs: ReceivedLog[] = [];
  for (const resourceLogs of (request.resourceLogs as Raw[]) ?? []) {
    const resource = attributes(((resourceLogs.resource as Raw | undefined)?.attributes as Raw[]) ?? []);
    for (const scopeLogs of (resourceLogs.scopeLogs as Raw[]) ?? []) {
      const scope = String((scopeLogs.scope as Raw | undefined)?.name ?? '');
      for (const record of (scopeLogs.logRecords as Raw[]) ?? []) {
        logs.push({
          traceId: hex(record.traceId),
          spanId: hex(record.spanId),
          timeMs: nanosToMs(record.timeUnixNano),
          severityNumber: Number(record.severityNumber ?? 0),
          severityText: String(record.severityText ?? ''),
          body: anyValue(record.body as Raw | undefined),
          attributes: attributes((record.attributes as Raw[]) ?? []),
          resource,
          scope,
        });
      }
    }
  }
  return logs;
}

function hex(value: unknown): string {
  return Buffer.isBuffer(value) ? value.toString('hex') : '';
}

function nanosToMs(value: unknown): number {
  return Number(BigInt(String(value ?? '0')) / 1000n) / 1000;
}

function attributes(list: Raw[]): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const item of list) result[String(item.key)] = anyValue(item.value as Raw | undefined);
  return result;
}

function anyValue(value: Raw | undefined): unknown {
  const field = value?.value;
  if (!value || typeof field !== 'string') return undefined;
  const inner = value[field];
  switch (field) {
    case 'intValue':
      return Number(inner);
    case 'arrayValue':
      return (((inner as Raw).values as Raw[]) ?? []).map(anyValue);
    case 'kvlistValue':
      return attributes(((inner as Raw).values as Raw[]) ?? []);
    default:
      return inner;
  }
}
