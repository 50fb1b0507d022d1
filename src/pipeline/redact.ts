import type {Span, SpanProcessor} from '@opentelemetry/sdk-trace';
import {ATTR_HTTP_REQUEST_BODY_CONTENT, ATTR_HTTP_RESPONSE_BODY_CONTENT} from '../shared/semconv';

/*
 * Last line of defence against secrets in exported spans. Runs in `onEnding`, while the span is still writable, for
 * every span of the worker (ours, the instrumentations', the user's): credentials in URLs, secret query parameters
 * and secret header attributes are replaced before any exporter sees them.
 */
export const REDACTED = 'REDACTED';

export const SECRET_HEADERS: readonly string[] = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'api-key',
  'apikey',
  'x-auth-token',
  'x-access-token',
  'x-csrf-token',
  'x-xsrf-token',
  'x-amz-security-token',
];

/** Names whose values are secrets: in query strings, form bodies and JSON bodies. */
export const SECRET_QUERY_PARAMS: readonly string[] = [
  'password',
  'new_password',
  'current_password',
  'private_key',
  'privatekey',
  'credentials',
  'credential',
  'session',
  'sessionid',
  'session_id',
  'cookie',
  'passwd',
  'pwd',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'secret',
  'client_secret',
  'api_key',
  'apikey',
  'api-key',
  'key',
  'auth',
  'authorization',
  'signature',
  'sig',
  'x-amz-signature',
  'x-amz-credential',
  'x-amz-security-token',
  'x-goog-signature',
  'x-goog-credential',
];

const HEADER_ATTRIBUTE = /^(?:http\.(?:request|response)\.header\.)(.+)$/;
const URL_LIKE = /^[a-z][a-z0-9+.-]*:\/\//i;
const EMBEDDED_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#]*@/gi;

export function isSecretHeader(name: string, extra: readonly string[] = []): boolean {
  const lower = name.toLowerCase();
  return SECRET_HEADERS.includes(lower) || extra.includes(lower);
}

/** Replaces `user:password@` and the values of secret query parameters in a URL-ish string. */
export function redactUrl(value: string, secretParams: ReadonlySet<string>): string {
  let result = value;
  if (URL_LIKE.test(result)) {
    // Up to the last `@` before the path, as URL parsers split it: a password may contain `@`.
    result = result.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, `$1${REDACTED}:${REDACTED}@`);
  }
  // A URL inside a text (a test named after the request it makes): its user information ends at the first blank.
  if (result.includes('://')) result = result.replace(EMBEDDED_USERINFO, `$1${REDACTED}:${REDACTED}@`);
  const hash = result.indexOf('#');
  const beforeHash = hash === -1 ? result : result.slice(0, hash);
  // A fragment can carry parameters too (OAuth implicit flow: #access_token=…).
  const fragment = hash === -1 ? '' : `#${redactQuery(result.slice(hash + 1), secretParams)}`;
  const query = beforeHash.indexOf('?');
  if (query === -1) return beforeHash + fragment;
  return beforeHash.slice(0, query + 1) + redactQuery(beforeHash.slice(query + 1), secretParams) + fragment;
}

export function redactQuery(query: string, secretParams: ReadonlySet<string>): string {
  if (query.startsWith('?')) return `?${redactQuery(query.slice(1), secretParams)}`;
  return query
    .split('&')
    .map(pair => {
      const index = pair.indexOf('=');
      if (index === -1) return pair;
      let name = pair.slice(0, index);
      try {
        name = decodeURIComponent(name.replace(/\+/g, ' '));
      } catch {
        // keep the raw name
      }
      return secretParams.has(name.toLowerCase()) ? `${pair.slice(0, index)}=${REDACTED}` : pair;
    })
    .join('&');
}

/**
 * Secret fields in a captured body, which may be cut short: `"name": value` pairs of JSON whose name is a secret
 * name, and the values of form fields with a secret name.
 */
export function redactBody(body: string, secretNames: ReadonlySet<string>): string {
  const json = body.replace(/"((?:[^"\\]|\\.)*)"(\s*:\s*)("(?:[^"\\]|\\.)*"?|[^,{}[\]\s"]+)/g, (match, name: string, colon: string) =>
    secretNames.has(name.toLowerCase()) ? `"${name}"${colon}"${REDACTED}"` : match,
  );
  if (json !== body || !/^[^\s{}[\]"]*=[^\s{}[\]"]*$/.test(body)) return json;
  return redactQuery(body, secretNames);
}

const BODY_ATTRIBUTES = new Set<string>([ATTR_HTTP_REQUEST_BODY_CONTENT, ATTR_HTTP_RESPONSE_BODY_CONTENT]);

function redactValue(key: string, value: string, secretParams: ReadonlySet<string>): string {
  if (BODY_ATTRIBUTES.has(key)) return redactBody(value, secretParams);
  if (key === 'url.query') return redactQuery(value, secretParams);
  return redactText(value, secretParams);
}

/** A text that may hold a URL (an attribute's value, a span's name): credentials and secret parameters redacted. */
function redactText(value: string, secretParams: ReadonlySet<string>): string {
  return value.includes('?') || value.includes('@') || value.includes('#') ? redactUrl(value, secretParams) : value;
}

/** An attribute's value with its secrets replaced (the value itself when it holds none). */
export function redactAttribute(key: string, value: unknown, secretParams: ReadonlySet<string>, extraHeaders: readonly string[] = []): unknown {
  const header = key.startsWith('http.') ? HEADER_ATTRIBUTE.exec(key) : null;
  if (header && isSecretHeader(header[1].replace(/_/g, '-'), extraHeaders)) return REDACTED;
  if (typeof value === 'string') return redactValue(key, value, secretParams);
  return Array.isArray(value) ? redactArray(key, value, secretParams) : value;
}

/** An array's strings redacted as its key's string would be (a describe path's titles, a list of URLs); the array itself when none changes. */
function redactArray(key: string, values: readonly unknown[], secretParams: ReadonlySet<string>): readonly unknown[] {
  let redacted: unknown[] | undefined;
  for (let index = 0; index < values.length; index += 1) {
    const value = values[index];
    if (typeof value !== 'string') continue;
    const replaced = redactValue(key, value, secretParams);
    if (replaced === value) continue;
    redacted ??= [...values];
    redacted[index] = replaced;
  }
  return redacted ?? values;
}

/** The secret query parameter names: the built-in ones and `extra`, lower case. */
export function secretParamsOf(extra: readonly string[] = []): ReadonlySet<string> {
  return new Set([...SECRET_QUERY_PARAMS, ...extra.map(name => name.toLowerCase())]);
}

export class RedactingSpanProcessor implements SpanProcessor {
  private readonly secretParams: ReadonlySet<string>;

  constructor(
    extraQueryParams: readonly string[] = [],
    private readonly extraHeaders: readonly string[] = [],
  ) {
    this.secretParams = secretParamsOf(extraQueryParams);
  }

  onStart(): void {}

  // Runs at the end of every span: no array per attribute, and the header pattern only for keys that can match it.
  onEnding(span: Span): void {
    // A test's span is named after the test: a URL with credentials in a test's name is redacted there too.
    const name = redactText(span.name, this.secretParams);
    if (name !== span.name) span.updateName(name);
    const attributes = span.attributes;
    for (const key in attributes) {
      const value = attributes[key];
      const redacted = redactAttribute(key, value, this.secretParams, this.extraHeaders);
      if (redacted !== value) span.setAttribute(key, redacted as string | string[]);
    }
  }

  onEnd(): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
