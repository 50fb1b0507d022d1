import {existsSync, writeSync} from 'node:fs';
import {isAbsolute, join, relative, resolve} from 'node:path';
import type {Config} from '@jest/types';
import {loadConfig, sdkDisabled} from '../shared/config';
import {errorText, warnInThisProcess, warnOnce} from '../shared/diag';
import {addCodeFrames} from '../report/code-frame';
import {buildTimeline} from '../report/model';
import {isSuiteSpan, isTestSpan} from '../report/span-index';
import {renderHtml} from '../report/html';
import {readReporterOptions, storeDirsOf, useColor, type OtelReporterOptions, type ProjectLike} from './reporter-options';
import {renderTerminal} from '../report/terminal';
import {writeReport} from '../report/write';
import {reportVanishedWorkers} from '../pipeline/ledger-file';
import {startRunReceiver, stopRunReceiver, storeReceived} from './receiver';
import {readReceiverOptions, type ResolvedReceiverOptions} from './receiver/options';
import {invocationId, runId} from '../shared/run-id';
import {recordRunSpan, type RunResults} from './run-span';
import {runFolder} from '../pipeline/store';
import {readRun, type StoredSpan} from '../shared/store-read';
import {untracedFiles, untracedMessage} from '../pipeline/traced-files';

export type {OtelReporterOptions} from './reporter-options';

const REPORT_FILE = 'report.html';
/** Spans that started this long before the run did belong to an earlier run of the same process (watch mode). */
const CLOCK_SLACK_MS = 1_000;
const SPAN_KIND_CLIENT = 3;

/** What the reporter reads of each test file's result. */
interface FileResults {
  testResults?: ReadonlyArray<{testFilePath?: string}>;
}

function tracingOff(projects: ProjectLike[]): boolean {
  if (sdkDisabled()) return true;
  return projects.length > 0 && projects.every(({config}) => (config.testEnvironmentOptions?.otel as {disabled?: unknown} | undefined)?.disabled === true);
}

/**
 * A Jest reporter that reads this run's spans back from the local trace store when the run completes, writes one
 * self-contained HTML timeline of every test, and prints the trace of each failed test:
 * `reporters: ['default', 'jest-environment-otel/reporter']`.
 *
 * It runs in Jest's main process, whose run id is the one every worker computed. Problems are printed once and
 * never change the run's outcome; only options of the wrong type are reported to Jest through `getLastError()`.
 */
export default class OtelReporter {
  private readonly rootDir: string;
  private readonly options: OtelReporterOptions;
  private readonly configError: Error | undefined;
  private readonly receiver: ResolvedReceiverOptions | undefined;
  private readonly watching: boolean;
  private pendingOutput = '';
  private readonly checkedProjects = new WeakSet<object>();
  /** Said at the start: the store is off, so the end need not say that no spans were found. */
  private storeOffSaid = false;
  // Jest's exit replaces process.stderr.write with a no-op: at exit, write to the descriptor itself.
  private readonly printOnExit = () => this.print(text => writeSync(process.stderr.fd, text));

  constructor(globalConfig: Pick<Config.GlobalConfig, 'rootDir'> & Partial<Pick<Config.GlobalConfig, 'watch' | 'watchAll'>>, options?: unknown) {
    this.rootDir = globalConfig.rootDir;
    this.watching = globalConfig.watch === true || globalConfig.watchAll === true;
    const read = readReporterOptions(options);
    this.options = read.options;
    const receiver = readReceiverOptions((options as {receiver?: unknown} | undefined)?.receiver);
    this.receiver = receiver.options;
    const errors = [...read.errors, ...receiver.errors];
    for (const message of [...errors, ...read.warnings, ...receiver.warnings]) warnOnce(message);
    this.configError = errors.length > 0 ? new Error(errors.join('; ')) : undefined;
  }

  /**
   * Jest awaits this before it starts any test file or worker: the receiver listens, and workers inherit its
   * address, by then. (A global setup started it already when the project uses `jest-environment-otel/global-setup`.)
   */
  async onRunStart(): Promise<void> {
    if (!this.receiver || sdkDisabled()) return;
    await startRunReceiver(this.receiver).ready;
  }

  async onRunComplete(testContexts: ReadonlySet<ProjectLike> | undefined, results: RunResults & FileResults): Promise<void> {
    const projects = [...(testContexts ?? [])];
    try {
      if (!tracingOff(projects)) this.warnUntraced(results);
    } catch (error) {
      warnOnce(`could not tell which test files were traced: ${errorText(error)}`);
    }
    // Every worker has ended by now: the losses of those killed before they could report them.
    reportVanishedWorkers(invocationId(), warnInThisProcess);
    // The run span first: with the local store, it is part of the run the report reads.
    try {
      await recordRunSpan(projects, results);
    } catch (error) {
      warnOnce(`could not record the run span: ${errorText(error)}`);
    }
    let spans: StoredSpan[] = [];
    const reporting = !tracingOff(projects);
    try {
      if (reporting) spans = this.readStored(projects, results.startTime);
    } catch (error) {
      warnOnce(`could not read this run's spans: ${errorText(error)}`);
    }
    // The services' spans next, read with the tests' own. A call whose server side is not in yet may have a service
    // still sending.
    // They come from the receiver's memory, only those of the tests' traces (the others are stored, not read).
    const received = await storeReceived(() => this.storeFolders(projects).home.folder, lastUnansweredCall(spans), new Set(spans.map(span => span.traceId)));
    // Not awaited: its handles are unref'd, so a close would not keep an otherwise finished process alive to end.
    if (!this.watching) void stopRunReceiver().catch(() => undefined);
    if (!reporting) return;
    try {
      if (received.spans.length > 0) spans = spans.concat(sinceStart(received.spans, results.startTime));
      this.report(projects, spans);
    } catch (error) {
      warnOnce(`could not make the HTML report: ${errorText(error)}`);
    }
  }

  private readStored(projects: ProjectLike[], startTime: number | undefined): StoredSpan[] {
    return sinceStart(this.storeFolders(projects).found.flatMap(({folder}) => readRun(folder)), startTime);
  }

  /** The run's folder in each store, those that exist, and the one the report goes to. */
  private storeFolders(projects: ProjectLike[]) {
    const run = runId();
    const folders = storeDirsOf(this.rootDir, this.options.storeDir, projects).map(dir => ({dir, folder: runFolder(dir, run)}));
    const found = folders.filter(({folder}) => existsSync(folder));
    return {run, folders, found, home: found[0] ?? folders[0]};
  }

  /**
   * As the first file of each project starts: a project whose traces skip the local store gets no report, and is
   * told so now rather than after the run.
   */
  onTestFileStart(test: {context?: {config?: ProjectLike['config']}}): void {
    const config = test?.context?.config;
    if (!config || this.checkedProjects.has(config)) return;
    this.checkedProjects.add(config);
    try {
      const environment = loadConfig(config.testEnvironmentOptions);
      if (!environment.enabled || environment.exporters.includes('store')) return;
      this.storeOffSaid = true;
      warnOnce(
        `the HTML report reads the local trace store, but this run's traces go only to ${environment.exporters.join(' and ')}: ` +
          `set testEnvironmentOptions.otel.exporter to [${[...environment.exporters, 'store'].map(name => `"${name}"`).join(', ')}] (or OTEL_TRACES_EXPORTER=${[...environment.exporters, 'store'].join(',')}) for a report`,
      );
    } catch (error) {
      warnOnce(`could not read the environment's options: ${errorText(error)}`);
    }
  }

  /**
   * Jest asks every reporter for its last error once all of them have completed the run, so this is where the
   * summary is printed: after Jest's own (Jest always adds its summary reporter last). A run that ends another way
   * (`--bail`) prints it as the process exits.
   */
  getLastError(): Error | undefined {
    this.print();
    return this.configError;
  }

  private print(write: (text: string) => unknown = text => process.stderr.write(text)): void {
    process.removeListener('exit', this.printOnExit);
    const text = this.pendingOutput;
    this.pendingOutput = '';
    if (!text) return;
    try {
      write(text);
    } catch {
      // stderr closed: the report's file is what matters
    }
  }

  private warnUntraced(results: FileResults): void {
    const files = (results.testResults ?? []).map(result => result.testFilePath).filter((path): path is string => typeof path === 'string');
    const message = untracedMessage(untracedFiles(files), files.length, path => this.display(path));
    if (message) warnOnce(message);
  }

  private report(projects: ProjectLike[], spans: StoredSpan[]): void {
    const {run, folders, home} = this.storeFolders(projects);
    if (!spans.some(span => isTestSpan(span) || isSuiteSpan(span))) {
      if (this.storeOffSaid) return;
      const where = folders.map(({folder}) => this.display(folder)).join(', ');
      warnOnce(`no spans of this run in ${where}, so no HTML report (the local trace store receives spans when no OTLP endpoint is set, or with the "store" exporter)`);
      return;
    }
    const model = buildTimeline(spans, {runId: run, generatedAt: new Date().toISOString(), traceUrlTemplate: this.options.traceUrlTemplate});
    addCodeFrames(model, file => this.display(file));
    const outputFile = this.options.outputFile ? resolve(this.rootDir, this.options.outputFile) : join(home.dir, REPORT_FILE);
    const {written, failed} = writeReport(renderHtml(model), [outputFile, join(home.folder, REPORT_FILE)]);
    for (const {file, error} of failed) warnOnce(`could not write the HTML report to ${this.display(file)}: ${errorText(error)}`);
    const reportPath = written.includes(outputFile) ? this.display(outputFile) : written.map(file => this.display(file))[0];
    const color = useColor(process.stderr, process.env);
    this.pendingOutput = renderTerminal(model, {color, traceUrlTemplate: this.options.traceUrlTemplate, reportPath});
    process.removeListener('exit', this.printOnExit);
    process.once('exit', this.printOnExit);
  }

  /** A path as short as it can be said: relative to the working folder when inside it. */
  private display(path: string): string {
    const inside = relative(process.cwd(), path);
    return inside && !inside.startsWith('..') && !isAbsolute(inside) ? inside : path;
  }
}

function sinceStart(spans: StoredSpan[], startTime: number | undefined): StoredSpan[] {
  return typeof startTime === 'number' && startTime > 0 ? spans.filter(span => span.startMs >= startTime - CLOCK_SLACK_MS) : spans;
}

/** When the last HTTP call without a span of its server side ended (ms since the epoch; 0: no such call). */
function lastUnansweredCall(spans: StoredSpan[]): number {
  const parents = new Set(spans.map(span => span.parentSpanId));
  return spans.reduce((last, span) => (span.kind === SPAN_KIND_CLIENT && !parents.has(span.spanId) ? Math.max(last, span.endMs) : last), 0);
}
