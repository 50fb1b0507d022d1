const {startService} = require('../service');

let service;
beforeAll(async () => {
  service = await startService();
});
afterAll(() => service.close());

describe('recommendations', () => {
  // Flaky on purpose: the service answers 503 about 40% of the time. `npm run demo:flaky` runs the suite several times
  // and `jest-otel flaky` finds this test and the answer that fails it.
  test('suggests teas', async () => {
    const response = await fetch(`${service.url}/recommendations?customer=42`);
    expect(response.status).toBe(200);
    expect((await response.json()).items).toContain('sencha');
  });
});
