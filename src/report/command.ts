import {existsSync, readdirSync, statSync} from 'node:fs';
import {basename, dirname, isAbsolute, join, relative, resolve} from 'node:path';
import type {Command, CommandIo} from '../cli/command';
import {readSource, SourceError} from '../flaky/read';
import {RUNS_FOLDER} from '../pipeline/store';
import {latestRun, readRun, type StoredSpan} from '../shared/store-read';
import {addCodeFrames} from './code-frame';
import {buildHistory, readStoreRuns, renderHistoryHtml} from './history';
import {renderHtml} from './html';
import {buildTimeline} from './model';
import {writeReport} from './write';

/** `jest-otel report [--history] [--run ID] [--output FILE] [--trace-url TEMPLATE] [source…]` */

const DEFAULT_SOURCE = '.jest-otel';
const REPORT_FILE = 'report.html';
const HISTORY_FILE = 'history.html';
const FILES_OUTPUT = 'jest-otel-report.html';

const HELP = `Usage: jest-otel report [options] [source...]

Writes the HTML report (the page the reporter writes at the end of a run) from recorded traces.

A source is a local trace store (a folder holding runs/<run id>/; default: ${DEFAULT_SOURCE} in the current
folder), whose newest run is reported (another with --run), one run folder of a store (<store>/runs/<run id>),
or OTLP/JSON files: one such file, or a folder of them (.json, .jsonl, searched recursively), as the
OpenTelemetry Collector's file exporter writes them. Several sources make one page.

Options:
  --history              the store's run history instead: each test's outcome in every kept run, newest
                         first, each linking to that run's report (written to <store>/${HISTORY_FILE})
  --run <id>             the run of the store to report (default: the newest)
  -o, --output <file>    where to write the page (default: <store>/${REPORT_FILE} for the newest run,
                         <run folder>/${REPORT_FILE} for one run, ${FILES_OUTPUT} here for files)
  --trace-url <template> a backend's trace URL with {traceId} in it, for a link per failed test
  -h, --help             show this help

Exit status: 0 when the page was written; 2 on bad usage, a source that cannot be read, or no tests in it.
`;

interface Parsed {
  sources: string[];
  history: boolean;
  run?: string;
  output?: string;
  traceUrl?: string;
}

type Parse = {parsed: Parsed} | {help: true} | {error: string};

const VALUED: Record<string, 'run' | 'output' | 'traceUrl'> = {'--run': 'run', '--output': 'output', '-o': 'output', '--trace-url': 'traceUrl'};

function parse(args: string[]): Parse {
  const parsed: Parsed = {sources: [], history: false};
  for (let index = 0; index < args.length; index++) {
    const arg = args[index];
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (flag === '--') {
      parsed.sources.push(...args.slice(index + 1));
      break;
    } else if (!flag.startsWith('-') || flag === '-') parsed.sources.push(arg);
    else if (flag === '--help' || flag === '-h') return {help: true};
    else if (flag === '--history') parsed.history = true;
    else if (VALUED[flag]) {
      const value = inline ?? args[++index];
      if (value === undefined || value === '') return {error: `${flag} needs a value`};
      parsed[VALUED[flag]] = value;
    } else return {error: `unknown option ${arg}`};
  }
  if (parsed.traceUrl !== undefined && !parsed.traceUrl.includes('{traceId}')) return {error: `--trace-url must contain {traceId}, got ${parsed.traceUrl}`};
  if (parsed.history && parsed.run !== undefined) return {error: '--history covers every run of the store; --run chooses one'};
  if (parsed.sources.length === 0) parsed.sources.push(DEFAULT_SOURCE);
  return {parsed};
}

/** What one source holds: the store it is (with its runs), one run folder, or plain OTLP/JSON files. */
type Kind = {kind: 'store'; dir: string} | {kind: 'run'; dir: string} | {kind: 'files'; dir: string};

function kindOf(path: string): Kind {
  try {
    if (statSync(path).isDirectory()) {
      if (existsSync(join(path, RUNS_FOLDER))) return {kind: 'store', dir: path};
      if (basename(dirname(path)) === RUNS_FOLDER && readdirSync(path).some(name => name.endsWith('.jsonl'))) return {kind: 'run', dir: path};
    }
  } catch {
    // named in the error readSource gives
  }
  return {kind: 'files', dir: path};
}

export const reportCommand: Command = {
  name: 'report',
  summary: 'write the HTML report, or the run history, from recorded traces',
  help: HELP,
  run(args: string[], io: CommandIo): number {
    const result = parse(args);
    if ('help' in result) {
      io.stdout(HELP);
      return 0;
    }
    if ('error' in result) {
      io.stderr(`jest-otel report: ${result.error} (see jest-otel report --help)\n`);
      return 2;
    }
    const {parsed} = result;
    const display = (path: string) => {
      const inside = relative(io.cwd, path);
      return inside && !inside.startsWith('..') && !isAbsolute(inside) ? inside : path;
    };
    const fail = (message: string) => {
      io.stderr(`jest-otel report: ${message}\n`);
      return 2;
    };
    const kinds = parsed.sources.map(source => ({source, ...kindOf(resolve(io.cwd, source))}));
    if (parsed.history) {
      if (kinds.length !== 1 || kinds[0].kind !== 'store') return fail(`--history reads one local trace store (a folder with ${RUNS_FOLDER}/), got ${parsed.sources.join(', ')}`);
      const store = kinds[0].dir;
      const model = buildHistory(readStoreRuns(store));
      if (model.runs.length === 0) return fail(`no test spans in any run of ${kinds[0].source}`);
      const output = parsed.output ? resolve(io.cwd, parsed.output) : join(store, HISTORY_FILE);
      // The links to the runs' reports are relative to the store; a page written elsewhere links back into it.
      const base = relative(dirname(output), store);
      const relinked = base ? {...model, runs: model.runs.map(run => ({...run, report: run.report && `${base.split('\\').join('/')}/${run.report}`}))} : model;
      return write(renderHistoryHtml(relinked, display(store)), output, `History of ${model.runs.length === 1 ? '1 run' : `${model.runs.length} runs`}, ${model.tests.length === 1 ? '1 test' : `${model.tests.length} tests`}`);
    }
    let spans: StoredSpan[] = [];
    let runId: string | undefined;
    let defaultOutput: string | undefined;
    try {
      for (const {source, kind, dir} of kinds) {
        if (kind === 'store') {
          const folder = parsed.run !== undefined ? join(dir, RUNS_FOLDER, parsed.run) : latestRun(dir);
          if (!folder || !existsSync(folder)) return fail(parsed.run !== undefined ? `no run ${parsed.run} in ${source} (its runs: ${runsOf(dir).join(', ') || 'none'})` : `no run in ${source}`);
          spans = spans.concat(readRun(folder));
          runId ??= basename(folder);
          defaultOutput ??= parsed.run !== undefined ? join(folder, REPORT_FILE) : join(dir, REPORT_FILE);
        } else if (kind === 'run') {
          spans = spans.concat(readRun(dir));
          runId ??= basename(dir);
          defaultOutput ??= join(dir, REPORT_FILE);
        } else {
          if (parsed.run !== undefined) return fail(`--run chooses a run of a local trace store; ${source} is not one`);
          spans = spans.concat(readSource(source, io.cwd));
        }
      }
    } catch (error) {
      if (!(error instanceof SourceError) && !(error as NodeJS.ErrnoException).code) throw error;
      return fail(error instanceof SourceError ? error.message : `cannot read ${parsed.sources.join(', ')}: ${(error as Error).message}`);
    }
    const model = buildTimeline(spans, {runId: kinds.length === 1 ? runId : undefined, generatedAt: new Date().toISOString(), traceUrlTemplate: parsed.traceUrl});
    if (model.tests.length === 0 && model.suites.length === 0) return fail(`no test spans in ${parsed.sources.join(', ')}`);
    addCodeFrames(model, display);
    const output = parsed.output ? resolve(io.cwd, parsed.output) : kinds.length === 1 && defaultOutput ? defaultOutput : resolve(io.cwd, FILES_OUTPUT);
    const {counts} = model;
    const outcome = [
      counts.fail > 0 ? `${counts.fail} failed` : '',
      counts.flaky > 0 ? `${counts.flaky} flaky` : '',
      `${counts.pass} passed`,
      counts.skip > 0 ? `${counts.skip} skipped` : '',
      counts.todo > 0 ? `${counts.todo} todo` : '',
    ].filter(Boolean).join(', ');
    return write(renderHtml(model), output, `Report of ${counts.total === 1 ? '1 test' : `${counts.total} tests`} (${outcome})`);

    function write(html: string, file: string, what: string): number {
      const {failed} = writeReport(html, [file]);
      if (failed.length > 0) return fail(`could not write ${display(file)}: ${(failed[0].error as Error).message}`);
      io.stdout(`${what}: ${display(file)}\n`);
      return 0;
    }
  },
};

function runsOf(store: string): string[] {
  try {
    return readdirSync(join(store, RUNS_FOLDER)).sort();
  } catch {
    return [];
  }
}
