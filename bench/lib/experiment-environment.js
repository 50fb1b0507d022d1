'use strict';

const {join} = require('node:path');

/*
 * An experiment, not part of the package: what the proposed fix for the test location would save. The package
 * reads `code.line.number` / `code.column.number` from circus's `test.asyncError.stack`, which makes Jest format
 * (and source-map) every frame of that stack, up to 100, for every test. Here the location is taken when the test
 * is declared (`add_test`, synchronously inside the test file's `test()` call) from V8's structured call sites,
 * and only the test file's own frame is passed through Jest's source-map-aware `Error.prepareStackTrace`.
 *
 * The package's `testAttributes` is swapped for one that reads the location from here. The first test a worker runs
 * is also located the package's way (once only: that costs what is being saved); a difference is reported on
 * stderr, so a wrong location cannot go unseen.
 */

const BUILD = join(__dirname, '..', '..', 'build');
const spans = require(join(BUILD, 'spans.js'));
const Base = require(join(BUILD, 'index.js')).default;

const LINE = 'code.line.number';
const COLUMN = 'code.column.number';
const locationByDeclaration = new WeakMap();
// Tests declared in a loop or by test.each share their call site: map each generated position once.
const mappedBySite = new Map();
let checked = false;

/** The mapped line and column of the innermost frame in `testPath`, from structured call sites. */
function declarationSite(testPath) {
  const originalPrepare = Error.prepareStackTrace;
  const originalLimit = Error.stackTraceLimit;
  let sites;
  try {
    Error.prepareStackTrace = (_error, callSites) => callSites;
    Error.stackTraceLimit = 100;
    const holder = {};
    Error.captureStackTrace(holder, declarationSite);
    sites = holder.stack;
  } finally {
    Error.prepareStackTrace = originalPrepare;
    Error.stackTraceLimit = originalLimit;
  }
  const site = Array.isArray(sites) ? sites.find(callSite => callSite.getFileName() === testPath) : undefined;
  if (!site) return undefined;
  if (typeof originalPrepare !== 'function') return {line: site.getLineNumber(), column: site.getColumnNumber()};
  const key = `${testPath}:${site.getLineNumber()}:${site.getColumnNumber()}`;
  if (!mappedBySite.has(key)) mappedBySite.set(key, spans.locate({stack: originalPrepare({name: 'Error', message: ''}, [site])}, testPath));
  return mappedBySite.get(key);
}

const packageTestAttributes = spans.testAttributes;
spans.testAttributes = (test, testPath) => {
  const attributes = packageTestAttributes({...test, asyncError: undefined}, testPath);
  const location = locationByDeclaration.get(test.asyncError);
  if (location) {
    attributes[LINE] = location.line;
    attributes[COLUMN] = location.column;
  }
  if (!checked) {
    checked = true;
    const expected = spans.locate(test.asyncError, testPath);
    if (expected?.line !== location?.line || expected?.column !== location?.column) {
      process.stderr.write(`[bench experiment] location differs for ${testPath}: ${JSON.stringify(location)} instead of ${JSON.stringify(expected)}\n`);
    }
  }
  return attributes;
};

module.exports = class ExperimentEnvironment extends Base {
  constructor(config, context) {
    super(config, context);
    this.benchTestPath = context.testPath;
  }

  handleTestEvent(event, state) {
    if (event.name === 'add_test' && event.asyncError) {
      try {
        const location = declarationSite(this.benchTestPath);
        if (location) locationByDeclaration.set(event.asyncError, location);
      } catch {
        // an experiment never fails a test
      }
    }
    return super.handleTestEvent(event, state);
  }
};
