import {capturedCallSites} from '../../src/environment/call-sites';

/*
 * Circus's asyncError of each test, made with Error.captureStackTrace below its public `test`: its call sites are read
 * without formatting its stack, which reads as before when it is read.
 */

class ErrorWithStack extends Error {
  constructor(below: (...args: never[]) => unknown) {
    super();
    Error.captureStackTrace(this, below);
  }
}

function test_(): ErrorWithStack {
  return new ErrorWithStack(test_);
}

function declared(): ErrorWithStack[] {
  const errors: ErrorWithStack[] = [];
  for (let index = 0; index < 2; index += 1) errors.push(test_()); // one line: both errors have the same frames
  return errors;
}

const prepare = Error.prepareStackTrace;
afterEach(() => {
  Error.prepareStackTrace = prepare;
});

test('gives the frames below the function the stack was captured below, and the stack formats as it would have', () => {
  let formats = 0;
  Error.prepareStackTrace = (error, sites) => {
    formats += 1;
    return `${String(error)} | ${sites.map(site => `${site.getFunctionName()}:${site.getLineNumber()}:${site.getColumnNumber()}`).join(' | ')}`;
  };
  const [read, untouched] = declared();
  const sites = capturedCallSites(read, Error)!;
  expect(formats).toBe(0);
  expect(sites[0].getFunctionName()).toBe('declared');
  expect(read.stack).toBe(untouched.stack);
  expect(formats).toBe(2);
  expect(read.stack).toBe(untouched.stack);
  expect(formats).toBe(2);
  read.stack = 'set';
  expect(read.stack).toBe('set');
});

test('the formatter in place when the stack is read formats it', () => {
  Error.prepareStackTrace = () => 'at add_test';
  const [read] = declared();
  expect(capturedCallSites(read, Error)).toBeDefined();
  Error.prepareStackTrace = () => 'later';
  expect(read.stack).toBe('later');
});

test('a stack read already is left alone', () => {
  Error.prepareStackTrace = () => 'formatted';
  const [read] = declared();
  expect(read.stack).toBe('formatted');
  expect(capturedCallSites(read, Error)).toBeUndefined();
  expect(read.stack).toBe('formatted');
});
