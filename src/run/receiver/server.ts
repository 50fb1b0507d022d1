import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http';
import type {AddressInfo, Socket} from 'node:net';
import {gunzip} from 'node:zlib';
import {encodeTraceRequest, type EncodedRequest} from './decode';
import {QUERY_PATH} from './query';

/*
 * An OTLP/HTTP trace receiver (`POST /v1/traces`, protobuf or JSON, gzip or not) for the services a test run talks
 * to. Every request is answered, however bad: 400 for a body that does not decode, 413 for one over the limit
 * (before or after gunzip), 415 for another content type or encoding, 404/405 elsewhere. Reads of a trace by the
 * tests' assertions go to `options.query`. Nothing it does keeps the process alive.
 */

export interface TraceRequest {
  resourceSpans: Array<Record<string, any>>;
}

/** What the server hands on: a protobuf request already as its store line, a JSON one as parsed. */
export type AcceptedRequest = TraceRequest | EncodedRequest;

export interface ServerOptions {
  host: string;
  port: number;
  /** The largest body accepted, compressed or not, in bytes. */
  maxBodyBytes: number;
  /** Answers the requests under `QUERY_PATH` (the trace assertions' reads); without it they get 404. */
  query?: (request: IncomingMessage, response: ServerResponse) => Promise<void>;
}

export interface RunningServer {
  host: string;
  port: number;
  /** The configured port was taken, so the server listens on another one. */
  portWasTaken: boolean;
  close(): Promise<void>;
}

export const TRACES_PATH = '/v1/traces';

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function startServer(options: ServerOptions, accept: (request: AcceptedRequest) => void): Promise<RunningServer> {
  const sockets = new Set<Socket>();
  const servers: Server[] = [];
  const make = () => {
    const server = createServer((request, response) => {
      const query = options.query;
      if (query && (request.url ?? '').startsWith(QUERY_PATH)) void query(request, response).catch(() => response.destroy());
      else void handle(request, response, options.maxBodyBytes, accept);
    });
    server.on('connection', socket => {
      socket.unref();
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    });
    server.on('error', () => undefined);
    servers.push(server);
    return server;
  };
  let port = options.port;
  let portWasTaken = false;
  try {
    await listen(make(), options.host, port);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || port === 0) throw error;
    servers.pop();
    portWasTaken = true;
    port = 0;
    await listen(make(), options.host, 0);
  }
  port = (servers[0].address() as AddressInfo).port;
  // `localhost` may resolve to ::1 first: answer there too when the host is IPv4 loopback and ::1 is free.
  if (options.host === '127.0.0.1') await listen(make(), '::1', port).catch(() => servers.pop());
  for (const server of servers) server.unref();
  return {
    host: options.host,
    port,
    portWasTaken,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await Promise.all(servers.map(server => new Promise(resolve => server.close(resolve))));
    },
  };
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({host, port, exclusive: true}, () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
}

async function handle(request: IncomingMessage, response: ServerResponse, maxBodyBytes: number, accept: (request: AcceptedRequest) => void): Promise<void> {
  let json = false;
  try {
    const path = (request.url ?? '').split('?')[0];
    if (path !== TRACES_PATH) throw new HttpError(404, `only ${TRACES_PATH} is served here`);
    if (request.method !== 'POST') throw new HttpError(405, `${TRACES_PATH} takes POST`);
    const type = String(request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    json = type === 'application/json';
    if (!json && type !== 'application/x-protobuf' && type !== 'application/protobuf') {
      throw new HttpError(415, `content-type must be application/x-protobuf or application/json, got "${type}"`);
    }
    const encoding = String(request.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
    if (encoding !== 'gzip' && encoding !== 'identity' && encoding !== '') throw new HttpError(415, `content-encoding must be gzip or none, got "${encoding}"`);
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBodyBytes) throw new HttpError(413, `the body is over ${maxBodyBytes} bytes`);
    let body = await readBody(request, maxBodyBytes);
    if (encoding === 'gzip') body = await gunzipped(body, maxBodyBytes);
    accept(json ? parseJson(body) : parseProtobuf(body));
    respond(response, 200, json ? 'application/json' : 'application/x-protobuf', json ? '{}' : '');
  } catch (error) {
    const status = error instanceof HttpError ? error.status : 400;
    const message = error instanceof Error ? error.message : String(error);
    if (!response.headersSent) respond(response, status, 'text/plain; charset=utf-8', `${message}\n`, status === 413);
    else response.destroy();
  }
}

function respond(response: ServerResponse, status: number, type: string, body: string, close = false): void {
  response.writeHead(status, {'content-type': type, 'content-length': Buffer.byteLength(body), ...(close ? {connection: 'close'} : {})});
  response.end(body);
}

function readBody(request: IncomingMessage, maxBodyBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes) {
        // Keep reading (and dropping) so the 413 reaches the client instead of a reset.
        chunks.length = 0;
        request.removeAllListeners('data');
        request.resume();
        reject(new HttpError(413, `the body is over ${maxBodyBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function gunzipped(body: Buffer, maxBodyBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    gunzip(body, {maxOutputLength: maxBodyBytes}, (error, result) => {
      if (!error) resolve(result);
      else if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') reject(new HttpError(413, `the body is over ${maxBodyBytes} bytes once gunzipped`));
      else reject(new HttpError(400, `the body is not valid gzip: ${error.message}`));
    });
  });
}

function parseProtobuf(body: Buffer): EncodedRequest {
  try {
    return encodeTraceRequest(body);
  } catch (error) {
    throw new HttpError(400, `the body is not an OTLP/protobuf ExportTraceServiceRequest: ${(error as Error).message}`);
  }
}

function parseJson(body: Buffer): TraceRequest {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new HttpError(400, `the body is not JSON: ${(error as Error).message}`);
  }
  const resourceSpans = (value as {resourceSpans?: unknown} | null)?.resourceSpans;
  if (typeof value !== 'object' || value === null || (resourceSpans !== undefined && !Array.isArray(resourceSpans))) {
    throw new HttpError(400, 'the body is not an OTLP/JSON ExportTraceServiceRequest (expected an object with a resourceSpans array)');
  }
  return {resourceSpans: (resourceSpans ?? []) as TraceRequest['resourceSpans']};
}
