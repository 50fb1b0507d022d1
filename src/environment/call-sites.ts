/** V8's structured call sites of the current stack, below `below`: no frame is formatted. */
export function callSites(below: (...args: never[]) => unknown, limit: number): NodeJS.CallSite[] {
  const prepare = Error.prepareStackTrace;
  const stackLimit = Error.stackTraceLimit;
  try {
    Error.prepareStackTrace = (_error, sites) => sites;
    Error.stackTraceLimit = limit;
    const holder: {stack?: unknown} = {};
    Error.captureStackTrace(holder, below);
    return Array.isArray(holder.stack) ? (holder.stack as NodeJS.CallSite[]) : [];
  } finally {
    Error.prepareStackTrace = prepare;
    Error.stackTraceLimit = stackLimit;
  }
}
