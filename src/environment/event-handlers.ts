/**
 * Circus awaits each of its event handlers in turn at every asynchronous event (`test_start`, `hook_start`,
 * `test_fn_start`, `test_done`…), and an environment with `handleTestEvent` adds one handler to that list: one more
 * `await` per event than plain `jest-environment-node`, whose class has none. Circus on Jest 30 keeps the list in
 * the sandbox's global under `Symbol.for('EVENT_HANDLERS')`, created when its state module loads in the test file's
 * realm, after the environment's setup. There the environment's handler is joined to the one circus adds right after
 * it: the two run in the same order and the same way, within one `await`, so a traced file awaits as often per event
 * as a plain one. Jest 29 keeps the list to itself; there nothing changes.
 */
const EVENT_HANDLERS = Symbol.for('EVENT_HANDLERS');

type Handler = (event: unknown, state: unknown) => unknown;

/** How Jest registers an environment's handler: `environment.handleTestEvent.bind(environment)`. */
const ENVIRONMENT_HANDLER = 'bound handleTestEvent';

/**
 * Watches for circus's handler list in `sandbox` and joins the environment's handler to the next one added.
 * Returns a function that takes the watch away if circus never made the list (Jest 29): call it at the first event.
 */
export function joinEnvironmentHandler(sandbox: object): () => void {
  if (Object.getOwnPropertyDescriptor(sandbox, EVENT_HANDLERS)) return () => undefined;
  const watch: PropertyDescriptor = {
    configurable: true,
    enumerable: false,
    get: () => undefined,
    set(value: unknown) {
      // As circus's own assignment would have left it: an ordinary property.
      Object.defineProperty(sandbox, EVENT_HANDLERS, {value, writable: true, enumerable: true, configurable: true});
      if (Array.isArray(value)) watchAdditions(value as Handler[]);
    },
  };
  Object.defineProperty(sandbox, EVENT_HANDLERS, watch);
  return () => {
    if (Object.getOwnPropertyDescriptor(sandbox, EVENT_HANDLERS)?.set === watch.set) delete (sandbox as Record<symbol, unknown>)[EVENT_HANDLERS];
  };
}

/** Circus adds handlers with `push`: this one's own `push` does so too, until the environment's has a partner. */
function watchAdditions(handlers: Handler[]): void {
  let environmentAt = -1;
  const push = function (this: Handler[], ...added: Handler[]): number {
    for (const handler of added) {
      if (environmentAt === -1 && typeof handler === 'function' && handler.name === ENVIRONMENT_HANDLER) {
        environmentAt = handlers.length;
        Array.prototype.push.call(handlers, handler);
      } else if (environmentAt !== -1 && handlers[environmentAt]?.name === ENVIRONMENT_HANDLER && typeof handler === 'function') {
        handlers[environmentAt] = joined(handlers[environmentAt], handler);
        delete (handlers as {push?: unknown}).push;
      } else {
        Array.prototype.push.call(handlers, handler);
      }
    }
    return handlers.length;
  };
  Object.defineProperty(handlers, 'push', {value: push, writable: true, configurable: true, enumerable: false});
}

/** `first`, then `second` once what `first` returned has settled: as circus's loop would call them, one await fewer. */
function joined(first: Handler, second: Handler): Handler {
  return (event, state) => {
    const result = first(event, state);
    if (result !== null && typeof result === 'object' && typeof (result as PromiseLike<unknown>).then === 'function') {
      return Promise.resolve(result).then(() => second(event, state));
    }
    return second(event, state);
  };
}
