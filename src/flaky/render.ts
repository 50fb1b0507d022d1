import type {FlakyReport, FlakyTest, RevisionSummary} from './analyse';
import type {SharedName} from './identity';
import {counted, duration, percent, share} from './format';

/** The report as a terminal table: one row per flaky test, most flaky first, with its details under it. */

export interface RenderOptions {
  /** The sources as the user named them, for the title. */
  sources: string[];
  color: boolean;
  /** Hints shown per test (the JSON output has them all). Default: 5. */
  maxHints?: number;
}

interface Style {
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
}

/** Distinct test errors shown per test (the JSON output has them all). */
const MAX_MESSAGES = 3;

const plain: Style = {bold: text => text, dim: text => text, red: text => text};
const ansi: Style = {
  bold: text => `\x1b[1m${text}\x1b[22m`,
  dim: text => `\x1b[2m${text}\x1b[22m`,
  red: text => `\x1b[31m${text}\x1b[39m`,
};

export function renderReport(report: FlakyReport, options: RenderOptions): string {
  const style = options.color ? ansi : plain;
  const {summary} = report;
  const from = options.sources.join(', ');
  if (summary.attempts === 0) return `No test results in ${from}: no span with jest.test.status pass or fail.\n`;
  const revisions = [
    summary.revisions > 0 ? counted(summary.revisions, 'revision') : '',
    summary.runsWithChanges > 0 ? `${counted(summary.runsWithChanges, 'run')} with uncommitted changes` : '',
    summary.runsWithoutRevision > 0 ? `${summary.runsWithoutRevision} without a known revision` : '',
  ].filter(Boolean);
  const lines = [
    `${counted(summary.runs, 'run')} (${revisions.join(', ')}), ${counted(summary.tests, 'test')}, ` +
      `${counted(summary.attempts, 'attempt')} in ${from}: ${style.bold(summary.flaky === 0 ? 'no flaky test' : counted(summary.flaky, 'flaky test'))}`,
  ];
  if (summary.runsWithChanges > 0) lines.push(style.dim('Only runs of the same code are compared: the same revision and the same uncommitted changes.'));
  if (report.flaky.length > 0) {
    lines.push('', ...table(report.flaky, style, options.maxHints ?? 5));
  }
  if (report.sharedNames.length > 0) lines.push('', ...sharedNames(report.sharedNames));
  if (report.failing.length > 0) {
    lines.push('', 'Failing, not flaky (every attempt failed, on a revision or in a run of unknown revision):');
    for (const test of report.failing) lines.push(`  ${fullName(test)}  ${style.dim(`(${test.failures} of ${counted(test.attempts, 'attempt')} failed)`)}`);
  }
  return lines.join('\n') + '\n';
}

function table(tests: FlakyTest[], style: Style, maxHints: number): string[] {
  const header = ['#', 'flake rate', 'failed', 'time lost', 'test'];
  const rows = tests.map(test => [String(test.rank), percent(test.flakeRate), `${test.failures} of ${test.attempts}`, duration(test.timeLostMs), fullName(test)]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map(row => row[column].length)));
  const pad = (cells: string[]) => cells.map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]))).join('  ');
  const indent = ' '.repeat(widths[0] + 2);
  const lines = [style.dim(pad(header))];
  tests.forEach((test, index) => {
    const [rank, rate, ...rest] = rows[index];
    lines.push(pad([rank, style.red(rate.padEnd(widths[1])), ...rest.slice(0, -1), style.bold(rest[rest.length - 1])]));
    const details = [why(test)];
    for (const {message, count} of test.failureMessages.slice(0, MAX_MESSAGES)) {
      details.push(`test error: ${message || '(no message)'} ${style.dim(`(${share(count, test.failures, 'failure')})`)}`);
    }
    const otherMessages = test.failureMessages.length - MAX_MESSAGES;
    if (otherMessages > 0) details.push(style.dim(`… ${counted(otherMessages, 'other test error')} in --json`));
    for (const hint of test.hints.slice(0, maxHints)) details.push(`hint: ${hint.text}`);
    if (test.hints.length > maxHints) details.push(style.dim(`… ${counted(test.hints.length - maxHints, 'more hint')} in --json`));
    details.push(`traces: failure ${test.exampleFailure.traceId}, pass ${test.examplePass.traceId}`);
    if (test.exampleFailure.report) details.push(`failure's report: ${test.exampleFailure.report}`);
    if (test.examplePass.report) details.push(`pass's report: ${test.examplePass.report}`);
    for (const detail of details) lines.push(...detail.split('\n').map((line, index) => (line ? `${indent}${index > 0 ? '  ' : ''}${line}` : '')));
    lines.push('');
  });
  lines.pop();
  return lines;
}

/** `failed in 2 of 5 runs, passed on retry in 1 of 5 runs, on revision 1a2b3c4` */
function why(test: FlakyTest): string {
  const parts = [];
  if (test.failedRuns > 0) parts.push(`failed in ${test.failedRuns} of ${counted(test.runs, 'run')}`);
  if (test.passedOnRetryRuns > 0) parts.push(`passed on retry in ${test.passedOnRetryRuns} of ${counted(test.runs, 'run')}`);
  if (parts.length === 0) parts.push('passed and failed');
  return [...parts, revisionText(test.revisions)].join(', ');
}

function revisionText(revisions: RevisionSummary[]): string {
  if (revisions.length > 3) return `on ${revisions.length} revisions`;
  return revisions
    .map(group => (group.revision ? `on revision ${group.revision.slice(0, 7)}${changesText(group)}` : `in run ${group.runIds[0]} (revision unknown)`))
    .join(' and ');
}

function changesText(group: RevisionSummary): string {
  if (group.changes === null) return '';
  if (group.changes === 'unknown') return ` with uncommitted changes, in run ${group.runIds[0]}`;
  return ` with uncommitted changes ${group.changes.slice(0, 7)}`;
}

/** Names that tests of one file share: told apart by their declaration line, or counted as one. */
function sharedNames(names: SharedName[]): string[] {
  const lines = ['Full names shared by several tests of one file:'];
  for (const name of names) {
    const parts = [];
    if (name.lines.length > 0) parts.push(`told apart by their declaration lines (${name.lines.join(', ')})`);
    if (name.merged) parts.push(name.lines.length > 0 ? 'some without one counted together' : 'no declaration line recorded: counted as one test');
    lines.push(`  ${fullName(name)}: ${parts.join('; ')}`);
  }
  return lines;
}

function fullName(test: {suite: string; test: string; line?: number}): string {
  const name = test.suite ? `${test.suite} › ${test.test}` : test.test;
  return test.line === undefined ? name : `${name} (line ${test.line})`;
}
