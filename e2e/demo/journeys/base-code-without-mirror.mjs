// A journey that shows what `capi-bridge verify` says about pixel hits without an event id: after a paired
// page view on the home page, it opens the base-code page with the tag's mirror turned off (?mirror=off), so the
// page's own fbq('track', 'PageView') reaches Meta without an eid while the server sends PageViews. verify must fail.
export default async function journey(page) {
  const accept = page.locator('#consent-accept');
  if (await accept.isVisible()) {
    const hit = page.waitForResponse((r) => /\/tr\/?\?/.test(r.url()), { timeout: 5000 }).catch(() => undefined);
    await accept.click();
    await hit;
  }
  const pageView = page.waitForResponse((r) => /\/tr\/?\?.*ev=PageView/.test(r.url()), { timeout: 10_000 }).catch(() => undefined);
  await page.goto(new URL('/base-code.html?mirror=off', page.url()).href);
  await pageView;
}
