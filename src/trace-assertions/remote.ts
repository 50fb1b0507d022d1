import {request} from 'node:http';
import {context} from '@opentelemetry/api';
import {suppressTracing} from '@opentelemetry/core';
import {fromRequest, type StoredSpan} from '../shared/store-read';

/*
 * The services' side of a test's trace, read from the run's receiver in Jest's main process (src/run/receiver/query.ts)
 * over loopback. The request is not traced (it would become a span of the very trace it reads), and every request
 * ends: by its answer, its error, or the caller's deadline.
 */

export interface ReceiverAddress {
  endpoint: string;
  token: string;
}

/** The run's receiver, as the main process told its workers; undefined when no receiver runs. */
export function receiverAddress(env: NodeJS.ProcessEnv = process.env): ReceiverAddress | undefined {
  const endpoint = env.JEST_OTEL_RECEIVER_ENDPOINT;
  const token = env.JEST_OTEL_RECEIVER_QUERY_TOKEN;
  return endpoint && token ? {endpoint, token} : undefined;
}

export interface ReceivedTrace {
  spans: StoredSpan[];
  count: number;
  /** ms since the epoch; 0 when nothing arrived. */
  lastArrival: number;
  dropped: number;
}

/**
 * The spans received of `traceId`; with `known`, once there are more than that many or `waitMillis` passed. Rejects
 * on any failure, and when `signal` aborts.
 */
export function queryTrace(receiver: ReceiverAddress, traceId: string, known: number | undefined, waitMillis: number, signal: AbortSignal): Promise<ReceivedTrace> {
  const url = new URL(`/jest-otel/v1/traces/${traceId}`, receiver.endpoint);
  if (known !== undefined) {
    url.searchParams.set('known', String(known));
    url.searchParams.set('waitMillis', String(Math.max(0, Math.round(waitMillis))));
  }
  return new Promise((resolve, reject) => {
    context.with(suppressTracing(context.active()), () => {
      const req = request(url, {headers: {'x-jest-otel-token': receiver.token}, agent: false, signal, timeout: waitMillis + 5_000}, response => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          try {
            const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
            if (response.statusCode !== 200) throw new Error(`the receiver answered ${response.statusCode}: ${body?.error ?? ''}`.trim());
            resolve({spans: fromRequest(body), count: Number(body.spans) || 0, lastArrival: Number(body.lastArrival) || 0, dropped: Number(body.dropped) || 0});
          } catch (error) {
            reject(error);
          }
        });
      });
      req.on('timeout', () => req.destroy(new Error('the receiver did not answer')));
      req.on('error', reject);
      req.end();
    });
  });
}
