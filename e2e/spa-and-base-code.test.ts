/**
 * Real sites in chromium: a single-page app (routes by pushState, the back button) and a page that already
 * runs Meta's standard base code with its own fbq calls. Every pixel hit must carry the id its server twin
 * carries (same eid, ev and fbp), and the sandbox must count nothing twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { byFbp, expectDeduplicated, waitForPairs } from './support/assertions.js';
import type { PixelHit } from './support/meta-routing.js';
import { sandboxEvents, type SandboxEvent } from './support/sandbox-client.js';
import { PIXEL_ID, metaCookies, startStack, type Stack } from './support/stack.js';
import { waitFor } from './support/wait.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

/** Every pixel hit carries an eid; each has exactly one server twin with the same eid, ev and fbp; nothing counted twice. */
async function expectEveryHitPaired(hits: PixelHit[], fbp: string, expected: number): Promise<SandboxEvent[]> {
  const { pairs } = await waitForPairs(stack.sandbox.url, byFbp(fbp), expected);
  expect(hits.map((h) => `${h.params.get('ev')}:${h.params.get('eid') ? 'eid' : 'NO EID'}`).filter((s) => s.endsWith('NO EID'))).toEqual([]);
  expect(hits).toHaveLength(expected);
  const byId = new Map(pairs.map((p) => [p.eventId, p]));
  for (const hit of hits) {
    const pair = byId.get(hit.params.get('eid')!);
    expect(pair, `server twin of ${hit.params.get('ev')} ${hit.params.get('eid')}`).toBeDefined();
    expect(pair!.server.eventName).toBe(hit.params.get('ev'));
    expect(pair!.server.fbp).toBe(hit.params.get('fbp'));
    expectDeduplicated(pair!, fbp);
  }
  const events = (await sandboxEvents(stack.sandbox.url, { pixel: PIXEL_ID })).filter(byFbp(fbp));
  // Counted once: each browser event counted, each server copy deduplicated against it, nothing else.
  expect(events.filter((e) => e.status === 'counted').map((e) => e.source)).toEqual(Array(expected).fill('browser'));
  expect(events.filter((e) => e.source === 'server').every((e) => e.status === 'deduplicated')).toBe(true);
  expect(events).toHaveLength(2 * expected);
  return events;
}

describe('real sites: an SPA and a page with Meta\'s base code', () => {
  it('an SPA journey (4 route changes incl. the back button): one paired page view per route, all with ids', async () => {
    const visit = await stack.newVisit();
    const { page } = visit;
    try {
      await page.goto(`${stack.shopUrl}/spa`);
      await page.waitForFunction(() => !!(window as unknown as { tC?: { capiBridge?: unknown } }).tC?.capiBridge);
      const { fbp } = await waitFor(async () => {
        const c = await metaCookies(visit.context);
        return c.fbp ? c : undefined;
      }, { what: '_fbp' });
      await page.click('a[data-sku="SKU-1001"]');
      await page.click('#spa-add-to-cart');
      await page.click('#spa-cart-link');
      await page.click('#spa-checkout-link');
      await page.goBack();
      await page.waitForFunction(() => location.pathname === '/spa/cart');
      // Routes: /spa (load), product, cart, checkout, back to cart → 5 page views, and the add to cart.
      const events = await expectEveryHitPaired(visit.hits, fbp!, 6);
      const server = events.filter((e) => e.source === 'server' && e.eventName === 'PageView').sort((a, b) => a.seq - b.seq);
      expect(server.map((e) => (e.payload as { event_source_url?: string }).event_source_url)).toEqual(
        ['/spa', '/spa/product/SKU-1001', '/spa/cart', '/spa/checkout', '/spa/cart'].map((p) => `${stack.shopUrl}${p}`),
      );
      // The forward of each route's page view carries the new URL and the previous route as referrer.
      await waitFor(() => visit.forwarded.length >= 6, { what: '6 forwards recorded' });
      const pageViews = visit.forwarded
        .map((f) => f.body as { event_name: string; context: { page: { url: string; referrer: string } } })
        .filter((b) => b.event_name === 'page_view');
      expect(pageViews.slice(1).map((b) => [b.context.page.url, b.context.page.referrer])).toEqual([
        [`${stack.shopUrl}/spa/product/SKU-1001`, `${stack.shopUrl}/spa`],
        [`${stack.shopUrl}/spa/cart`, `${stack.shopUrl}/spa/product/SKU-1001`],
        [`${stack.shopUrl}/spa/checkout`, `${stack.shopUrl}/spa/cart`],
        [`${stack.shopUrl}/spa/cart`, `${stack.shopUrl}/spa/checkout`],
      ]);
    } finally {
      await visit.close();
    }
  });

  it('a page with the standard base code and its own fbq(\'track\',\'AddToCart\',…): every call mirrored with an id and paired', async () => {
    const visit = await stack.newVisit();
    const { page } = visit;
    try {
      await page.goto(`${stack.shopUrl}/base-code.html`);
      await page.waitForFunction(() => !!(window as unknown as { fbq?: { __sandbox?: unknown } }).fbq?.__sandbox);
      await page.click('#fbq-add-to-cart');
      await page.click('#fbq-add-to-cart');
      const { fbp } = await metaCookies(visit.context);
      // Let the pixel hits land before leaving: a navigation cancels an image request still in flight.
      await waitForPairs(stack.sandbox.url, byFbp(fbp), 3);
      // The recorder sees a forward only once Playwright reports its response, which can trail the sandbox.
      await waitFor(() => visit.forwarded.length >= 3, { what: 'the first page\'s 3 forwards recorded' });
      // A second page load: its base-code PageView is paired too.
      await page.reload();
      await page.waitForFunction(() => !!(window as unknown as { fbq?: { __sandbox?: unknown } }).fbq?.__sandbox);
      await page.click('#fbq-add-to-cart');
      const events = await expectEveryHitPaired(visit.hits, fbp!, 5);
      expect(events.filter((e) => e.source === 'browser').map((e) => e.eventName).sort()).toEqual(['AddToCart', 'AddToCart', 'AddToCart', 'PageView', 'PageView']);
      const cart = events.find((e) => e.source === 'server' && e.eventName === 'AddToCart')!.payload as { custom_data: Record<string, unknown> };
      expect(cart.custom_data).toMatchObject({ value: 49.9, currency: 'EUR', content_ids: ['SKU-1001'] });
      // The mirror forwarded each call once, as the matching seed event.
      await waitFor(() => visit.forwarded.length >= 5, { what: '5 forwards recorded' });
      expect(visit.forwarded.map((f) => (f.body as { event_name: string }).event_name).sort()).toEqual(['add_to_cart', 'add_to_cart', 'add_to_cart', 'page_view', 'page_view']);
    } finally {
      await visit.close();
    }
  });
});
