import type {ClientRequest, IncomingMessage} from 'node:http';
import {subscribe} from 'node:diagnostics_channel';
import {context, createContextKey, type Span} from '@opentelemetry/api';
import {runInContext} from './context';
import {
  ATTR_HTTP_REQUEST_BODY_CONTENT,
  ATTR_HTTP_RESPONSE_BODY_CONTENT,
  ATTR_JEST_HTTP_REQUEST_BODY_TRUNCATED,
  ATTR_JEST_HTTP_RESPONSE_BODY_TRUNCATED,
} from '../shared/semconv';

/*
 * Opt-in capture of textual request and response bodies (JSON, text, forms, XML) on HTTP client spans, up to a size
 * limit. Observes without changing what the code under test sees: request chunks as they are written, response
 * chunks as they are emitted to the test's own listeners. Secrets in captured bodies are replaced by the redacting
 * span processor before export, like everything else.
 */


const TEXTUAL = /^(text\/|application\/(?:[\w.+-]*\+)?(?:json|xml)\b|application\/x-www-form-urlencoded|application\/graphql|application\/javascript)/i;

export function isTextual(contentType: unknown): boolean {
  const value = Array.isArray(contentType) ? contentType[0] : contentType;
  return typeof value === 'string' && TEXTUAL.test(value.trim());
}

/** Collects the first `limit` bytes of a body. */
class Body {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  truncated = false;

  constructor(private readonly limit: number) {}

  add(chunk: unknown, encoding?: unknown): void {
    if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
    const buffer = Buffer.isBuffer(chunk)
      ? chunk
      : chunk instanceof Uint8Array
        ? Buffer.from(chunk)
        : Buffer.from(String(chunk), typeof encoding === 'string' && Buffer.isEncoding(encoding) ? encoding : 'utf8');
    const room = this.limit - this.size;
    if (buffer.length > room) this.truncated = true;
    if (room <= 0) return;
    const kept = buffer.subarray(0, room);
    this.chunks.push(kept);
    this.size += kept.length;
  }

  get full(): boolean {
    return this.size >= this.limit;
  }

  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }

  recordOn(span: Span, attribute: string, truncatedAttribute: string): void {
    span.setAttribute(attribute, this.text());
    if (this.truncated) span.setAttribute(truncatedAttribute, true);
  }
}

/** Body capture for `node:http` / `node:https` client spans (src/pipeline/http-client.ts). */
export function httpPayloadHooks(limit: number) {
  return {
    requestHook(span: Span, request: ClientRequest): void {
      if (!isTextual(request.getHeader('content-type'))) return;
      const body = new Body(limit);
      const {write, end} = request;
      request.write = function (this: ClientRequest, chunk: unknown, ...rest: unknown[]) {
        body.add(chunk, rest[0]);
        return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
      } as ClientRequest['write'];
      request.end = function (this: ClientRequest, ...args: unknown[]) {
        if (typeof args[0] !== 'function') body.add(args[0], args[1]);
        return (end as (...params: unknown[]) => ClientRequest).apply(this, args);
      } as ClientRequest['end'];
      request.once('finish', () => body.recordOn(span, ATTR_HTTP_REQUEST_BODY_CONTENT, ATTR_JEST_HTTP_REQUEST_BODY_TRUNCATED));
    },
    responseHook(span: Span, response: IncomingMessage): void {
      if (!isTextual(response.headers['content-type'])) return;
      const body = new Body(limit);
      const emit = response.emit;
      response.emit = function (this: IncomingMessage, event: string | symbol, ...args: unknown[]) {
        if (event === 'data') body.add(args[0]);
        else if (event === 'end') body.recordOn(span, ATTR_HTTP_RESPONSE_BODY_CONTENT, ATTR_JEST_HTTP_RESPONSE_BODY_TRUNCATED);
        return emit.call(this, event, ...args);
      } as IncomingMessage['emit'];
    },
  };
}

interface UndiciRequest {
  body?: unknown;
  headers?: string | string[];
}

const responseBodies = new WeakMap<object, {span: Span; body: Body}>();
let subscribed = false;

/**
 * `requestHook` / `responseHook` for `@opentelemetry/instrumentation-undici` (fetch). Request bodies given as a
 * string or bytes are captured; response bodies where Node's fetch reports body chunks (Node.js 24 and later).
 */
export function fetchPayloadHooks(limit: number) {
  if (!subscribed) {
    subscribed = true;
    subscribe('undici:request:bodyChunkReceived', message => {
      const {request, chunk} = message as {request: object; chunk: unknown};
      const entry = responseBodies.get(request);
      if (!entry || entry.body.full) return;
      entry.body.add(chunk);
      entry.body.recordOn(entry.span, ATTR_HTTP_RESPONSE_BODY_CONTENT, ATTR_JEST_HTTP_RESPONSE_BODY_TRUNCATED);
    });
  }
  return {
    requestHook(span: Span, request: UndiciRequest): void {
      if (!isTextual(headerOf(request.headers, 'content-type'))) return;
      // By the time undici reports the request, a fetch body is a stream; the sandbox's fetch kept a copy.
      const source = request.body instanceof Uint8Array || typeof request.body === 'string' ? request.body : context.active().getValue(FETCH_BODY);
      if (typeof source !== 'string' && !(source instanceof Uint8Array)) return;
      const body = new Body(limit);
      body.add(source);
      body.recordOn(span, ATTR_HTTP_REQUEST_BODY_CONTENT, ATTR_JEST_HTTP_REQUEST_BODY_TRUNCATED);
    },
    responseHook(span: Span, {request, response}: {request: object; response: {headers?: unknown}}): void {
      const headers = response.headers as Buffer[] | string[] | undefined;
      if (!isTextual(headerOf(headers?.map(String), 'content-type'))) return;
      responseBodies.set(request, {span, body: new Body(limit)});
    },
  };
}

const FETCH_BODY = createContextKey('jest-environment-otel fetch body');

/**
 * The sandbox's `fetch`, remembering a string, form or bytes body in the context of the call so that the request
 * hook can record it. Everything else is passed through untouched.
 */
export function fetchRememberingBodies(fetch: typeof globalThis.fetch): typeof globalThis.fetch {
  return function fetchWithBody(this: unknown, input, init) {
    const source = init?.body;
    const text =
      typeof source === 'string' || source instanceof URLSearchParams
        ? String(source)
        : ArrayBuffer.isView(source)
          ? new Uint8Array(source.buffer, source.byteOffset, source.byteLength)
          : undefined;
    if (text === undefined) return fetch.call(this, input, init);
    return runInContext(context.active().setValue(FETCH_BODY, text), () => fetch.call(this, input, init)) as ReturnType<typeof fetch>;
  };
}

/** A header from undici's raw forms: "name: value\r\n…" or [name, value, name, value…]. */
function headerOf(headers: string | string[] | undefined, name: string): string | undefined {
  if (typeof headers === 'string') {
    const line = headers.split('\r\n').find(item => item.toLowerCase().startsWith(`${name}:`));
    return line?.slice(name.length + 1).trim();
  }
  if (Array.isArray(headers)) {
    for (let index = 0; index + 1 < headers.length; index += 2) {
      if (String(headers[index]).toLowerCase() === name) return String(headers[index + 1]);
    }
  }
  return undefined;
}
