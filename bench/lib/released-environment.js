'use strict';

const {join} = require('node:path');
const NodeEnvironment = require('jest-environment-node').default;
const {releaseCircusStorages, watchCircusStorages} = require(join(__dirname, '..', '..', 'build', 'environment', 'circus-storage.js'));

/*
 * Plain jest-environment-node with one thing of the package's: circus's per-file AsyncLocalStorage is disabled after
 * each file's teardown (build/circus-storage.js), and nothing is traced. Set beside plain Jest and the traced runs,
 * it tells how much of a traced run's time that release gives back on its own.
 */
module.exports = class ReleasedEnvironment extends NodeEnvironment {
  constructor(config, context) {
    super(config, context);
    watchCircusStorages();
  }

  async teardown() {
    await super.teardown();
    releaseCircusStorages();
  }
};
