import {randomBytes} from 'node:crypto';
import {errorText, warnOnce} from '../../shared/diag';
import {makeDirectory} from '../../shared/make-directory';
import type {StoredSpan} from '../../shared/store-read';
import type {IncomingMessage, ServerResponse} from 'node:http';
import type {ResolvedReceiverOptions} from './options';
import {answerQuery, writeAnswer} from './query';
import {ReceivedSpans} from './received';
import {startServer, TRACES_PATH, type RunningServer} from './server';

/*
 * The run's receiver: one per Jest main process, started by the global setup or by the reporter, whichever comes
 * first (Jest runs `globalSetup` before it creates reporters), and found by the other through a global slot, since
 * the two may load this package from different files.
 */

/** The receiver's base URL, for `OTEL_EXPORTER_OTLP_ENDPOINT` of the services a test run starts. */
export const RECEIVER_ENDPOINT_ENV = 'JEST_OTEL_RECEIVER_ENDPOINT';
/** The receiver's traces URL, for `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`. */
export const RECEIVER_TRACES_ENV = 'JEST_OTEL_RECEIVER_TRACES_ENDPOINT';
/** The run's token for reading traces back from the receiver (the tests' trace assertions); workers inherit it. */
export const RECEIVER_QUERY_TOKEN_ENV = 'JEST_OTEL_RECEIVER_QUERY_TOKEN';

export interface RunReceiver {
  options: ResolvedReceiverOptions;
  received: ReceivedSpans;
  /** Resolves once it listens (undefined when it could not). */
  ready: Promise<RunningServer | undefined>;
  /** Once it listens. */
  port?: number;
}

const SLOT = Symbol.for('jest-environment-otel.receiver');
type Slot = {[SLOT]?: RunReceiver};

export function currentReceiver(): RunReceiver | undefined {
  return (globalThis as Slot)[SLOT];
}

/** Starts the receiver unless one runs in this process already (which is returned). Never throws. */
export function startRunReceiver(options: ResolvedReceiverOptions): RunReceiver {
  const existing = currentReceiver();
  if (existing) return existing;
  const received = new ReceivedSpans(options.maxBufferedBytes);
  const receiver: RunReceiver = {options, received, ready: Promise.resolve(undefined)};
  const token = randomBytes(16).toString('hex');
  const query = async (request: IncomingMessage, response: ServerResponse) => writeAnswer(response, await answerQuery(request, received, token));
  receiver.ready = startServer({...options, query}, request => received.add(request)).then(
    server => {
      receiver.port = server.port;
      const shown = server.host === '0.0.0.0' || server.host === '::' ? 'localhost' : server.host.includes(':') ? `[${server.host}]` : server.host;
      const endpoint = `http://${shown}:${server.port}`;
      process.env[RECEIVER_ENDPOINT_ENV] = endpoint;
      process.env[RECEIVER_TRACES_ENV] = `${endpoint}${TRACES_PATH}`;
      process.env[RECEIVER_QUERY_TOKEN_ENV] = token;
      if (server.portWasTaken) {
        warnOnce(
          `port ${options.port} is taken (by an OpenTelemetry Collector?), so the receiver of the services' spans listens on ${endpoint} instead: services under test must send to $${RECEIVER_ENDPOINT_ENV} to have their spans in the report`,
        );
      }
      return server;
    },
    error => {
      warnOnce(`the receiver of the services' spans could not listen on ${options.host}:${options.port}: ${errorText(error)}; tests are not affected, the report shows no spans of services`);
      return undefined;
    },
  );
  (globalThis as Slot)[SLOT] = receiver;
  return receiver;
}

/**
 * A request to the receiver, which the tests' own HTTP server instrumentation leaves alone: in band it runs in
 * this process, and every export of a service would otherwise become a span of the run.
 */
export function isReceiverRequest(request: {socket?: {localPort?: number} | null}): boolean {
  const port = currentReceiver()?.port;
  return port !== undefined && request.socket?.localPort === port;
}

/** Stops the receiver (end of a run that is not watched); a later start makes a new one. */
export async function stopRunReceiver(): Promise<void> {
  const receiver = currentReceiver();
  if (!receiver) return;
  delete (globalThis as Slot)[SLOT];
  delete process.env[RECEIVER_ENDPOINT_ENV];
  delete process.env[RECEIVER_TRACES_ENV];
  delete process.env[RECEIVER_QUERY_TOKEN_ENV];
  const server = await receiver.ready;
  await server?.close();
}

/** What `storeReceived` did: the file it wrote, if any, and the received spans of the traces it was asked for. */
export interface StoredReceived {
  file?: string;
  spans: StoredSpan[];
}

/**
 * Waits until the services have stopped sending (bounded), then writes what came in this run to the run's folder;
 * returns the file written, if any, and the received spans of `traces` (the tests' traces, by hex id), taken from
 * memory rather than read back from the file. `lastCallEnd`: when the tests' last HTTP call ended (ms since the
 * epoch, 0 for none): a service that has sent nothing yet is given until `quietMillis` after it. Problems are said
 * once; they never reach Jest.
 */
export async function storeReceived(folder: () => string, lastCallEnd: number, traces: ReadonlySet<string> = new Set()): Promise<StoredReceived> {
  const receiver = currentReceiver();
  if (!receiver) return {spans: []};
  const {quietMillis, waitMillis} = receiver.options;
  const stillArriving = await receiver.received.settle(quietMillis, waitMillis, lastCallEnd > 0 ? lastCallEnd + quietMillis : 0);
  if (stillArriving) {
    warnOnce(
      `services were still sending spans ${waitMillis} ms after the last test: later ones are not in this run's report (raise the reporter's receiver.waitMillis, or set OTEL_BSP_SCHEDULE_DELAY=100 for the services under test)`,
    );
  }
  if (receiver.received.empty) return {spans: []};
  let written: {spans: number; dropped: number; file?: string; read?: StoredSpan[]};
  try {
    const target = folder();
    makeDirectory(target);
    written = receiver.received.writeTo(target, traces);
  } catch (error) {
    warnOnce(`could not store the services' spans: ${errorText(error)}`);
    return {spans: []};
  }
  if (written.dropped > 0) {
    warnOnce(
      `the receiver dropped ${written.dropped} of ${written.dropped + written.spans} spans of the services: more than receiver.maxBufferedBytes (${receiver.options.maxBufferedBytes} bytes) came in this run`,
    );
  }
  return {file: written.file, spans: written.read ?? []};
}
