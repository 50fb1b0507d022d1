import type {Command, CommandIo} from '../cli/command';
import {existsSync, statSync} from 'node:fs';
import {isAbsolute, join, relative, resolve} from 'node:path';
import {RUNS_FOLDER} from '../pipeline/store';
import {analyse, type FlakyReport, type TraceRef} from './analyse';
import {collectAttempts} from './model';
import {readSource, SourceError} from './read';
import {renderReport} from './render';

/** `jest-otel flaky [--json] [source…]` */

const DEFAULT_SOURCE = '.jest-otel';

const HELP = `Usage: jest-otel flaky [--json] [source...]

Ranks the flaky tests of recorded test runs and says what their failing runs did differently.

A source is a local trace store (a folder holding runs/<run id>/*.jsonl; default: ${DEFAULT_SOURCE} in the
current folder), a folder of OTLP/JSON files (.json, .jsonl, searched recursively), or one such file: one
ExportTraceServiceRequest per line, as this environment's store and the OpenTelemetry Collector's file
exporter write them.

A test (test file + full name, + declaration line where tests of one file share a full name) is flaky when,
on one code revision (vcs.ref.head.revision with the work tree's uncommitted changes, jest.vcs.worktree.changes;
a run that recorded no revision is taken on its own), it both passed and failed: in different runs, or on a
retry. Skipped and todo tests are left out. Tests are ranked by flake rate (failed attempts / attempts on the revisions where the test
is flaky), then by failures and time lost.

Options:
  --json      print the report as JSON instead of a table
  -h, --help  show this help

Exit status: 0 when the report was made, flaky tests or not; 2 on bad usage or a source that cannot be read.
`;

export const flakyCommand: Command = {
  name: 'flaky',
  summary: 'rank flaky tests from recorded traces, with hints at their cause',
  help: HELP,
  run(args: string[], io: CommandIo): number {
    const sources: string[] = [];
    let json = false;
    let optionsDone = false;
    for (const arg of args) {
      if (optionsDone || !arg.startsWith('-')) sources.push(arg);
      else if (arg === '--') optionsDone = true;
      else if (arg === '--json') json = true;
      else if (arg === '--help' || arg === '-h') {
        io.stdout(HELP);
        return 0;
      } else {
        io.stderr(`jest-otel flaky: unknown option ${arg} (see jest-otel flaky --help)\n`);
        return 2;
      }
    }
    if (sources.length === 0) sources.push(DEFAULT_SOURCE);
    let report: FlakyReport;
    try {
      report = analyse(collectAttempts(sources.flatMap(source => readSource(source, io.cwd))));
    } catch (error) {
      if (!(error instanceof SourceError)) throw error;
      io.stderr(`jest-otel flaky: ${error.message}\n`);
      return 2;
    }
    linkReports(report, sources, io.cwd);
    io.stdout(json ? JSON.stringify({sources, ...report}, null, 2) + '\n' : renderReport(report, {sources, color: io.color}));
    return 0;
  },
};

/** Names, on each cited trace, the report its run left in a local store among the sources, opened on that trace. */
function linkReports(report: FlakyReport, sources: string[], cwd: string): void {
  const stores = sources.map(source => resolve(cwd, source)).filter(dir => isDirectory(join(dir, RUNS_FOLDER)));
  if (stores.length === 0) return;
  const display = (path: string) => {
    const inside = relative(cwd, path);
    return inside && !inside.startsWith('..') && !isAbsolute(inside) ? inside : path;
  };
  const link = (ref: TraceRef) => {
    const file = stores.map(store => join(store, RUNS_FOLDER, ref.runId, 'report.html')).find(candidate => existsSync(candidate));
    if (file) ref.report = `${display(file)}#trace/${ref.traceId}`;
  };
  for (const test of report.flaky) {
    link(test.exampleFailure);
    link(test.examplePass);
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
