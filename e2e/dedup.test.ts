/**
 * The dedup proof: a real chromium visits the demo shop (tag.js embedded as the README says), the browser
 * pixel and the companion server both report each event to the meta-sandbox, and the sandbox applies
 * Meta's dedup rules. Every assertion reads the sandbox's events API.
 */
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FBP_FORMAT, byFbp, expectDeduplicated, waitForPairs } from './support/assertions.js';
import { sandboxEvents } from './support/sandbox-client.js';
import { PIXEL_ID, ROOT, metaCookies, startStack, type Stack } from './support/stack.js';
import { waitFor } from './support/wait.js';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  if (!stack) return;
  // Keep a screenshot of the sandbox's dedup page as the run's artifact.
  try {
    const dir = join(ROOT, 'e2e/artifacts');
    mkdirSync(dir, { recursive: true });
    const page = await stack.browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(`${stack.sandbox.url}/_sandbox`, { waitUntil: 'networkidle' });
    await page.screenshot({ path: join(dir, 'sandbox-dedup.png'), fullPage: true });
    await page.close();
  } finally {
    await stack.stop();
  }
});

describe('dedup proof (chromium → tag.js → pixel + companion server → meta-sandbox)', () => {
  it('a first visit with no cookies: the same fbp on both sides from the very first event', async () => {
    const visit = await stack.newVisit();
    try {
      expect(await visit.context.cookies()).toEqual([expect.objectContaining({ name: 'demo_consent' })]);
      await visit.page.goto(`${stack.shopUrl}/`);
      const { fbp } = await waitFor(async () => {
        const c = await metaCookies(visit.context);
        return c.fbp ? c : undefined;
      }, { what: '_fbp cookie' });
      expect(fbp).toMatch(FBP_FORMAT);
      const cookies = await metaCookies(visit.context);
      // The cookie sits on the registrable domain, like Meta's script puts it (subdomain index 1).
      expect(cookies.all.find((c) => c.name === '_fbp')?.domain).toBe('.example.test');
      const { pairs } = await waitForPairs(stack.sandbox.url, byFbp(fbp), 1);
      expect(pairs).toHaveLength(1);
      const [first] = pairs;
      expect(first!.browser.eventName).toBe('PageView');
      expectDeduplicated(first!, fbp);
    } finally {
      await visit.close();
    }
  });

  it('a whole purchase journey: every browser event has a deduplicated server twin', async () => {
    const visit = await stack.newVisit();
    const { page } = visit;
    try {
      await page.goto(`${stack.shopUrl}/`);
      await page.click('a[data-sku="SKU-1001"]');
      await page.waitForSelector('#add-to-cart');
      await page.fill('#quantity', '2');
      await page.click('#add-to-cart');
      await page.click('#go-cart');
      await page.click('#begin-checkout');
      await page.waitForSelector('#place-order');
      await page.click('#place-order');
      await page.waitForSelector('#order-id');
      const orderId = (await page.textContent('#order-id'))!;
      const { fbp } = await metaCookies(visit.context);
      // page_view ×5 (home, product, cart, checkout, thank-you), view_item, add_to_cart, begin_checkout, purchase
      const { pairs, events } = await waitForPairs(stack.sandbox.url, byFbp(fbp), 9);
      expect(pairs).toHaveLength(9);
      expect(events.filter((e) => e.status === 'rejected')).toEqual([]);
      for (const pair of pairs) expectDeduplicated(pair, fbp);
      const names = pairs.map((p) => p.browser.eventName).sort();
      expect(names).toEqual(['AddToCart', 'InitiateCheckout', 'PageView', 'PageView', 'PageView', 'PageView', 'PageView', 'Purchase', 'ViewContent']);

      const purchase = pairs.find((p) => p.browser.eventName === 'Purchase')!.server.payload as {
        user_data: Record<string, unknown>;
        custom_data: Record<string, unknown>;
        event_source_url?: string;
      };
      expect(purchase.custom_data).toMatchObject({
        value: 99.8,
        currency: 'EUR',
        contents: [expect.objectContaining({ id: 'SKU-1001', quantity: 2 })],
        order_id: orderId,
      });
      // Hashed, normalised match keys of the signed-in shopper (never the plain values).
      expect(purchase.user_data.em).toEqual([sha256('jane.doe@example.com')]);
      expect(purchase.user_data.ph).toEqual([sha256('33612345678')]);
      expect(purchase.user_data.fn).toEqual([sha256('jane')]);
      expect(purchase.user_data.ct).toEqual([sha256('paris')]);
      expect(purchase.user_data.country).toEqual([sha256('fr')]);
      expect(purchase.user_data.client_user_agent).toEqual(expect.stringContaining('Chrome'));
      expect(purchase.event_source_url).toContain('/thank-you.html');

      const browserPurchase = pairs.find((p) => p.browser.eventName === 'Purchase')!.browser.payload as { cd: Record<string, string> };
      expect(browserPurchase.cd).toMatchObject({ value: '99.8', currency: 'EUR' });
    } finally {
      await visit.close();
    }
  });

  it('a landing with ?fbclid=…: the same fbc on both sides, carrying that fbclid unchanged', async () => {
    // A realistic fbclid (Meta's are URL-safe base64: letters, digits, '_' and '-').
    const fbclid = 'IwAR2xE2eTest_fbclid-AbC123zYx';
    const visit = await stack.newVisit();
    try {
      await visit.page.goto(`${stack.shopUrl}/?fbclid=${encodeURIComponent(fbclid)}`);
      const cookies = await waitFor(async () => {
        const c = await metaCookies(visit.context);
        return c.fbp && c.fbc ? c : undefined;
      }, { what: '_fbp and _fbc cookies' });
      expect(cookies.fbc).toMatch(new RegExp(`^fb\\.1\\.\\d{13}\\.${fbclid}$`));
      await visit.page.click('#product-list a >> nth=0');
      await visit.page.waitForSelector('#add-to-cart');
      const { pairs } = await waitForPairs(stack.sandbox.url, byFbp(cookies.fbp), 3);
      for (const pair of pairs) {
        expectDeduplicated(pair, cookies.fbp);
        expect(pair.browser.fbc, `${pair.browser.eventName} browser fbc`).toBe(cookies.fbc);
        expect(pair.server.fbc, `${pair.server.eventName} server fbc`).toBe(cookies.fbc);
      }
    } finally {
      await visit.close();
    }
  });

  it('a custom event keeps its own name on both sides and deduplicates', async () => {
    const visit = await stack.newVisit();
    try {
      await visit.page.goto(`${stack.shopUrl}/`);
      await visit.page.click('#custom-event');
      const { fbp } = await waitFor(async () => {
        const c = await metaCookies(visit.context);
        return c.fbp ? c : undefined;
      }, { what: '_fbp' });
      const { pairs } = await waitForPairs(stack.sandbox.url, byFbp(fbp), 2);
      const custom = pairs.find((p) => p.browser.eventName === 'size_guide_open');
      expect(custom, 'size_guide_open pair').toBeDefined();
      expectDeduplicated(custom!, fbp);
      // trackCustom on the browser, the same name as-is on the server (not a Meta standard event).
      expect((custom!.server.payload as { event_name: string }).event_name).toBe('size_guide_open');
    } finally {
      await visit.close();
    }
  });

  it('20 events fired quickly give 20 deduplicated pairs', async () => {
    const visit = await stack.newVisit();
    try {
      await visit.page.goto(`${stack.shopUrl}/`);
      await visit.page.waitForFunction(() => !!(window as unknown as { tC?: { capiBridge?: unknown } }).tC?.capiBridge);
      const ids = await visit.page.evaluate(() => {
        const w = window as unknown as { cact: (...a: unknown[]) => void; tC: { uniqueEventId: string } };
        const out: string[] = [];
        for (let i = 0; i < 20; i++) {
          w.cact('trigger', 'add_to_cart', {
            value: 10 + i, currency: 'EUR', items: [{ id: `SKU-B${i}`, quantity: 1, price: 10 + i, product: { id: `SKU-B${i}`, name: `Burst ${i}`, price: 10 + i } }],
          });
          out.push(w.tC.uniqueEventId);
        }
        return out;
      });
      expect(new Set(ids).size).toBe(20);
      const { fbp } = await metaCookies(visit.context);
      const burst = new Set(ids);
      const { pairs } = await waitForPairs(stack.sandbox.url, (e) => burst.has(e.eventId ?? ''), 20);
      expect(pairs).toHaveLength(20);
      for (const pair of pairs) {
        expectDeduplicated(pair, fbp);
        expect(pair.browser.eventName).toBe('AddToCart');
      }
      const all = await sandboxEvents(stack.sandbox.url, { pixel: PIXEL_ID });
      expect(all.filter((e) => burst.has(e.eventId ?? '') && e.source === 'server')).toHaveLength(20);
    } finally {
      await visit.close();
    }
  });
});
