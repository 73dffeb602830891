// A journey that breaks dedup on purpose: after accepting consent it fires a Purchase straight through
// fbq with its own event id, so the browser sends it and the server never hears of it. verify must fail.
export default async function journey(page) {
  const accept = page.locator('#consent-accept');
  if (await accept.isVisible()) await accept.click();
  await page.waitForFunction(() => typeof window.fbq === 'function' && window.fbq.callMethod !== undefined, null, { timeout: 15_000 }).catch(() => undefined);
  await page.evaluate(() => {
    window.fbq('track', 'Purchase', { value: 10, currency: 'EUR' }, { eventID: 'pixel-only-purchase-1' });
  });
}
