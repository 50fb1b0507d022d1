// In your own project this is `testEnvironment: 'otel'` and `reporters: ['default', 'jest-environment-otel/reporter']`.
// The example points at this checkout's build instead.
module.exports = {
  rootDir: __dirname,
  testMatch: ['<rootDir>/suite/**/*.test.js'],
  testEnvironment: require.resolve('../build/index.js'),
  testEnvironmentOptions: {otel: {serviceName: 'example-shop'}},
  reporters: ['default', require.resolve('../build/reporter.js')],
};
