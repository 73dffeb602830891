import { createHash } from 'node:crypto';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type SandboxHandle } from '../src/start.js';
import type { RecordedEvent } from '../src/types.js';

const PIXEL = '1234567890';
const PIXEL_2 = '222333444';
const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

let sandbox: SandboxHandle;
let browser: Browser;

function pageHtml(scriptUrl: string, body: string): string {
  return `<!doctype html><html><head><script>
!function(f,b,e,v,n,t,s){if(f.fbq)return;n=f.fbq=function(){n.callMethod?n.callMethod.apply(n,arguments):n.queue.push(arguments)};if(!f._fbq)f._fbq=n;n.push=n;n.loaded=!0;n.version='2.0';n.queue=[];t=b.createElement(e);t.async=!0;t.src=v;s=b.getElementsByTagName(e)[0];s.parentNode.insertBefore(t,s)}(window,document,'script','${scriptUrl}');
${body}
</script></head><body>shop</body></html>`;
}

async function newContext(html: (url: URL) => string): Promise<BrowserContext> {
  const context = await browser.newContext();
  // Chromium blocks a public page's requests to 127.0.0.1 (private network access), so the fake shop's own
  // origin proxies the script and the /tr hits to the sandbox, as a CDN would.
  await context.route(/^http:\/\/(shop\.example\.test|other\.example\.test)\//, async (route) => {
    const url = new URL(route.request().url());
    if (url.pathname.endsWith('fbevents.js') || url.pathname.startsWith('/tr')) {
      const response = await route.fetch({ url: `${sandbox.url}${url.pathname}${url.search}` });
      await route.fulfill({ response });
      return;
    }
    await route.fulfill({ status: 200, contentType: 'text/html', body: html(url) });
  });
  await context.route(`${sandbox.url}/page*`, (route) =>
    route.fulfill({ status: 200, contentType: 'text/html', body: html(new URL(route.request().url())) }));
  return context;
}

async function browserEvents(count: number): Promise<RecordedEvent[]> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const events = sandbox.context.store.list({ source: 'browser' });
    if (events.length >= count) return events;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${count} browser events; got ${events.length}: ${events.map((e) => e.eventName).join(', ')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function cookie(context: BrowserContext, name: string) {
  return (await context.cookies()).find((c) => c.name === name);
}

const defaultSnippet = `fbq('init','${PIXEL}',{em:' John_Smith@gmail.com ',ph:'+1 (650) 555-1212',country:'US'});
fbq('track','PageView');
fbq('track','Purchase',{value:42.5,currency:'EUR',contents:[{id:'p1',quantity:2}]},{eventID:'abc-123'});`;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu', '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic'],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await sandbox?.close();
});

beforeEach(() => sandbox.context.store.clear());

describe('fbevents.js stand-in in chromium', () => {
  it('processes the snippet queue in order, creates _fbp/_fbc on the registrable domain and sends eid, cd and hashed ud', async () => {
    const context = await newContext(() => pageHtml('/en_US/fbevents.js', defaultSnippet));
    const page = await context.newPage();
    const before = Date.now();
    await page.goto('http://shop.example.test/product?fbclid=AbCdEf123');
    const events = await browserEvents(2);
    // Two image requests: which one the sandbox records first is not guaranteed.
    expect(events.map((e) => e.eventName).sort()).toEqual(['PageView', 'Purchase']);

    const fbp = await cookie(context, '_fbp');
    expect(fbp?.domain).toBe('.example.test');
    expect(fbp?.value).toMatch(/^fb\.1\.\d{13}\.\d+$/);
    const created = Number(fbp!.value.split('.')[2]);
    expect(created).toBeGreaterThanOrEqual(before - 1000);
    expect(Number(fbp!.value.split('.')[3])).toBeLessThan(2 ** 31);
    const ninetyDays = 90 * 86_400;
    expect(fbp!.expires).toBeGreaterThan(Date.now() / 1000 + ninetyDays - 120);
    expect(fbp!.expires).toBeLessThan(Date.now() / 1000 + ninetyDays + 120);
    const fbc = await cookie(context, '_fbc');
    expect(fbc?.value).toMatch(/^fb\.1\.\d{13}\.AbCdEf123$/);
    expect(fbc?.domain).toBe('.example.test');

    const pv = events.find((e) => e.eventName === 'PageView')!;
    const purchase = events.find((e) => e.eventName === 'Purchase')!;
    expect(pv.eventId).toBeUndefined();
    expect(purchase.eventId).toBe('abc-123');
    expect(purchase.fbp).toBe(fbp!.value);
    expect(purchase.fbc).toBe(fbc!.value);
    const payload = purchase.payload as { cd: Record<string, string>; ud: Record<string, string>; dl: string };
    expect(payload.cd).toEqual({ value: '42.5', currency: 'EUR', contents: '[{"id":"p1","quantity":2}]' });
    expect(payload.dl).toBe('http://shop.example.test/product?fbclid=AbCdEf123');
    // Meta's worked examples (customer information parameters page).
    expect(payload.ud.em).toBe('62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f');
    expect(payload.ud.ph).toBe('e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176');
    expect(payload.ud.country).toBe('79adb2a2fce5c6ba215fe5f27f532d4e7edbac4b6a5e09e1ef3a08084a904621');

    // Second page view: _fbp reused, _fbc kept while the fbclid is unchanged.
    await page.goto('http://shop.example.test/cart?fbclid=AbCdEf123');
    const again = await browserEvents(4);
    expect((await cookie(context, '_fbp'))?.value).toBe(fbp!.value);
    expect((await cookie(context, '_fbc'))?.value).toBe(fbc!.value);
    expect(again[3]?.fbp).toBe(fbp!.value);

    // A new fbclid replaces _fbc; _fbp still stays.
    await page.goto('http://shop.example.test/cart?fbclid=NewClick');
    await browserEvents(6);
    expect((await cookie(context, '_fbc'))?.value).toMatch(/^fb\.1\.\d{13}\.NewClick$/);
    expect((await cookie(context, '_fbp'))?.value).toBe(fbp!.value);
    await context.close();
  });

  it('reads fbclid from the referrer', async () => {
    const context = await newContext(() => pageHtml('/fbevents.js', `fbq('init','${PIXEL}');fbq('track','PageView');`));
    const page = await context.newPage();
    await page.goto('http://shop.example.test/landing', { referer: 'http://other.example.test/ad?fbclid=FromReferrer' });
    const [hit] = await browserEvents(1);
    expect(hit?.fbc).toMatch(/^fb\.1\.\d{13}\.FromReferrer$/);
    await context.close();
  });

  it('keeps an existing _fbp set before the script ran', async () => {
    const context = await newContext(() => pageHtml('/fbevents.js', `fbq('init','${PIXEL}');fbq('track','PageView');`));
    await context.addCookies([{ name: '_fbp', value: 'fb.1.1596403881668.1116446470', domain: '.example.test', path: '/' }]);
    const page = await context.newPage();
    await page.goto('http://shop.example.test/');
    const [hit] = await browserEvents(1);
    expect(hit?.fbp).toBe('fb.1.1596403881668.1116446470');
    expect(hit?.fbc).toBeUndefined();
    await context.close();
  });

  it('init alone sends nothing; consent revoke stops hits until grant; trackSingle targets one pixel', async () => {
    const context = await newContext(() => pageHtml('/fbevents.js', `fbq('init','${PIXEL}');fbq('init','${PIXEL_2}');`));
    const page = await context.newPage();
    await page.goto('http://shop.example.test/');
    await page.waitForFunction(() => Boolean((window as unknown as { fbq: { __sandbox?: unknown } }).fbq.__sandbox));
    await page.evaluate(() => {
      const fbq = (window as unknown as { fbq: (...a: unknown[]) => void }).fbq;
      fbq('consent', 'revoke');
      fbq('track', 'Lead', {}, { eventID: 'revoked-1' });
      fbq('consent', 'grant');
      fbq('trackSingle', '222333444', 'AddToCart', { content_ids: ['a', 'b'] }, { eventID: 'single-1' });
      fbq('trackSingleCustom', '222333444', 'MyThing', { n: 1 }, { eventID: 'single-2' });
      fbq('trackCustom', 'Both', { ok: true }, { eventID: 'both-1' });
    });
    const events = await browserEvents(4);
    await new Promise((r) => setTimeout(r, 300));
    const all = sandbox.context.store.list({ source: 'browser' });
    // Each hit is its own image request: their arrival order (notably both-1's two) is not guaranteed.
    expect(all.map((e) => `${e.pixelId}:${e.eventName}:${e.eventId}`).sort()).toEqual([
      `${PIXEL_2}:AddToCart:single-1`, `${PIXEL_2}:MyThing:single-2`, `${PIXEL}:Both:both-1`, `${PIXEL_2}:Both:both-1`,
    ].sort());
    expect((events.find((e) => e.eventId === 'single-1')?.payload as { cd: Record<string, string> }).cd.content_ids).toBe('["a","b"]');
    expect(all.some((e) => e.eventId === 'revoked-1')).toBe(false);
    expect(await cookie(context, '_fbp')).toBeDefined();
    await context.close();
  });

  it('on an IP host (secure context, SubtleCrypto) sets a host-only _fbp and hashes with SubtleCrypto', async () => {
    const context = await newContext(() => pageHtml(`/fbevents.js`, `fbq('init','${PIXEL}',{em:'Mary@Example.com',fn:'Mary'});fbq('track','ViewContent',{},{eventID:'v-1'});`));
    const page = await context.newPage();
    await page.goto(`${sandbox.url}/page`);
    expect(await page.evaluate(() => window.isSecureContext)).toBe(true);
    const [hit] = await browserEvents(1);
    const fbp = await cookie(context, '_fbp');
    expect(fbp?.domain).toBe('127.0.0.1');
    expect(fbp?.value).toMatch(/^fb\.3\.\d{13}\.\d+$/);
    expect((hit?.payload as { ud: Record<string, string> }).ud).toEqual({ em: sha('mary@example.com'), fn: sha('mary') });
    await context.close();
  });

  it('sends hits to the tr_url baked in by the sandbox', async () => {
    const res = await fetch(`${sandbox.url}/en_US/fbevents.js?tr_url=${encodeURIComponent('https://www.facebook.com/tr/')}`);
    const text = await res.text();
    expect(res.headers.get('content-type')).toMatch(/javascript/);
    expect(text).toContain('var INJECTED_TR_URL = "https://www.facebook.com/tr/";');
    const bad = await fetch(`${sandbox.url}/fbevents.js?tr_url=javascript:alert(1)`);
    expect(bad.status).toBe(400);
  });

  it('the /_sandbox page is self-contained and shows pairs, dedup and rejections', async () => {
    const html = await (await fetch(`${sandbox.url}/_sandbox`)).text();
    expect(html).not.toMatch(/(src|href)=["']https?:/);
    const now = Math.floor(Date.now() / 1000);
    await fetch(`${sandbox.url}/tr/?id=${PIXEL}&ev=Purchase&eid=pair-1&fbp=fb.1.1596403881668.1`);
    const body = (user_data: Record<string, unknown>) => JSON.stringify({ data: [{
      event_name: 'Purchase', event_time: now, action_source: 'website', event_id: 'pair-1', event_source_url: 'https://shop.example.test/',
      user_data: { client_user_agent: 'UA', client_ip_address: '203.0.113.1', fbp: 'fb.1.1596403881668.1', ...user_data },
      custom_data: { value: 1, currency: 'EUR' } }] });
    const url = `${sandbox.url}/v24.0/${PIXEL}/events?access_token=sandbox-token`;
    await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body({}) });
    await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body({ em: 'plain@example.com' }) });
    const page = await browser.newPage();
    await page.goto(`${sandbox.url}/_sandbox`);
    await page.waitForFunction(() => document.querySelectorAll('#pairs .row').length === 2);
    const cards = await page.$$eval('#summary .card', (els) => els.map((e) => e.textContent));
    expect(cards[0]).toBe('1counted once');
    expect(cards[1]).toBe('1deduplicated');
    expect(cards).toContain('1rejected');
    const pair = page.locator('#pairs .row[data-status="once"]');
    expect(await pair.locator('.verdict').textContent()).toBe('Counted once');
    expect(await pair.textContent()).toContain('fbp ✓ equal');
    const rejected = page.locator('#pairs .row[data-status="rejected"]');
    expect(await rejected.locator('.name').textContent()).toBe('Purchase');
    expect(await rejected.locator('.why').textContent()).toContain('data[0].user_data.em');
    // A server copy matched to an eid-less browser hit by fbp sits in that hit's row, counted once, and says how.
    await fetch(`${sandbox.url}/tr/?id=${PIXEL}&ev=Lead&fbp=fb.1.1596403881668.9`);
    await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ data: [{
      event_name: 'Lead', event_time: now, action_source: 'website', event_id: 'lead-by-fbp', event_source_url: 'https://shop.example.test/',
      user_data: { client_user_agent: 'UA', client_ip_address: '203.0.113.1', fbp: 'fb.1.1596403881668.9' } }] }) });
    const byFbp = page.locator('#pairs .row[data-event-id="lead-by-fbp"]');
    await byFbp.waitFor();
    expect(await byFbp.getAttribute('data-status')).toBe('once');
    expect(await byFbp.locator('.why').textContent()).toContain('matched by fbp, not by event_id');
    expect(await byFbp.locator('.c-browser .badge').textContent()).toBe('counted');
    // Without a companion server the page says how to get the server's side of a browser-only event.
    expect(await page.textContent('#companion')).toContain('not configured');
    await page.close();
  });

});

/** Waits until no new browser hit arrived for `quietMs` (the stand-in sends each hit as its own request). */
async function settledBrowserEvents(quietMs = 400): Promise<RecordedEvent[]> {
  let last = -1;
  for (;;) {
    const n = sandbox.context.store.list({ source: 'browser' }).length;
    if (n === last) return sandbox.context.store.list({ source: 'browser' });
    last = n;
    await new Promise((r) => setTimeout(r, quietMs));
  }
}

const summary = (events: RecordedEvent[]) => events.map((e) => `${e.eventName}:${e.eventId ?? '-'}`).sort();
type FbqWindow = { fbq: ((...a: unknown[]) => void) & { __sandbox?: unknown; disablePushState?: boolean } };
const loaded = (page: Page) => page.waitForFunction(() => Boolean((window as unknown as FbqWindow).fbq.__sandbox));

describe('fbevents.js stand-in: the PageView and SPA rules of Meta\'s fbevents.js 2.9.15', () => {
  it('sends one PageView per pixel and page load: later ones are dropped even with a new eventID, as trackCustom, or after pushState', async () => {
    const context = await newContext(() => pageHtml('/fbevents.js', `fbq.disablePushState = true; fbq('init','${PIXEL}'); fbq('init','${PIXEL_2}');
fbq('track','PageView',{},{eventID:'pv-1'});
fbq('track','PageView',{},{eventID:'pv-2'});
fbq('trackCustom','PageView',{},{eventID:'pv-3'});
fbq('trackSingle','${PIXEL_2}','PageView',{},{eventID:'pv-4'});`));
    const page = await context.newPage();
    await page.goto('http://shop.example.test/');
    await loaded(page);
    await page.evaluate(() => {
      history.pushState({}, '', '/route-2');
      (window as unknown as FbqWindow).fbq('track', 'PageView', {}, { eventID: 'pv-5' });
      (window as unknown as FbqWindow).fbq('track', 'Lead', {}, { eventID: 'lead-1' });
    });
    await browserEvents(3);
    const events = await settledBrowserEvents();
    expect(events.map((e) => `${e.pixelId}:${e.eventName}:${e.eventId}`).sort()).toEqual(
      [`${PIXEL}:PageView:pv-1`, `${PIXEL_2}:PageView:pv-1`, `${PIXEL}:Lead:lead-1`, `${PIXEL_2}:Lead:lead-1`].sort());
    // A new page load starts a new set.
    sandbox.context.store.clear();
    await page.goto('http://shop.example.test/next');
    await browserEvents(2);
    expect(summary(await settledBrowserEvents())).toEqual(['PageView:pv-1', 'PageView:pv-1']);
    await context.close();
  });

  it('sends every PageView when fbq.allowDuplicatePageViews is true', async () => {
    const context = await newContext(() => pageHtml('/fbevents.js', `fbq.disablePushState = true; fbq.allowDuplicatePageViews = true; fbq('init','${PIXEL}');
fbq('track','PageView',{},{eventID:'pv-1'});
fbq('track','PageView',{},{eventID:'pv-2'});`));
    const page = await context.newPage();
    await page.goto('http://shop.example.test/');
    await browserEvents(2);
    expect(summary(await settledBrowserEvents())).toEqual(['PageView:pv-1', 'PageView:pv-2']);
    await context.close();
  });

  it('sends an eid-less PageView on each URL change by pushState, replaceState and popstate (none for the same URL)', async () => {
    const context = await newContext(() => pageHtml('/fbevents.js', `fbq('init','${PIXEL}'); fbq('track','PageView',{},{eventID:'first'});`));
    const page = await context.newPage();
    await page.goto('http://shop.example.test/');
    await loaded(page);
    await browserEvents(1);
    await page.evaluate(() => {
      history.pushState({}, '', '/a');
      history.replaceState({}, '', '/a'); // same URL: no hit
      history.replaceState({}, '', '/b');
    });
    await page.goBack(); // popstate back to '/'
    await page.waitForFunction(() => location.pathname === '/');
    await browserEvents(4);
    const events = await settledBrowserEvents();
    expect(summary(events)).toEqual(['PageView:-', 'PageView:-', 'PageView:-', 'PageView:first']);
    const urls = events.filter((e) => !e.eventId).map((e) => (e.payload as { dl: string }).dl).sort();
    expect(urls).toEqual(['http://shop.example.test/', 'http://shop.example.test/a', 'http://shop.example.test/b']);
    await context.close();
  });

  it('sends no automatic PageView when fbq.disablePushState was true at start; setting it later changes nothing', async () => {
    const context = await newContext((url) => pageHtml('/fbevents.js',
      `${url.searchParams.has('disable') ? 'fbq.disablePushState = true;' : ''} fbq('init','${PIXEL}'); fbq('track','Lead',{},{eventID:'l-1'});`));
    const page = await context.newPage();
    await page.goto('http://shop.example.test/?disable');
    await loaded(page);
    await page.evaluate(() => history.pushState({}, '', '/spa-route'));
    await browserEvents(1);
    expect(summary(await settledBrowserEvents())).toEqual(['Lead:l-1']);

    sandbox.context.store.clear();
    await page.goto('http://shop.example.test/');
    await loaded(page);
    await page.evaluate(() => {
      (window as unknown as FbqWindow).fbq.disablePushState = true;
      history.pushState({}, '', '/spa-route');
    });
    await browserEvents(2);
    expect(summary(await settledBrowserEvents())).toEqual(['Lead:l-1', 'PageView:-']);
    await context.close();
  });

  it('replays the base-code queue in order and keeps the same fbq object afterwards', async () => {
    const context = await newContext(() => pageHtml('/fbevents.js', `window.stubBeforeLoad = fbq; fbq.disablePushState = true; fbq('init','${PIXEL}');
fbq('track','ViewContent',{},{eventID:'q-1'}); fbq('track','AddToCart',{},{eventID:'q-2'}); fbq('track','Purchase',{value:1,currency:'EUR'},{eventID:'q-3'});`));
    const page = await context.newPage();
    await page.goto('http://shop.example.test/');
    await loaded(page);
    expect(await page.evaluate(() => {
      const w = window as unknown as FbqWindow & { stubBeforeLoad: unknown; _fbq: unknown };
      return w.fbq === w.stubBeforeLoad && w._fbq === w.fbq && typeof (w.fbq as unknown as { callMethod?: unknown }).callMethod === 'function';
    })).toBe(true);
    await page.evaluate(() => (window as unknown as { stubBeforeLoad: (...a: unknown[]) => void }).stubBeforeLoad('track', 'Lead', {}, { eventID: 'after' }));
    await browserEvents(4);
    const events = await settledBrowserEvents();
    // `ec` is the pixel's event counter, assigned in call order.
    const byCounter = events.map((e) => [Number((e.payload as { other: Record<string, string> }).other.ec), e.eventId] as const).sort((a, b) => a[0] - b[0]);
    expect(byCounter.map(([, id]) => id)).toEqual(['q-1', 'q-2', 'q-3', 'after']);
    await context.close();
  });
});
