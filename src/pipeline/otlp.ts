import {request as httpRequest, Agent as HttpAgent} from 'node:http';
import {request as httpsRequest, Agent as HttpsAgent} from 'node:https';
import {gzipSync} from 'node:zlib';
import {ExportResultCode, type ExportResult} from '@opentelemetry/core';
import type {ReadableSpan} from '@opentelemetry/sdk-trace';
import {CollectorBreaker} from './breaker';
import {holdContext} from './context';
import type {OtlpTarget} from '../shared/config';
import {invocationId} from '../shared/run-id';
import {encodeTraceRequest} from './encode-protobuf';
import {isEncoded, type QueuedSpan} from './encoded-span';
import {traceSerializers} from './serializers';

/*
 * OTLP/HTTP protobuf export with a retry policy made for test runs. The stock exporter's transport retries a refused
 * connection for up to ten seconds on timers that keep the process alive, so a stopped collector costs seconds per
 * test file and Jest's "did not exit" warning. Here:
 *  - a collector that is not there (refused, unknown host, unreachable) fails at once and is not asked again for a
 *    while: later test files pay nothing;
 *  - 408, 429, 5xx, resets and timeouts are retried with exponential backoff (Retry-After honoured) until the
 *    export's deadline, so a collector that recovers still gets every span;
 *  - a collector that did not take an export by its deadline is not asked again in this run (src/pipeline/breaker.ts): the
 *    exports in flight in this process end at once, and later ones, in any worker, fail without waiting;
 *  - no timer or idle socket of ours keeps a process alive.
 * Spans are written to protobuf by the package's own encoder (src/pipeline/encode-protobuf.ts), OpenTelemetry's
 * serializer only if it fails; log records by OpenTelemetry's.
 */

const INITIAL_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 2_000;
const UNREACHABLE_PAUSE_MS = 10_000;
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);

type Attempt =
  | {kind: 'success'}
  | {kind: 'retry'; error: Error; afterMs?: number}
  | {kind: 'fail'; error: Error}
  | {kind: 'unreachable'; error: Error};

/** Serializes a batch to an OTLP protobuf request body. */
export type Serialize<Item> = (items: Item[]) => Uint8Array | undefined;

const serializeSpans: Serialize<QueuedSpan> = spans => {
  try {
    return encodeTraceRequest(spans);
  } catch (error) {
    // OpenTelemetry's serializer cannot write the spans encoded already.
    if (spans.some(isEncoded)) throw error;
    return traceSerializers().ProtobufTraceSerializer.serializeRequest(spans as ReadableSpan[]);
  }
};

/** Spans by default; any other signal with its own `serialize` and its own URL in `target.url` (log records). */
export class OtlpHttpExporter<Item = ReadableSpan> {
  private readonly agent: HttpAgent;
  private readonly send: typeof httpRequest;
  private readonly inFlight = new Set<Promise<unknown>>();
  private pausedUntil = 0;
  private pauseReason: Error | undefined;
  private readonly breaker: CollectorBreaker;
  /** Aborted when the breaker trips: ends this process's requests and backoffs still waiting on the collector. */
  private readonly tripped = new AbortController();

  constructor(
    private readonly target: OtlpTarget,
    private readonly compression: 'gzip' | 'none' = 'none',
    private readonly serialize: Serialize<Item> = serializeSpans as unknown as Serialize<Item>,
  ) {
    const https = target.url.startsWith('https:');
    this.agent = https ? new HttpsAgent({keepAlive: true}) : new HttpAgent({keepAlive: true});
    this.send = https ? httpsRequest : httpRequest;
    this.breaker = new CollectorBreaker(invocationId(), target.url);
  }

  export(spans: Item[], resultCallback: (result: ExportResult) => void): void {
    // Called in a context that suppresses tracing: kept for the requests this export makes later.
    const release = holdContext();
    const work = this.deliver(spans).then(resultCallback, error => resultCallback({code: ExportResultCode.FAILED, error}));
    this.inFlight.add(work);
    void work.finally(() => {
      this.inFlight.delete(work);
      release();
    });
  }

  async forceFlush(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }

  async shutdown(): Promise<void> {
    await this.forceFlush();
    this.agent.destroy();
  }

  private async deliver(spans: Item[]): Promise<ExportResult> {
    const given = this.givenUp();
    if (given) return given;
    if (Date.now() < this.pausedUntil) return {code: ExportResultCode.FAILED, error: this.pauseReason};
    let body = Buffer.from(this.serialize(spans) ?? new Uint8Array());
    if (this.compression === 'gzip') body = gzipSync(body);
    const deadline = Date.now() + this.target.timeoutMillis;
    for (let attempt = 0; ; attempt += 1) {
      const outcome = await this.post(body, deadline - Date.now());
      if (outcome.kind === 'success') return {code: ExportResultCode.SUCCESS};
      if (outcome.kind === 'unreachable') {
        this.pausedUntil = Date.now() + UNREACHABLE_PAUSE_MS;
        this.pauseReason = outcome.error;
        return {code: ExportResultCode.FAILED, error: outcome.error};
      }
      if (outcome.kind === 'fail') return {code: ExportResultCode.FAILED, error: outcome.error};
      const stopped = this.givenUp();
      if (stopped) return stopped;
      const backoff = Math.min(MAX_BACKOFF_MS, INITIAL_BACKOFF_MS * 2 ** attempt) * (0.8 + Math.random() * 0.4);
      const wait = outcome.afterMs ?? backoff;
      if (Date.now() + wait >= deadline) {
        const error = attempt === 0 ? outcome.error : new Error(`${outcome.error.message}, retried until the ${this.target.timeoutMillis} ms export deadline`);
        this.breaker.trip(error.message);
        this.tripped.abort(error);
        return {code: ExportResultCode.FAILED, error};
      }
      await sleep(wait, this.tripped.signal);
    }
  }

  /** The failure of an export that is not tried because the collector failed earlier in this run. */
  private givenUp(): ExportResult | undefined {
    const reason = this.breaker.openReason();
    if (reason === undefined) return undefined;
    if (!this.tripped.signal.aborted) this.tripped.abort(new Error(reason));
    return {code: ExportResultCode.FAILED, error: new Error(`${reason}; not asked again in this run`)};
  }

  private post(body: Buffer, timeoutMs: number): Promise<Attempt> {
    return new Promise(resolve => {
      const headers: Record<string, string | number> = {
        ...this.target.headers,
        'content-type': 'application/x-protobuf',
        'content-length': body.length,
      };
      if (this.compression === 'gzip') headers['content-encoding'] = 'gzip';
      let request: ReturnType<typeof httpRequest>;
      try {
        request = this.send(this.target.url, {method: 'POST', headers, agent: this.agent, signal: this.tripped.signal});
      } catch (error) {
        resolve({kind: 'fail', error: error as Error});
        return;
      }
      request.setTimeout(Math.max(1, timeoutMs), () => request.destroy(new Error(`no answer within ${Math.round(timeoutMs)} ms`)));
      // An export in flight must not keep a finished run alive: teardown already waited as long as it may.
      request.on('socket', socket => socket.unref());
      request.on('response', response => {
        response.resume();
        response.on('end', () => resolve(classify(response.statusCode ?? 0, response.headers['retry-after'])));
        response.on('error', error => resolve({kind: 'retry', error}));
      });
      request.on('error', (error: NodeJS.ErrnoException) => {
        const code = error.code ?? '';
        resolve(UNREACHABLE_CODES.has(code) ? {kind: 'unreachable', error} : {kind: 'retry', error});
      });
      request.end(body);
    });
  }
}

function classify(status: number, retryAfter: string | string[] | undefined): Attempt {
  if (status >= 200 && status < 300) return {kind: 'success'};
  const error = new Error(`the collector answered HTTP ${status}`);
  if (status === 408 || status === 429 || status >= 500) return {kind: 'retry', error, afterMs: parseRetryAfter(retryAfter)};
  return {kind: 'fail', error};
}

/** Retry-After in seconds or as an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return undefined;
  const seconds = Number(text);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** Ends early when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise(resolve => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms).unref();
    signal.addEventListener('abort', done, {once: true});
  });
}
