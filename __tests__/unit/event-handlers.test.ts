import {joinEnvironmentHandler} from '../../src/environment/event-handlers';

/*
 * Circus's handler list as Jest 30 makes it: assigned to the sandbox's global when its state module loads, then added
 * to with `push`, the environment's handler bound as Jest binds it. Dispatched as circus does: each handler awaited.
 */

const HANDLERS = Symbol.for('EVENT_HANDLERS');
type Handler = (event: string, state: unknown) => unknown;

async function dispatch(handlers: Handler[], event: string): Promise<void> {
  for (const handler of handlers) await handler(event, {});
}

function circusList(sandbox: Record<symbol, unknown>, calls: string[]): Handler[] {
  const list: Handler[] = (sandbox[HANDLERS] as Handler[] | undefined) ?? [event => void calls.push(`circus ${event}`)];
  Reflect.set(sandbox, HANDLERS, list);
  return sandbox[HANDLERS] as Handler[];
}

test('the environment handler and the next one become one, called in order; the list is left ordinary', async () => {
  const sandbox: Record<symbol, unknown> = {};
  const calls: string[] = [];
  joinEnvironmentHandler(sandbox);
  const list = circusList(sandbox, calls);
  const environment = {
    handleTestEvent(event: string) {
      calls.push(`environment ${event}`);
    },
  };
  list.push(environment.handleTestEvent.bind(environment));
  await dispatch(list, 'setup'); // before its successor is added, the environment's handler is in the list as itself
  list.push(event => void calls.push(`snapshot ${event}`));
  list.push(event => void calls.push(`report ${event}`));
  await dispatch(list, 'test_start');
  expect(calls).toEqual(['circus setup', 'environment setup', 'circus test_start', 'environment test_start', 'snapshot test_start', 'report test_start']);
  expect(list).toHaveLength(3);
  expect(Object.prototype.hasOwnProperty.call(list, 'push')).toBe(false);
  expect(Object.getOwnPropertyDescriptor(sandbox, HANDLERS)).toEqual({value: list, writable: true, enumerable: true, configurable: true});
});

test('an environment handler that returns a promise is settled before the next handler runs', async () => {
  const sandbox: Record<symbol, unknown> = {};
  const calls: string[] = [];
  joinEnvironmentHandler(sandbox);
  const list = circusList(sandbox, calls);
  const environment = {
    async handleTestEvent(event: string) {
      await new Promise(resolve => setImmediate(resolve));
      calls.push(`environment ${event}`);
    },
  };
  list.push(environment.handleTestEvent.bind(environment), event => void calls.push(`snapshot ${event}`));
  await dispatch(list, 'test_done');
  expect(calls).toEqual(['circus test_done', 'environment test_done', 'snapshot test_done']);
  expect(list).toHaveLength(2);
});

test('where circus never makes the list (Jest 29), the watch is taken away; a list already there is left alone', () => {
  const sandbox: Record<symbol, unknown> = {};
  const unwatch = joinEnvironmentHandler(sandbox);
  expect(Object.getOwnPropertySymbols(sandbox)).toEqual([HANDLERS]);
  unwatch();
  expect(Object.getOwnPropertySymbols(sandbox)).toEqual([]);

  const existing: Handler[] = [];
  const withList: Record<symbol, unknown> = {[HANDLERS]: existing};
  joinEnvironmentHandler(withList)();
  expect(withList[HANDLERS]).toBe(existing);
  expect(Object.prototype.hasOwnProperty.call(existing, 'push')).toBe(false);
});
