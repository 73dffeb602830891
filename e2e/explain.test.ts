/**
 * "Why?" where the user looks, in chromium against `npm start`'s demo: the shop lists each event's real outcome
 * (held for consent, sent, dropped by the server and why, refused) with a link to its sandbox row, and the
 * sandbox page explains every row (counted once, dropped by the server with the keys present, rejected by
 * Meta in one message, browser hit without event_id, server copy without browser twin, counted twice), with
 * custom_data side by side, filters and search, from 360 px to wide. Screenshots go to e2e/artifacts/.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './support/chromium.js';
import { startDemo, type DemoInfo } from './support/demo-process.js';
import { stopAll } from './support/procs.js';
import { sandboxEvents } from './support/sandbox-client.js';
import { ROOT } from './support/stack.js';
import { waitFor } from './support/wait.js';

const ARTIFACTS = join(ROOT, 'e2e/artifacts');
const PIXEL = '1234567890';
const TWICE_FBP = 'fb.1.1700000000000.424242';

let browser: Browser;
let info: DemoInfo;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  ({ info } = await startDemo());
  browser = await launchChromium();
});
afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await stopAll();
});

async function newPage(width: number, height = 900): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height } });
  contexts.push(context);
  return context.newPage();
}

const entry = (page: Page, name: string) => page.locator(`#event-log li[data-event="${name}"]`).last();

/** No element sticks out sideways: nothing to scroll horizontally. */
async function expectNoHorizontalOverflow(page: Page): Promise<void> {
  const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }));
  expect(scroll, 'page wider than the viewport').toBeLessThanOrEqual(width);
}

/** The cells of each visible row do not overlap one another. */
async function expectCellsApart(page: Page): Promise<void> {
  const overlaps = await page.$$eval('#pairs .row', (rows) => {
    const out: string[] = [];
    for (const row of rows.slice(0, 30)) {
      const boxes = Array.from(row.children).map((c) => c.getBoundingClientRect());
      for (let i = 0; i < boxes.length; i++) {
        for (let j = i + 1; j < boxes.length; j++) {
          const a = boxes[i]!;
          const b = boxes[j]!;
          const apart = a.right <= b.left + 0.5 || b.right <= a.left + 0.5 || a.bottom <= b.top + 0.5 || b.bottom <= a.top + 0.5;
          if (!apart) out.push(`${row.getAttribute('data-status')} cells ${i}/${j}`);
        }
      }
    }
    return out;
  });
  expect(overlaps).toEqual([]);
}

describe('every event explained', () => {
  let addToCartId = '';
  let droppedId = '';
  let droppedReason = '';

  it('the shop shows held, sent and dropped outcomes, each linked to its sandbox row', async () => {
    const page = await newPage(1280);
    await page.goto(`${info.url}/product.html?sku=SKU-1002`);
    await expect.poll(() => entry(page, 'page_view').getAttribute('data-outcome')).toBe('held');
    expect(await entry(page, 'page_view').textContent()).toContain('held for consent: answer the cookie banner to send it');
    await page.click('#consent-accept');
    await expect.poll(() => entry(page, 'page_view').getAttribute('data-outcome'), { timeout: 15_000 }).toBe('sent');
    await page.click('#add-to-cart');
    await expect.poll(() => entry(page, 'add_to_cart').getAttribute('data-outcome'), { timeout: 15_000 }).toBe('sent');
    expect(await entry(page, 'add_to_cart').textContent()).toContain('sent: accepted by the server');
    addToCartId = (await entry(page, 'add_to_cart').getAttribute('data-event-id'))!;
    const link = entry(page, 'add_to_cart').locator('a.sandbox-link');
    expect(await link.getAttribute('href')).toBe(`${info.dedupPage}#event_id=${addToCartId}`);
    await page.screenshot({ path: join(ARTIFACTS, 'shop-outcomes-1280.png'), fullPage: true });

    // A guest (no e-mail, no phone): fbp + IP + UA is what the pixel itself sends, so the default match-key
    // rule (meta-baseline) keeps the server copy: the shop says it was sent.
    const guest = await newPage(360, 800);
    await guest.goto(`${info.url}/?shopper=guest`);
    await guest.click('#consent-accept');
    await expect.poll(() => entry(guest, 'page_view').getAttribute('data-outcome'), { timeout: 15_000 }).toBe('sent');
    // An order without a usable currency is dropped by the server; the shop says so, and why.
    await guest.evaluate(() => (window as unknown as { demoShop: { trigger(n: string, p: object): void } }).demoShop.trigger('purchase', { id: 'O-EXPLAIN', value: 10, currency: 'XXQ' }));
    await expect.poll(() => entry(guest, 'purchase').getAttribute('data-outcome'), { timeout: 15_000 }).toBe('dropped');
    const text = (await entry(guest, 'purchase').textContent())!;
    const reason = /dropped by the server: ([a-z_]+)/.exec(text)?.[1];
    expect(reason, text).toMatch(/currency/);
    droppedReason = reason!;
    droppedId = (await entry(guest, 'purchase').getAttribute('data-event-id'))!;
    await expectNoHorizontalOverflow(guest);
    await guest.screenshot({ path: join(ARTIFACTS, 'shop-outcomes-360.png'), fullPage: true });
  });

  it('the shop says when the server refuses its origin', async () => {
    // The demo server allows 127.0.0.1 and localhost; the same shop under another host name is refused.
    const page = await newPage(1280);
    await page.goto(`http://shop.example.test:${new URL(info.url).port}/`);
    await page.click('#consent-accept');
    await expect.poll(() => entry(page, 'page_view').getAttribute('data-outcome'), { timeout: 20_000 }).toBe('refused');
    expect(await entry(page, 'page_view').textContent()).toContain(`http://shop.example.test:${new URL(info.url).port} is not in its ALLOWED_ORIGINS`);
    await page.setViewportSize({ width: 420, height: 800 });
    await expectNoHorizontalOverflow(page);
    await page.screenshot({ path: join(ARTIFACTS, 'shop-refused-420.png'), fullPage: true });
  });

  it('the sandbox page explains every row, side by side, filtered, from 360 px to wide', async () => {
    const page = await newPage(1280);
    await page.goto(`${info.url}/`);
    // A server copy without browser twin, and one that a later eid-less pixel hit of the same fbp double-counts.
    await page.evaluate(async ({ twiceFbp }) => {
      const endpoint = new URL(document.querySelector<HTMLScriptElement>('script[data-pixel-id]')!.src).origin;
      const user = { email: 'jane.doe@example.com', phone: '+33612345678', firstname: 'Jane', lastname: 'Doe', city: 'Paris', country: 'FR', consent_categories: ['1'] };
      const post = (id: string, name: string, fbp?: string) => fetch(`${endpoint}/collect`, {
        method: 'POST', headers: { 'content-type': 'text/plain' },
        body: JSON.stringify({
          event_name: name, context: { event_id: id, event_timestamp: Date.now(), page: { url: location.href } },
          integrations: { facebook: { event_id: id, ...(fbp ? { fbp } : {}) } }, user,
        }),
      });
      await post('explain-server-only-1', 'sign_up');
      await post('explain-twice-1', 'generate_lead', twiceFbp);
    }, { twiceFbp: TWICE_FBP });
    await waitFor(async () => (await sandboxEvents(info.sandbox, { event_id: 'explain-twice-1' })).length > 0, { what: 'the server copy of explain-twice-1' });
    // Browser hits without eid: one double-counting the server Lead (same fbp, after it), one alone.
    await fetch(`${info.sandbox}/tr/?id=${PIXEL}&ev=Lead&fbp=${TWICE_FBP}`);
    await fetch(`${info.sandbox}/tr/?id=${PIXEL}&ev=Contact&fbp=fb.1.1700000000000.777`);
    // Meta refuses a request whose em is not hashed.
    const now = Math.floor(Date.now() / 1000);
    await fetch(`${info.sandbox}/v24.0/${PIXEL}/events?access_token=sandbox-token`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ data: [{ event_name: 'Purchase', event_time: now, event_id: 'explain-rejected-1', action_source: 'website',
        event_source_url: 'https://shop.example/', user_data: { em: 'plain@example.com', client_user_agent: 'UA', client_ip_address: '203.0.113.9' },
        custom_data: { value: 5, currency: 'EUR' } }] }),
    });

    await page.goto(info.dedupPage);
    const row = (status: string) => page.locator(`#pairs .row[data-status="${status}"]`);
    await expect.poll(() => row('dropped').count(), { timeout: 20_000 }).toBeGreaterThan(0);
    for (const s of ['once', 'dropped', 'rejected', 'no-eid', 'server-only', 'twice']) {
      expect(await row(s).count(), s).toBeGreaterThan(0);
    }
    // Counted once, with custom_data side by side.
    const once = page.locator(`#pairs .row[data-event-id="${addToCartId}"]`);
    expect(await once.getAttribute('data-status')).toBe('once');
    expect(await once.locator('.verdict').textContent()).toBe('Counted once');
    const value = once.locator('table.cd tr[data-field="value"] td');
    expect(await value.allTextContents()).toEqual(['value', '29.5', '29.5']);
    expect(await once.locator('table.cd tr[data-field="currency"] td').allTextContents()).toEqual(['currency', 'EUR', 'EUR']);
    // Dropped by the server: the reason, from the companion server's sent log.
    const dropped = page.locator(`#pairs .row[data-event-id="${droppedId}"]`);
    expect(await dropped.getAttribute('data-status')).toBe('dropped');
    const why = (await dropped.locator('.why').textContent())!;
    expect(why.startsWith(`${droppedReason} (destination 1234567890)`), why).toBe(true);
    // Rejected by Meta: the event's name and Meta's message once.
    const rejected = row('rejected').first();
    expect(await rejected.locator('.name').textContent()).toBe('Purchase');
    const rejectedText = (await rejected.textContent())!;
    expect(rejectedText).not.toContain('(request)');
    const [recorded] = await sandboxEvents(info.sandbox, { event_id: 'explain-rejected-1' });
    const error = (recorded as unknown as { error: { message: string; error_user_msg?: string } }).error;
    const metaMessage = error.error_user_msg ?? error.message;
    expect(metaMessage).toContain('user_data.em');
    expect(rejectedText.split(metaMessage).length - 1, 'Meta message printed once').toBe(1);
    // Browser without eid, server without browser twin, counted twice: each says why.
    expect(await row('no-eid').first().locator('.why').textContent()).toContain('Not deduplicable by id');
    const serverOnly = page.locator('#pairs .row[data-event-id="explain-server-only-1"]');
    expect(await serverOnly.getAttribute('data-status')).toBe('server-only');
    expect(await serverOnly.locator('.why').textContent()).toContain('No browser hit with this event_id');
    const twice = page.locator('#pairs .row[data-event-id="explain-twice-1"]');
    expect(await twice.getAttribute('data-status')).toBe('twice');
    expect(await twice.locator('.why').textContent()).toContain('the server copy arrived first');
    await page.screenshot({ path: join(ARTIFACTS, 'sandbox-page-1280.png'), fullPage: true });

    // Filters: status, event, and search by event id.
    await page.selectOption('#f-status', 'dropped');
    await expect.poll(async () => new Set(await page.locator('#pairs .row').evaluateAll((rs) => rs.map((r) => r.getAttribute('data-status'))))).toEqual(new Set(['dropped']));
    await page.selectOption('#f-status', '');
    await page.selectOption('#f-event', 'AddToCart');
    await expect.poll(async () => (await page.locator('#pairs .row .name').allTextContents()).every((n) => n === 'AddToCart')).toBe(true);
    await page.selectOption('#f-event', '');
    await page.fill('#f-search', addToCartId.slice(0, 13));
    await expect.poll(() => page.locator('#pairs .row').count()).toBe(1);
    await page.fill('#f-search', '');

    // The shop's link lands on that event's row alone.
    const linked = await newPage(420);
    await linked.goto(`${info.dedupPage}#event_id=${addToCartId}`);
    await expect.poll(() => linked.locator('#pairs .row').count(), { timeout: 10_000 }).toBe(1);
    expect(await linked.locator('#pairs .row').getAttribute('data-event-id')).toBe(addToCartId);

    // Paused, the page stops re-rendering every second, so row screenshots see stable elements.
    await page.click('#pause');
    expect(await page.textContent('#pause')).toBe('Resume');
    for (const width of [360, 420, 1280]) {
      await page.setViewportSize({ width, height: 900 });
      await page.waitForTimeout(300);
      await expectNoHorizontalOverflow(page);
      await expectCellsApart(page);
      await page.screenshot({ path: join(ARTIFACTS, `sandbox-page-${width}.png`), fullPage: true });
      await once.screenshot({ path: join(ARTIFACTS, `sandbox-row-once-${width}.png`) });
      await dropped.screenshot({ path: join(ARTIFACTS, `sandbox-row-dropped-${width}.png`) });
    }
  });
});
