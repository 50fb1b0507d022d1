import {readdirSync, statSync} from 'node:fs';
import {join, relative, resolve} from 'node:path';
import {RUNS_FOLDER} from '../pipeline/store';
import {readRun, readTraceFile, type StoredSpan} from '../shared/store-read';

/*
 * Sources of spans: a local trace store (a folder with `runs/<run id>/*.jsonl`), a folder of OTLP/JSON files (as an
 * OpenTelemetry Collector's file exporter writes them; `.json` and `.jsonl`, searched recursively), or one such file.
 */

/** A source that cannot be read; its message names the source and says why. */
export class SourceError extends Error {}

/** Every span of a source; throws a SourceError naming the source (as given) when it cannot be read. */
export function readSource(source: string, cwd = process.cwd()): StoredSpan[] {
  const root = resolve(cwd, source);
  const name = (path: string) => join(source, relative(root, path));
  const stats = stat(root, name);
  if (!stats.isDirectory()) return readFile(root, name);
  const runs = join(root, RUNS_FOLDER);
  if (isDirectory(runs)) return readStore(runs, name);
  const files = traceFiles(root, name);
  if (files.length === 0) throw new SourceError(`${name(root)}: no trace store (${RUNS_FOLDER}/ folder) and no .json or .jsonl file in it`);
  const spans: StoredSpan[] = [];
  let readable = 0;
  for (const file of files) {
    try {
      spans.push(...readTraceFile(file));
      readable += 1;
    } catch (error) {
      // In a folder, JSON that is not OTLP is someone else's file; an I/O error is ours to report.
      if ((error as NodeJS.ErrnoException).code) throw new SourceError(`cannot read ${name(file)}: ${(error as Error).message}`);
    }
  }
  if (readable === 0) throw new SourceError(`${name(root)}: none of its ${files.length} .json/.jsonl files holds OTLP/JSON traces`);
  return spans;
}

/** Names a path for messages: relative to the source as the user gave it. */
type Namer = (path: string) => string;

function readStore(runs: string, name: Namer): StoredSpan[] {
  return list(runs, name)
    .filter(entry => entry.isDirectory())
    .flatMap(entry => {
      const run = join(runs, entry.name);
      try {
        return readRun(run);
      } catch (error) {
        // pruned by a jest run that is writing to the store right now
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw new SourceError(`cannot read ${name(run)}: ${(error as Error).message}`);
      }
    });
}

function readFile(file: string, name: Namer): StoredSpan[] {
  try {
    return readTraceFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code) throw new SourceError(`cannot read ${name(file)}: ${(error as Error).message}`);
    throw new SourceError(`${name(file)} holds no OTLP/JSON ExportTraceServiceRequest`);
  }
}

function traceFiles(folder: string, name: Namer): string[] {
  return list(folder, name)
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap(entry => {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) return traceFiles(path, name);
      return /\.jsonl?$/.test(entry.name) ? [path] : [];
    });
}

function stat(path: string, name: Namer) {
  try {
    return statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new SourceError(`cannot read ${name(path)}: ${code === 'ENOENT' ? 'no such file or folder' : (error as Error).message}`);
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function list(folder: string, name: Namer) {
  try {
    return readdirSync(folder, {withFileTypes: true});
  } catch (error) {
    throw new SourceError(`cannot read ${name(folder)}: ${(error as Error).message}`);
  }
}
