import type {Span} from '@opentelemetry/api';
import {activeOwnerSpan} from '../pipeline/context';
import {
  ATTR_JEST_CONSOLE_DROPPED,
  ATTR_JEST_CONSOLE_LEVEL,
  ATTR_JEST_CONSOLE_MESSAGE,
  ATTR_JEST_CONSOLE_TRUNCATED,
  ATTR_LOG_IOSTREAM,
  EVENT_CONSOLE,
  IOSTREAM_STDERR,
  IOSTREAM_STDOUT,
} from '../shared/semconv';

/*
 * Console output: every entry the test file's console records becomes a `console` event on the span that owns the
 * current async context (the test or hook, else the suite) or, given a logger, a log record in that span's context;
 * bounded in count per span and in length.
 *
 * Jest's consoles (BufferedConsole, CustomConsole) push each call, already formatted, onto their `_buffer` array;
 * they print the caller's location by counting stack frames above that push. Wrapping `console.log` itself would
 * add a frame and make Jest point at this file instead of the user's line, so we observe the push instead. With
 * `--silent` (NullConsole) nothing is pushed and nothing is recorded.
 */

export interface ConsoleLimits {
  maxEvents: number;
  maxLength: number;
  /** Records each call as a log record instead of a span event (`console: 'logs'`). */
  emit?: (span: Span, record: ConsoleRecord) => void;
}

/** What a console call recorded as a log record carries. */
export interface ConsoleRecord {
  type: string;
  message: string;
  stream: string;
  truncated: boolean;
}

/** Jest's entry types that Node's console (and Jest's own, when it prints at once) writes to stderr. */
const STDERR_TYPES = new Set(['assert', 'error', 'trace', 'warn']);

/** `log.iostream` of a console entry type: the stream Node's console writes that call to. */
export function consoleStream(type: string): string {
  return STDERR_TYPES.has(type) ? IOSTREAM_STDERR : IOSTREAM_STDOUT;
}

interface ConsoleEntry {
  message?: unknown;
  type?: unknown;
}

/** Starts recording `testConsole`'s output; returns the function that stops it. */
export function captureConsole(testConsole: unknown, fallback: () => Span, limits: ConsoleLimits): () => void {
  const buffer = (testConsole as {_buffer?: unknown} | undefined)?._buffer;
  if (!Array.isArray(buffer)) return () => {};
  const eventsBySpan = new WeakMap<Span, number>();
  const record = (entry: ConsoleEntry) => {
    const owner = activeOwnerSpan();
    const span = owner?.isRecording() ? owner : fallback();
    if (!span.isRecording()) return;
    const seen = (eventsBySpan.get(span) ?? 0) + 1;
    eventsBySpan.set(span, seen);
    if (seen > limits.maxEvents) {
      span.setAttribute(ATTR_JEST_CONSOLE_DROPPED, seen - limits.maxEvents);
      return;
    }
    const message = String(entry.message ?? '');
    const truncated = message.length > limits.maxLength;
    const type = String(entry.type ?? 'log');
    const text = truncated ? message.slice(0, limits.maxLength) : message;
    if (limits.emit) {
      limits.emit(span, {type, message: text, stream: consoleStream(type), truncated});
      return;
    }
    span.addEvent(EVENT_CONSOLE, {
      [ATTR_JEST_CONSOLE_LEVEL]: type,
      [ATTR_LOG_IOSTREAM]: consoleStream(type),
      [ATTR_JEST_CONSOLE_MESSAGE]: text,
      ...(truncated ? {[ATTR_JEST_CONSOLE_TRUNCATED]: true} : {}),
    });
  };
  const push = function (this: unknown[], ...entries: ConsoleEntry[]) {
    for (const entry of entries) {
      try {
        record(entry);
      } catch {
        // Recording is best effort; the console must behave exactly as before.
      }
    }
    return Array.prototype.push.apply(this, entries);
  };
  Object.defineProperty(buffer, 'push', {value: push, configurable: true, writable: true, enumerable: false});
  return () => {
    if (buffer.push === push) delete (buffer as {push?: unknown}).push;
  };
}
