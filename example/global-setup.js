// Jest's globalSetup for the example, as the README tells a project whose services start here: the receiver of the
// services' spans first (in your project: require('jest-environment-otel/global-setup')), then the services, which
// learn its address from JEST_OTEL_RECEIVER_ENDPOINT. The tests find the shop in SHOP_URL.
const otelGlobalSetup = require('../build/global-setup.js');
const {startServices} = require('./services/start');

module.exports = async globalConfig => {
  await otelGlobalSetup(globalConfig);
  globalThis.exampleServices = await startServices();
  process.env.SHOP_URL = globalThis.exampleServices.url;
};
