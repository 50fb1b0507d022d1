import {subscribe, unsubscribe} from 'node:diagnostics_channel';
import type {ClientRequest, IncomingMessage} from 'node:http';
import type {Socket} from 'node:net';
import {context, propagation, trace, SpanKind, SpanStatusCode, type Attributes, type Span, type Tracer} from '@opentelemetry/api';
import {isTracingSuppressed} from '@opentelemetry/core';
import {safely} from '../shared/diag';

/*
 * Client spans for `node:http` / `node:https` requests, made from the diagnostics channels Node publishes for every
 * ClientRequest, the way OpenTelemetry's undici instrumentation traces fetch. OpenTelemetry's http instrumentation
 * wraps `request`/`get` and binds every listener of each request and response to a context; in a test run that
 * cost more than the request itself (see BENCHMARKS.md). Node already runs a request's listeners in the context the
 * request was made in, so nothing is wrapped here: a span starts when the request is created (in the caller's
 * context, whose `traceparent` it gets), takes the response's status when its head arrives, and ends when the
 * response ends, the request fails, or the request closes before either (an abort) — each time before the user's
 * own listeners for that event run. Incoming requests (servers started by tests) stay with the http instrumentation.
 */

const CREATED = 'http.client.request.created';
const RESPONSE = 'http.client.response.finish';
const FAILED = 'http.client.request.error';

export interface HttpClientTracing {
  /** Request headers recorded as `http.request.header.<name>` (lower case). */
  requestHeaders: string[];
  /** Response headers recorded as `http.response.header.<name>` (lower case). */
  responseHeaders: string[];
  /** Body capture, called when the request is created and when the response's head arrives. */
  hooks?: {
    requestHook(span: Span, request: ClientRequest): void;
    responseHook(span: Span, response: IncomingMessage): void;
  };
}

/** What makes the spans: a tracer, or the package's span records (src/pipeline/record-span.ts). */
export type SpanStarter = Pick<Tracer, 'startSpan'>;

/** The span of a request in flight, whether its response's head arrived, and whether its URL still lacks the port. */
interface InFlight {
  span: Span;
  answered: boolean;
  portUnknown: boolean;
}
const spanByRequest = new WeakMap<ClientRequest, InFlight>();
const headerSetter = {
  set(request: ClientRequest, key: string, value: string) {
    request.setHeader(key, value);
  },
};

/**
 * The header names to record (lower case), set by `traceHttpClient`: the request's when its span ends, the response's
 * when its head arrives.
 */
let captured = {request: [] as string[], response: [] as string[]};
let subscribed = false;

/** Subscribes once per process; later calls are ignored (the pipeline is built once per worker). Returns the unsubscribe. */
export function traceHttpClient(tracer: SpanStarter, options: HttpClientTracing): () => void {
  if (subscribed) return () => {};
  subscribed = true;
  const lowerCase = (names: string[]) => names.map(name => name.toLowerCase());
  captured = {request: lowerCase(options.requestHeaders), response: lowerCase(options.responseHeaders)};
  const handlers: Array<[string, (message: unknown) => void]> = [
    [CREATED, message => safely('tracing an http request', () => started(tracer, (message as {request: ClientRequest}).request, options.hooks))],
    [
      RESPONSE,
      message =>
        safely('tracing an http response', () => {
          const {request, response} = message as {request: ClientRequest; response: IncomingMessage};
          answered(request, response, options.hooks);
        }),
    ],
    [
      FAILED,
      message =>
        safely('tracing an http request', () => {
          const {request, error} = message as {request: ClientRequest; error: Error};
          failed(request, error);
        }),
    ],
  ];
  for (const [name, handler] of handlers) subscribe(name, handler);
  return () => {
    for (const [name, handler] of handlers) unsubscribe(name, handler);
    subscribed = false;
    captured = {request: [], response: []};
  };
}

function started(tracer: SpanStarter, request: ClientRequest, hooks: HttpClientTracing['hooks']): void {
  const parent = context.active();
  if (isTracingSuppressed(parent)) return;
  const method = request.method;
  const port = portNamed(request);
  const attributes: Attributes = {'http.request.method': method, 'server.address': request.host, 'url.full': urlOf(request, port)};
  if (port !== undefined) attributes['server.port'] = port;
  const span = tracer.startSpan(method, {kind: SpanKind.CLIENT, attributes}, parent);
  spanByRequest.set(request, {span, answered: false, portUnknown: port === undefined});
  if (!request.headersSent) propagation.inject(trace.setSpan(parent, span), request, headerSetter);
  hooks?.requestHook(span, request);
  if (port === undefined) request.once('socket', socket => whenConnected(socket, () => learnOnce(request, socket.remotePort)));
  request.once('close', () => closed(request));
}

/** A request's port, learnt from its connection as soon as there is one (it may be cut before any answer). */
function learnOnce(request: ClientRequest, port: number | undefined): void {
  const inFlight = spanByRequest.get(request);
  if (inFlight && port !== undefined) learnPort(inFlight, request, port);
}

function whenConnected(socket: Socket, then: () => void): void {
  if (socket.connecting) socket.once('connect', then);
  else then();
}

function answered(request: ClientRequest, response: IncomingMessage, hooks: HttpClientTracing['hooks']): void {
  const inFlight = spanByRequest.get(request);
  if (!inFlight) return;
  recordHead(inFlight, request, response);
  hooks?.responseHook(inFlight.span, response);
  response.once('end', () => end(request));
}

/** The status, protocol, peer and allowlisted headers of a response's head; the port, if it was not known yet. */
function recordHead(inFlight: InFlight, request: ClientRequest, response: IncomingMessage): void {
  inFlight.answered = true;
  const span = inFlight.span;
  const status = response.statusCode ?? 0;
  span.setAttribute('http.response.status_code', status);
  span.setAttribute('network.protocol.version', response.httpVersion);
  const socket = request.socket;
  if (socket?.remoteAddress) {
    span.setAttribute('network.peer.address', socket.remoteAddress);
    if (socket.remotePort !== undefined) {
      span.setAttribute('network.peer.port', socket.remotePort);
      learnPort(inFlight, request, socket.remotePort);
    }
  }
  for (const name of captured.response) {
    const value = response.headers[name];
    if (value !== undefined) span.setAttribute(`http.response.header.${name}`, Array.isArray(value) ? value : [value]);
  }
  if (status >= 400 || status < 100) {
    span.setAttribute('error.type', String(status));
    span.setStatus({code: SpanStatusCode.ERROR});
  }
}

function failed(request: ClientRequest, error: Error): void {
  const inFlight = spanByRequest.get(request);
  if (!inFlight) return;
  const span = inFlight.span;
  // A refused or timed-out connection names the port it tried.
  const tried = (error as {port?: unknown}).port;
  if (typeof tried === 'number') learnPort(inFlight, request, tried);
  span.recordException(error);
  span.setStatus({code: SpanStatusCode.ERROR, message: error.message});
  span.setAttribute('error.type', (error as NodeJS.ErrnoException).code ?? error.name);
  end(request);
}

/**
 * Closed before its response ended (and without an error): aborted, unless the connection was upgraded. An upgrade
 * (WebSocket…) or a CONNECT hands the socket over with no response event, its head in `request.res`; that is no
 * failure.
 */
function closed(request: ClientRequest): void {
  const inFlight = spanByRequest.get(request);
  if (!inFlight) return;
  const {upgradeOrConnect: switched, res: head} = request as ClientRequest & {upgradeOrConnect?: boolean; res?: IncomingMessage | null};
  if (switched && !inFlight.answered && head) recordHead(inFlight, request, head);
  if (!switched) inFlight.span.setStatus({code: SpanStatusCode.ERROR, message: inFlight.answered ? 'the response was aborted' : 'the request was aborted'});
  end(request);
}

/** Request headers are read here, once the request is sent: headers set after `http.request()` returned count too. */
function end(request: ClientRequest): void {
  const inFlight = spanByRequest.get(request);
  if (!inFlight) return;
  spanByRequest.delete(request);
  for (const name of captured.request) {
    const value = request.getHeader(name);
    if (value !== undefined) inFlight.span.setAttribute(`http.request.header.${name}`, Array.isArray(value) ? value : [String(value)]);
  }
  inFlight.span.end();
}

/**
 * The port the request goes to, when its `Host` header tells it: the header Node writes names the host and port the
 * request was made for. A `Host` naming another host (a proxy passing on its caller's, a virtual host) says nothing
 * of where the request goes: then the port is taken from the connection. Headers given as a raw array are already
 * rendered, with no header to read.
 */
function portNamed(request: ClientRequest): number | undefined {
  const host = request.headersSent ? undefined : request.getHeader('host');
  if (typeof host !== 'string') return undefined;
  const match = /^(\[[^\]]*\]|[^:]*)(?::(\d+))?$/.exec(host.trim());
  if (!match || match[1].toLowerCase() !== bracketed(request.host).toLowerCase()) return undefined;
  return match[2] === undefined ? defaultPort(request) : Number(match[2]);
}

function learnPort(inFlight: InFlight, request: ClientRequest, port: number): void {
  if (!inFlight.portUnknown) return;
  inFlight.portUnknown = false;
  inFlight.span.setAttribute('server.port', port);
  inFlight.span.setAttribute('url.full', urlOf(request, port));
}

function urlOf(request: ClientRequest, port: number | undefined): string {
  const authority = port === undefined || port === defaultPort(request) ? bracketed(request.host) : `${bracketed(request.host)}:${port}`;
  return `${request.protocol}//${authority}${request.path}`;
}

function defaultPort(request: ClientRequest): number {
  return request.protocol === 'https:' ? 443 : 80;
}

function bracketed(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
