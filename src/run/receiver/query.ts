import type {IncomingMessage, ServerResponse} from 'node:http';
import {timingSafeEqual} from 'node:crypto';
import {isIP} from 'node:net';
import type {ReceivedSpans} from './received';

/*
 * The receiver's read side, for the trace assertions of the tests (src/trace-assertions/): `GET
 * /jest-otel/v1/traces/<trace id>?known=<n>&waitMillis=<ms>` answers the spans received so far of one trace, as one
 * OTLP/JSON request with counts beside it; with `known`, it answers once the trace holds more than that many spans
 * or `waitMillis` has passed (a long poll). Only processes of this machine that know the run's token may ask: the
 * request must come from a loopback address (the receiver may listen on every interface for containers, which may
 * send spans but never read them) and carry the token the run gave its workers in `JEST_OTEL_RECEIVER_QUERY_TOKEN`.
 */

export const QUERY_PATH = '/jest-otel/v1/traces/';
export const QUERY_TOKEN_HEADER = 'x-jest-otel-token';
/** The longest a query is held open. */
const MAX_WAIT_MILLIS = 30_000;
const TRACE_ID = /^[0-9a-f]{32}$/;

export interface QueryAnswer {
  status: number;
  body: string;
}

export async function answerQuery(request: IncomingMessage, received: ReceivedSpans, token: string): Promise<QueryAnswer> {
  if (request.method !== 'GET') return problem(405, `${QUERY_PATH}<trace id> takes GET`);
  if (!isLoopback(request.socket.remoteAddress)) return problem(403, 'traces are read from this machine only');
  if (!sameToken(String(request.headers[QUERY_TOKEN_HEADER] ?? ''), token)) return problem(403, `the ${QUERY_TOKEN_HEADER} header must hold the run's token`);
  const url = new URL(request.url ?? '/', 'http://receiver');
  const traceId = decodeURIComponent(url.pathname.slice(QUERY_PATH.length)).toLowerCase();
  if (!TRACE_ID.test(traceId)) return problem(400, 'a trace id is 32 hex digits');
  const known = Number(url.searchParams.get('known') ?? -1);
  const waitMillis = Math.min(MAX_WAIT_MILLIS, Math.max(0, Number(url.searchParams.get('waitMillis') ?? 0) || 0));
  if (Number.isFinite(known) && known >= 0) await received.whenMore(traceId, known, waitMillis);
  return {status: 200, body: JSON.stringify(received.trace(traceId))};
}

function problem(status: number, message: string): QueryAnswer {
  return {status, body: JSON.stringify({error: message})};
}

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const plain = address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
  return plain === '::1' || (isIP(plain) === 4 && plain.startsWith('127.'));
}

function sameToken(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return token !== '' && a.length === b.length && timingSafeEqual(a, b);
}

export function writeAnswer(response: ServerResponse, answer: QueryAnswer): void {
  if (response.destroyed) return;
  response.writeHead(answer.status, {'content-type': 'application/json', 'content-length': Buffer.byteLength(answer.body), 'cache-control': 'no-store'});
  response.end(answer.body);
}
