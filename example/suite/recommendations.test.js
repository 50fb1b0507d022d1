const shop = process.env.SHOP_URL;

describe('recommendations', () => {
  // Flaky on purpose: the shop answers 503 about 40% of the time. `npm run demo` picks answers with which it passes;
  // `npm run demo:flaky` runs the suite several times and `jest-otel flaky` finds this test and the answer that fails it.
  test('suggests teas', async () => {
    const response = await fetch(`${shop}/recommendations?customer=42`);
    expect(response.status).toBe(200);
    expect((await response.json()).items).toContain('sencha');
  });
});
