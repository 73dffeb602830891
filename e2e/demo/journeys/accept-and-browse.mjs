// A `capi-bridge verify --journey` for the demo shop: accept the cookie banner, then buy a product.
// The default export receives Playwright's page (and context); write the same kind of file for your site.
export default async function journey(page) {
  const accept = page.locator('#consent-accept');
  if (await accept.isVisible()) {
    // Accepting releases the held PageView. Let its pixel hit (an image request) finish before navigating
    // away: a navigation cancels an image still in flight, on a real site as here.
    const hit = page.waitForResponse((r) => /\/tr\/?\?/.test(r.url()), { timeout: 5000 }).catch(() => undefined);
    await accept.click();
    await hit;
  }
  await page.click('a[data-sku="SKU-1002"]');
  await page.waitForSelector('#add-to-cart');
  await page.click('#add-to-cart');
  await page.click('#go-cart');
  await page.click('#begin-checkout');
  await page.waitForSelector('#place-order');
  await page.click('#place-order');
  await page.waitForSelector('#order-id');
}
