// Trace assertions: what the shop did behind its answer, checked from the test through the spans of the test's own
// trace, the shop's and its inventory's included. In your project: require('jest-environment-otel/expect').
const {testTrace} = require('../../build/expect.js');

const shop = process.env.SHOP_URL;

describe('stock, as the trace tells it', () => {
  test('the shop asked the inventory twice: a 500, then a 200 on the retry', async () => {
    const response = await fetch(`${shop}/stock/oolong`);
    expect(response.status).toBe(200);
    await expect(testTrace()).toHaveSpanTimes({service: 'shop-api', kind: 'client', name: 'GET /stock/oolong'}, 2);
    await expect(testTrace()).toHaveSpan({service: 'shop-api', kind: 'client', name: 'GET /stock/oolong', status: 500});
    await expect(testTrace()).toHaveSpan({service: 'inventory', name: 'SELECT stock', status: 'error'});
  });
});
