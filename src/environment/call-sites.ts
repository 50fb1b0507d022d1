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

/**
 * The structured call sites that an error captured (V8 keeps them unformatted until its `stack` is first read), taken
 * without formatting them: its `stack` is read once with a hook in place of the formatter Node would call for it (that
 * of the error's realm, `realmError`, or else this realm's), and left to format as before when it is read, by the
 * formatter in place then. Undefined, and the error left as it was, when its stack was read already or no formatter
 * would be called for it.
 */
export function capturedCallSites(error: object, realmError: ErrorConstructor | undefined): NodeJS.CallSite[] | undefined {
  const descriptor = Object.getOwnPropertyDescriptor(error, 'stack');
  if (!descriptor?.configurable || typeof descriptor.get !== 'function') return undefined;
  const owner = realmError && error instanceof realmError ? realmError : error instanceof Error ? Error : undefined;
  const realm = owner && typeof owner.prepareStackTrace !== 'function' && owner !== Error && typeof Error.prepareStackTrace === 'function' ? Error : owner;
  const prepare = realm?.prepareStackTrace;
  if (!realm || typeof prepare !== 'function') return undefined;
  let sites: NodeJS.CallSite[] | undefined;
  const unformatted = {};
  let read: unknown;
  realm.prepareStackTrace = (thrown, stack) => {
    if (thrown !== error) return prepare(thrown, stack);
    sites = stack;
    return unformatted;
  };
  try {
    read = (error as {stack?: unknown}).stack;
  } finally {
    realm.prepareStackTrace = prepare;
  }
  if (read !== unformatted || !sites) return undefined;
  const captured = sites;
  const settle = (value: unknown) => {
    Object.defineProperty(error, 'stack', {value, writable: true, configurable: true, enumerable: descriptor.enumerable ?? false});
    return value;
  };
  Object.defineProperty(error, 'stack', {
    configurable: true,
    enumerable: descriptor.enumerable ?? false,
    get: () => settle(formatted(error, captured, owner)),
    set: settle,
  });
  return captured;
}

/** The stack as Node would format it now: the error's realm's formatter, else this realm's, else V8's own text. */
function formatted(error: object, sites: NodeJS.CallSite[], owner: ErrorConstructor | undefined): unknown {
  const prepare = typeof owner?.prepareStackTrace === 'function' ? owner.prepareStackTrace : Error.prepareStackTrace;
  if (typeof prepare === 'function') return prepare(error as Error, sites);
  return `${Error.prototype.toString.call(error)}${sites.map(site => `\n    at ${String(site)}`).join('')}`;
}
