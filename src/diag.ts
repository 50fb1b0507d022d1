/*
 * The one way this package reports its own problems: a prefixed line on the worker's stderr, once per distinct
 * message per process. Nothing here throws; `safely` is the guard around every piece of work done on behalf of
 * Jest so that a tracing problem can never change a test's outcome.
 */
const PREFIX = '[jest-environment-otel]';
const said = new Set<string>();

export function warnOnce(message: string): void {
  if (said.has(message)) return;
  said.add(message);
  try {
    process.stderr.write(`${PREFIX} ${message}\n`);
  } catch {
    // stderr closed: nothing left to tell.
  }
}

export function safely<T>(what: string, work: () => T): T | undefined {
  try {
    return work();
  } catch (error) {
    warnOnce(`internal error while ${what}: ${errorText(error)}`);
    return undefined;
  }
}

export function errorText(error: unknown): string {
  if (error && typeof error === 'object' && 'message' in error) return String((error as {message: unknown}).message);
  return String(error);
}
