import {REDACTED, RedactingSpanProcessor, SECRET_QUERY_PARAMS, isSecretHeader, redactBody, redactQuery, redactUrl} from '../../src/pipeline/redact';
import {memoryTracing, onlySpan} from './tracing';

const SECRETS: ReadonlySet<string> = new Set(SECRET_QUERY_PARAMS);

describe('redactUrl', () => {
  test('replaces user and password of a URL', () => {
    expect(redactUrl('https://alice:s3cret@api.example.com/v1/items', SECRETS)).toBe('https://REDACTED:REDACTED@api.example.com/v1/items');
    expect(redactUrl('postgres://admin:pw@db:5432/app', SECRETS)).toBe('postgres://REDACTED:REDACTED@db:5432/app');
    expect(redactUrl('https://token@github.com/org/repo.git', SECRETS)).toBe('https://REDACTED:REDACTED@github.com/org/repo.git');
  });

  test('leaves an @ in the path, query or a plain text alone', () => {
    expect(redactUrl('https://example.com/users/@alice', SECRETS)).toBe('https://example.com/users/@alice');
    expect(redactUrl('https://example.com/invite?email=a@b.c', SECRETS)).toBe('https://example.com/invite?email=a@b.c');
    expect(redactUrl('mail alice@example.com', SECRETS)).toBe('mail alice@example.com');
  });

  test('replaces the values of secret query parameters only', () => {
    expect(redactUrl('https://example.com/cb?code=1&access_token=abc&state=xyz&password=p', SECRETS)).toBe(
      'https://example.com/cb?code=1&access_token=REDACTED&state=xyz&password=REDACTED',
    );
  });

  test('redacts credentials and query together, and leaves a URL without secrets unchanged', () => {
    expect(redactUrl('http://u:p@h/x?sig=1', SECRETS)).toBe('http://REDACTED:REDACTED@h/x?sig=REDACTED');
    const harmless = 'https://example.com/search?q=token&page=2#top';
    expect(redactUrl(harmless, SECRETS)).toBe(harmless);
  });

  test('stops the query at the fragment, which is kept as it is', () => {
    expect(redactUrl('https://example.com/p?x=1&token=abc#page=2', SECRETS)).toBe('https://example.com/p?x=1&token=REDACTED#page=2');
    expect(redactUrl('https://example.com/p?sig=abc#', SECRETS)).toBe('https://example.com/p?sig=REDACTED#');
  });

  test('works on a path with a query but no scheme', () => {
    expect(redactUrl('/api/items?apikey=k&limit=5', SECRETS)).toBe('/api/items?apikey=REDACTED&limit=5');
  });
});

describe('redactQuery', () => {
  test('with and without a leading ?', () => {
    expect(redactQuery('token=abc&page=1', SECRETS)).toBe('token=REDACTED&page=1');
    expect(redactQuery('?token=abc&page=1', SECRETS)).toBe('?token=REDACTED&page=1');
  });

  test('matches names case-insensitively and keeps the name as it was written', () => {
    expect(redactQuery('Token=a&API_KEY=b&X-Amz-Signature=c', SECRETS)).toBe('Token=REDACTED&API_KEY=REDACTED&X-Amz-Signature=REDACTED');
  });

  test('decodes percent-encoded names and + as a space before matching', () => {
    expect(redactQuery('client%5Fsecret=a&%74oken=b', SECRETS)).toBe('client%5Fsecret=REDACTED&%74oken=REDACTED');
    expect(redactQuery('session+id=a&session id=b&other=c', new Set(['session id']))).toBe('session+id=REDACTED&session id=REDACTED&other=c');
  });

  test('keeps a malformed escape, a name without value and empty parts as they are', () => {
    expect(redactQuery('%E0%A4%A=1&token&&key=', SECRETS)).toBe('%E0%A4%A=1&token&&key=REDACTED');
  });

  test('does not match parameter names that only contain a secret name', () => {
    expect(redactQuery('tokens=1&my_token=2&keyword=3', SECRETS)).toBe('tokens=1&my_token=2&keyword=3');
  });
});

test('isSecretHeader is case-insensitive', () => {
  expect(isSecretHeader('Authorization')).toBe(true);
  expect(isSecretHeader('SET-COOKIE')).toBe(true);
  expect(isSecretHeader('content-type')).toBe(false);
});

describe('RedactingSpanProcessor in a real pipeline', () => {
  function exportOne(attributes: Record<string, string | number | string[]>, extraParams?: string[]) {
    const tracing = memoryTracing([new RedactingSpanProcessor(extraParams)]);
    const span = tracing.tracer.startSpan('GET');
    span.setAttributes(attributes);
    span.end();
    return onlySpan(tracing.spans(), 'GET').attributes;
  }

  test('secret URLs, queries and headers are redacted before the exporter sees them; other attributes are untouched', () => {
    const attributes = exportOne({
      'url.full': 'https://bob:hunter2@api.example.com/v1?api_key=k1&limit=10',
      'url.query': 'token=t1&q=cats',
      'http.request.header.authorization': 'Bearer abc',
      'http.response.header.set-cookie': ['sid=1', 'csrf=2'],
      'http.request.header.x_api_key': 'k2',
      'http.request.header.accept': 'application/json',
      'http.response.status_code': 200,
      'server.address': 'api.example.com',
      'user.email': 'bob@example.com',
    });
    expect(attributes).toEqual({
      'url.full': `https://${REDACTED}:${REDACTED}@api.example.com/v1?api_key=${REDACTED}&limit=10`,
      'url.query': `token=${REDACTED}&q=cats`,
      'http.request.header.authorization': REDACTED,
      'http.response.header.set-cookie': REDACTED,
      'http.request.header.x_api_key': REDACTED,
      'http.request.header.accept': 'application/json',
      'http.response.status_code': 200,
      'server.address': 'api.example.com',
      'user.email': 'bob@example.com',
    });
  });

  test('the strings of an array are redacted as a string would be: a describe path naming a URL with credentials', () => {
    const attributes = exportOne({
      'jest.describe.path': ['GET https://bob:hunter2@api.example.com/v1', 'with ?token=t1', 'plain title'],
      'jest.test.title': 'GET https://bob:hunter2@api.example.com/v1',
    });
    expect(attributes['jest.describe.path']).toEqual([`GET https://${REDACTED}:${REDACTED}@api.example.com/v1`, `with ?token=${REDACTED}`, 'plain title']);
    expect(attributes['jest.test.title']).toBe(`GET https://${REDACTED}:${REDACTED}@api.example.com/v1`);
    expect(JSON.stringify(attributes)).not.toContain('hunter2');
  });

  test('a span named after a URL with credentials is renamed without them', () => {
    const tracing = memoryTracing([new RedactingSpanProcessor()]);
    tracing.tracer.startSpan('checkout GET https://bob:hunter2@api.example.com/v1 answers 200').end();
    tracing.tracer.startSpan('signs in as bob@example.com').end();
    expect(tracing.spans().map(span => span.name)).toEqual([`checkout GET https://${REDACTED}:${REDACTED}@api.example.com/v1 answers 200`, 'signs in as bob@example.com']);
  });

  test('extra query parameter names are redacted too, case-insensitively', () => {
    const attributes = exportOne({'url.full': 'https://example.com/?Ticket=s&page=1', 'url.query': 'TICKET=s'}, ['ticket']);
    expect(attributes['url.full']).toBe(`https://example.com/?Ticket=${REDACTED}&page=1`);
    expect(attributes['url.query']).toBe(`TICKET=${REDACTED}`);
  });

  test('a secret set on an active span never reaches the exporter', () => {
    const tracing = memoryTracing([new RedactingSpanProcessor()]);
    tracing.tracer.startActiveSpan('request', span => {
      span.setAttribute('http.request.header.cookie', 'sid=very-secret');
      span.setAttribute('url.full', 'http://h/?password=very-secret');
      span.end();
    });
    const exported = JSON.stringify(tracing.spans().map(span => span.attributes));
    expect(exported).not.toContain('very-secret');
    expect(tracing.spans()).toHaveLength(1);
  });
});

describe('redactUrl edge cases', () => {
  test('a password containing @ is redacted whole: the userinfo ends at the last @ before the path', () => {
    expect(redactUrl('https://user:p@ss@host/x?a=1@2', SECRETS)).toBe(`https://${REDACTED}:${REDACTED}@host/x?a=1@2`);
  });

  test('secret parameters in the fragment (OAuth implicit flow) are redacted too', () => {
    expect(redactUrl('https://app.test/callback#access_token=abc&state=xyz', SECRETS)).toBe(
      `https://app.test/callback#access_token=${REDACTED}&state=xyz`,
    );
  });
});

describe('redactBody', () => {
  test('JSON keys named like secrets, at any depth and in any case, even in a body cut short', () => {
    const body = '{"user":"ada","Password":"hunter2","nested":{"token":"a\\"b","n":1},"list":[{"secret":true}],"apiKey":12';
    expect(redactBody(body, SECRETS)).toBe(
      `{"user":"ada","Password":"${REDACTED}","nested":{"token":"${REDACTED}","n":1},"list":[{"secret":"${REDACTED}"}],"apiKey":"${REDACTED}"`,
    );
    expect(redactBody('{"password": "hunt', SECRETS)).toBe(`{"password": "${REDACTED}"`);
  });

  test('form bodies are redacted field by field; plain text is left alone', () => {
    expect(redactBody('user=ada&client_secret=s3&x=1', SECRETS)).toBe(`user=ada&client_secret=${REDACTED}&x=1`);
    expect(redactBody('the password is hunter2', SECRETS)).toBe('the password is hunter2');
  });
});
