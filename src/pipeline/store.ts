import {appendFile, readdirSync, rmSync, statSync} from 'node:fs';
import {join, relative} from 'node:path';
import {ExportResultCode, type ExportResult} from '@opentelemetry/core';
import type {ReadableSpan} from '@opentelemetry/sdk-trace';
import {errorText, tellOncePerRun, warnOnce} from '../shared/diag';
import {makeDirectory} from '../shared/make-directory';
import {encodeTraceRequestJsonBytes} from './encode-json';
import {isEncoded, type QueuedSpan} from './encoded-span';
import {traceSerializers} from './serializers';

/*
 * The local trace store: the default destination when no OTLP endpoint is configured.
 *
 *   <dir>/runs/<run id>/worker-<pid>.jsonl         spans
 *   <dir>/runs/<run id>/worker-<pid>-logs.jsonl    log records (console output with `console: 'logs'`)
 *
 * One OTLP/JSON ExportTraceServiceRequest (ExportLogsServiceRequest) per line, the format the OpenTelemetry Collector's file exporter writes
 * and its `otlpjsonfile` receiver reads. One file per worker process, so workers never interleave writes; one
 * folder per `jest` invocation; only the newest `keepRuns` runs are kept.
 */

export const RUNS_FOLDER = 'runs';

export function runFolder(dir: string, run: string): string {
  return join(dir, RUNS_FOLDER, run);
}

/** A batch as one line of the store's file: its text or its bytes, with or without the newline. */
export type SerializeJson<Item> = (items: Item[]) => string | Uint8Array | undefined;

const NEWLINE = 0x0a;

/**
 * The package's own encoder (src/pipeline/encode-json.ts), newline included; OpenTelemetry's serializer only if it
 * fails on a batch of spans none of which was encoded already (it could not write those).
 */
const spansToJson: SerializeJson<QueuedSpan> = spans => {
  try {
    return encodeTraceRequestJsonBytes(spans, true);
  } catch (error) {
    if (spans.some(isEncoded)) throw error;
    return traceSerializers().JsonTraceSerializer.serializeRequest(spans as ReadableSpan[]);
  }
};

/** The line as bytes, ending in one newline. */
function asLine(request: string | Uint8Array): Uint8Array {
  if (typeof request === 'string') return Buffer.from(`${request}\n`);
  if (request.length > 0 && request[request.length - 1] === NEWLINE) return request;
  return Buffer.concat([request, Buffer.of(NEWLINE)]);
}

/** Spans by default; log records with their own serializer into their own file (`worker-<pid>-logs.jsonl`). */
export class StoreExporter<Item = ReadableSpan> {
  private readonly file: string;
  private ready = false;
  private pending = 0;
  private idle: Array<() => void> = [];

  constructor(
    private readonly dir: string,
    private readonly run: string,
    private readonly keepRuns: number,
    private readonly serialize: SerializeJson<Item> = spansToJson as unknown as SerializeJson<Item>,
    suffix = '',
  ) {
    this.file = join(runFolder(dir, run), `worker-${process.pid}${suffix}.jsonl`);
  }

  export(spans: Item[], resultCallback: (result: ExportResult) => void): void {
    let line: Uint8Array;
    try {
      this.prepare();
      line = asLine(this.serialize(spans)!);
    } catch (error) {
      const message = `${errorText(error)} (set testEnvironmentOptions.otel.storeDir to a writable folder)`;
      resultCallback({code: ExportResultCode.FAILED, error: new Error(message)});
      return;
    }
    this.pending += 1;
    appendFile(this.file, line, error => {
      this.pending -= 1;
      resultCallback(error ? {code: ExportResultCode.FAILED, error} : {code: ExportResultCode.SUCCESS});
      if (this.pending === 0) this.idle.splice(0).forEach(resolve => resolve());
    });
  }

  forceFlush(): Promise<void> {
    return this.pending === 0 ? Promise.resolve() : new Promise(resolve => this.idle.push(resolve));
  }

  shutdown(): Promise<void> {
    return this.forceFlush();
  }

  /** The store's location, for messages. */
  get location(): string {
    return runFolder(this.dir, this.run);
  }

  /** Creates the run's folder (once) and prunes old runs; throws when the folder cannot be created. */
  prepare(): void {
    if (this.ready) return;
    makeDirectory(runFolder(this.dir, this.run));
    this.ready = true;
    const removed = pruneRuns(this.dir, this.keepRuns, this.run);
    if (removed > 0) {
      const runs = removed === 1 ? '1 older run' : `${removed} older runs`;
      tellOncePerRun('pruned-runs', `removed ${runs} from ${relative(process.cwd(), join(this.dir, RUNS_FOLDER)) || RUNS_FOLDER} (keepRuns: ${this.keepRuns})`);
    }
  }
}

/**
 * The store of this run, or undefined when its folder cannot be created: said once per run, naming the option, and
 * the run goes on without it (tests are not affected).
 */
export function openStore(dir: string, configured: string, run: string, keepRuns: number): StoreExporter | undefined {
  const store = new StoreExporter(dir, run, keepRuns);
  try {
    store.prepare();
    return store;
  } catch (error) {
    warnOnce(
      `testEnvironmentOptions.otel.storeDir "${configured}" cannot be used: ${errorText(error)}. Spans are not stored in this run (expected a folder that can be created); tests are not affected.`,
    );
    return undefined;
  }
}

/**
 * Removes all but the newest `keep` run folders (never `current`) and says how many it removed. Another worker may
 * prune at once: ignore races.
 */
export function pruneRuns(dir: string, keep: number, current: string): number {
  const root = join(dir, RUNS_FOLDER);
  let runs: Array<{name: string; time: number}>;
  try {
    runs = readdirSync(root, {withFileTypes: true})
      .filter(entry => entry.isDirectory() && entry.name !== current)
      .map(entry => ({name: entry.name, time: runTime(join(root, entry.name))}));
  } catch {
    return 0;
  }
  runs.sort((a, b) => b.time - a.time);
  let removed = 0;
  for (const old of runs.slice(Math.max(0, keep - 1))) {
    try {
      rmSync(join(root, old.name), {recursive: true, force: true});
      removed += 1;
    } catch {
      // another worker got there first
    }
  }
  return removed;
}

/**
 * When a run last wrote its traces: the newest of its trace files (.jsonl), else its folder's time. Not the folder's
 * own time, which a report written into the folder afterwards (`jest-otel report --run`) would make the newest.
 */
export function runTime(folder: string): number {
  let newest = 0;
  for (const name of readdirSync(folder)) if (name.endsWith('.jsonl')) newest = Math.max(newest, statSync(join(folder, name)).mtimeMs);
  return newest || statSync(folder).mtimeMs;
}
