import {readFileSync} from 'node:fs';
import {fileURLToPath} from 'node:url';
import type {TimelineModel, TimelineSpan} from './model';

/*
 * The failing line of a test, with the lines around it, read from disk when the report is written (the page cannot
 * read files, and the source may have changed by the time someone opens it).
 */

export interface CodeFrame {
  file: string;
  line: number;
  column?: number;
  lines: Array<{number: number; text: string}>;
}

const CONTEXT_LINES = 2;
const MAX_LINE_LENGTH = 200;
const FRAME = /\(?((?:file:\/\/)?[^\s()]+?):(\d+):(\d+)\)?\s*$/;

/** The first stack frame in `file` (the test file), else the first outside node_modules and Node's own modules. */
export function failingLocation(stack: string, file?: string): {file: string; line: number; column: number} | undefined {
  const frames = stack
    .split('\n')
    .filter(line => /^\s+at /.test(line))
    .map(line => FRAME.exec(line))
    .filter((match): match is RegExpExecArray => match !== null)
    .map(match => ({file: match[1].startsWith('file://') ? fileURLToPath(match[1]) : match[1], line: Number(match[2]), column: Number(match[3])}))
    .filter(frame => !frame.file.startsWith('node:') && !frame.file.includes('/node_modules/'));
  return frames.find(frame => file !== undefined && frame.file === file) ?? frames[0];
}

export function codeFrame(location: {file: string; line: number; column?: number}, source: string): CodeFrame | undefined {
  const all = source.split(/\r?\n/);
  if (location.line < 1 || location.line > all.length) return undefined;
  const from = Math.max(1, location.line - CONTEXT_LINES);
  const to = Math.min(all.length, location.line + CONTEXT_LINES);
  const lines = [];
  for (let number = from; number <= to; number += 1) lines.push({number, text: all[number - 1].slice(0, MAX_LINE_LENGTH)});
  return {file: location.file, line: location.line, column: location.column, lines};
}

/** Adds `frame` to each failed attempt whose exception names a file that can still be read. */
export function addCodeFrames(
  model: TimelineModel,
  display: (file: string) => string = file => file,
  read: (file: string) => string = file => readFileSync(file, 'utf8'),
): void {
  const sources = new Map<string, string | undefined>();
  const sourceOf = (file: string) => {
    if (!sources.has(file)) {
      try {
        sources.set(file, read(file));
      } catch {
        sources.set(file, undefined);
      }
    }
    return sources.get(file);
  };
  for (const test of model.tests) {
    for (const attempt of test.attempts) {
      const stack = stackOf(attempt.root);
      const location = stack ? failingLocation(stack, test.file) : undefined;
      const source = location ? sourceOf(location.file) : undefined;
      if (location && source !== undefined) attempt.frame = codeFrame({...location, file: display(location.file)}, source);
    }
    test.frame = [...test.attempts].reverse().find(attempt => attempt.status === 'fail')?.frame;
  }
}

function stackOf(span: TimelineSpan): string | undefined {
  const event = span.events.find(candidate => candidate.name === 'exception' && typeof candidate.attributes['exception.stacktrace'] === 'string');
  return event?.attributes['exception.stacktrace'] as string | undefined;
}
