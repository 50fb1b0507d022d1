const {startService} = require('../service');

let service;
beforeAll(async () => {
  service = await startService();
});
afterAll(() => service.close());

describe('insights', () => {
  test('loads the weekly trend', async () => {
    const response = await fetch(`${service.url}/insights`);
    expect(response.status).toBe(200);
  });

  // Fails on purpose: the third party answers 429 Rate Exceeded. Its trace shows the call and the answer.
  test('loads the monthly trend', async () => {
    console.log('asking for the monthly trend');
    const response = await fetch(`${service.url}/insights?period=month`);
    expect(response.status).toBe(200);
  });
});
