const {startService, fetchWithRetry} = require('../service');

let service;
beforeAll(async () => {
  service = await startService();
});
afterAll(() => service.close());

describe('orders', () => {
  test('shows an order', async () => {
    const response = await fetch(`${service.url}/orders/42`);
    expect(response.status).toBe(200);
    expect((await response.json()).total).toBe(12.5);
  });

  test('checks stock, retrying a flaky inventory backend', async () => {
    // The first call answers 500 and the client retries: both calls are in this test's trace.
    const response = await fetchWithRetry(`${service.url}/inventory/tea`);
    expect(response.status).toBe(200);
    otelTest.setAttribute('inventory.sku', 'tea');
  });

  test('records a custom step', async () => {
    await otelTracer.startActiveSpan('compute totals', async span => {
      const order = await (await fetch(`${service.url}/orders/7`)).json();
      span.setAttribute('order.total', order.total);
      span.end();
    });
  });
});
