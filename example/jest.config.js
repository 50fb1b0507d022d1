// In your own project this is `testEnvironment: 'otel'`, `reporters: ['default', 'jest-environment-otel/reporter']`
// and a globalSetup that starts with `require('jest-environment-otel/global-setup')`. The example points at this
// checkout's build instead.
module.exports = {
  rootDir: __dirname,
  testMatch: ['<rootDir>/suite/**/*.test.js'],
  testEnvironment: require.resolve('../build/index.js'),
  testEnvironmentOptions: {otel: {serviceName: 'example-suite'}},
  reporters: ['default', require.resolve('../build/reporter.js')],
  // Starts the shop API and its dependencies, each a process of its own, for the whole run.
  globalSetup: '<rootDir>/global-setup.js',
  globalTeardown: '<rootDir>/global-teardown.js',
};
