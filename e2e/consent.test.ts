/** Consent: refused → nothing reaches Meta from either side and no cookie is set; granted later → events flow. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { byFbp, expectDeduplicated, waitForPairs } from './support/assertions.js';
import { sandboxEvents } from './support/sandbox-client.js';
import { PIXEL_ID, metaCookies, startStack, type Stack } from './support/stack.js';
import { waitFor } from './support/wait.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

describe('consent', () => {
  it('refused: no /tr hit, no CAPI event, no _fbp cookie; granted later: events flow and deduplicate', async () => {
    const visit = await stack.newVisit({ consent: 'undecided' });
    const { page } = visit;
    try {
      await page.goto(`${stack.shopUrl}/`);
      await page.click('#consent-refuse');
      await page.click('#custom-event');
      await page.click('a[data-sku="SKU-1003"]'); // a new page, consent remembered as refused
      await page.waitForSelector('#add-to-cart');
      await page.click('#add-to-cart');
      // Wait until the page and the tag have done everything they were going to do.
      await page.waitForLoadState('networkidle');
      const logged = await page.locator('#event-log li').count(); // the tag called back for each refused event
      expect(logged).toBeGreaterThanOrEqual(3);

      expect(visit.hits, 'no pixel hit').toEqual([]);
      expect(visit.forwarded, 'nothing forwarded to the server').toEqual([]);
      expect(visit.requests.filter((u) => u.includes('facebook')), 'fbevents.js never loaded').toEqual([]);
      const before = await metaCookies(visit.context);
      expect(before.fbp, 'no _fbp cookie').toBeUndefined();
      expect(before.fbc).toBeUndefined();
      expect(await sandboxEvents(stack.sandbox.url, { pixel: PIXEL_ID }), 'nothing reached the sandbox').toEqual([]);

      // The shopper changes their mind on the same page.
      await page.click('#cookie-settings');
      await page.click('#consent-accept');
      await page.click('#add-to-cart');
      await page.click('#go-cart');
      await page.waitForSelector('#begin-checkout');
      const { fbp } = await waitFor(async () => {
        const c = await metaCookies(visit.context);
        return c.fbp ? c : undefined;
      }, { what: '_fbp after consent' });
      const { pairs } = await waitForPairs(stack.sandbox.url, byFbp(fbp), 2);
      for (const pair of pairs) expectDeduplicated(pair, fbp);
      expect(pairs.map((p) => p.browser.eventName).sort()).toEqual(['AddToCart', 'PageView']);
      // Nothing from the refused period was released afterwards.
      const all = await sandboxEvents(stack.sandbox.url, { pixel: PIXEL_ID });
      expect(all.filter((e) => e.source === 'browser')).toHaveLength(2);
      expect(all.filter((e) => e.source === 'server')).toHaveLength(2);
    } finally {
      await visit.close();
    }
  });
});
