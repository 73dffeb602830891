import { afterEach, describe, expect, it } from 'vitest';
import { createTag } from './create-tag.js';
import { makeWindow } from './test-utils/harness.js';
import type { Fbq, Obj, Win } from './types.js';

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

const tick = () => new Promise((r) => setTimeout(r, 5));

function setup(config: Obj = {}, before?: (w: Win) => void) {
  const h = makeWindow({ url: 'https://shop.example.com/', referrer: 'https://search.example/' });
  close = h.close;
  before?.(h.w);
  const tC: Obj = {};
  const cact = createTag(h.w, tC);
  cact('config', { pixelId: '1234567890', endpoint: 'https://collect.example.com', ...config });
  const pageViews = () => h.fbqCalls().filter((c) => c[0] === 'track' && c[1] === 'PageView');
  return { ...h, tC, cact, pageViews };
}

describe('the pixel\'s PageView rules', () => {
  it('the tag\'s own fbq stub turns off the pixel\'s automatic history PageViews and allows one PageView per route', () => {
    const s = setup();
    s.cact('trigger', 'page_view', {});
    expect(s.w.fbq!.disablePushState).toBe(true);
    expect(s.w.fbq!.allowDuplicatePageViews).toBe(true);
  });

  it('a page\'s base-code fbq gets disablePushState before fbevents.js starts only with autoPageViews', async () => {
    const stub = (w: Win) => {
      w.fbq = Object.assign(() => undefined, { queue: [] }) as Fbq;
    };
    const on = setup({ autoPageViews: true }, stub);
    expect(on.w.fbq!.disablePushState).toBe(true);
    await on.close();
    const off = setup({}, stub);
    expect(off.w.fbq!.disablePushState).toBeUndefined();
    await off.close();
    // fbevents.js already started: too late, left alone.
    const loaded = setup({ autoPageViews: true }, (w) => {
      w.fbq = Object.assign(() => undefined, { queue: [], callMethod: () => undefined }) as Fbq;
    });
    expect(loaded.w.fbq!.disablePushState).toBeUndefined();
  });
});

describe('autoPageViews: a paired page_view per in-page URL change', () => {
  it('pushState, replaceState, popstate and hashchange each give one page_view with the new URL and the previous one as referrer', async () => {
    const s = setup({ autoPageViews: '' }); // a bare data-auto-page-views attribute
    const h = s.w.history;
    h.pushState({}, '', '/products');
    await tick();
    h.replaceState({}, '', '/products'); // same URL: nothing
    await tick();
    h.replaceState({}, '', '/products?sort=price');
    await tick();
    // The back button: the browser changes the URL, then fires popstate (the wrapped methods are not involved).
    Object.getPrototypeOf(h).replaceState.call(h, {}, '', '/products');
    s.w.dispatchEvent(new s.w.PopStateEvent('popstate'));
    await tick();
    Object.getPrototypeOf(h).replaceState.call(h, {}, '', '/products#reviews');
    s.w.dispatchEvent(new s.w.HashChangeEvent('hashchange'));
    s.w.dispatchEvent(new s.w.PopStateEvent('popstate')); // chromium fires both for a fragment change: one page view
    await tick();
    const payloads = await s.payloads();
    expect(payloads.map((p) => [p.event_name, p.context.page.url, p.context.page.referrer])).toEqual([
      ['page_view', 'https://shop.example.com/products', 'https://shop.example.com/'],
      ['page_view', 'https://shop.example.com/products?sort=price', 'https://shop.example.com/products'],
      ['page_view', 'https://shop.example.com/products', 'https://shop.example.com/products?sort=price'],
      ['page_view', 'https://shop.example.com/products#reviews', 'https://shop.example.com/products'],
    ]);
    const pv = s.pageViews();
    expect(pv).toHaveLength(4);
    expect(pv.map((c) => (c[3] as Obj).eventID)).toEqual(payloads.map((p) => p.integrations.facebook.event_id));
  });

  it('is off by default, and off with autoPageViews: "false"', async () => {
    for (const autoPageViews of [undefined, 'false']) {
      const s = setup({ autoPageViews });
      s.w.history.pushState({}, '', '/a');
      await tick();
      expect(s.sent).toHaveLength(0);
      await s.close();
    }
  });

  it('sends no page view of its own when fbevents.js already runs its own history PageViews', async () => {
    const s = setup({ autoPageViews: true }, (w) => {
      w.fbq = Object.assign(() => undefined, { queue: [], callMethod: () => undefined }) as Fbq;
    });
    s.w.history.pushState({}, '', '/a');
    await tick();
    expect(s.sent).toHaveLength(0);
  });

  it('later events on the route carry the route change\'s referrer', async () => {
    const s = setup({ autoPageViews: 1 });
    s.w.history.pushState({}, '', '/checkout');
    await tick();
    s.cact('trigger', 'begin_checkout', {});
    const last = (await s.payloads()).at(-1)!;
    expect(last.context.page).toMatchObject({ url: 'https://shop.example.com/checkout', referrer: 'https://shop.example.com/' });
  });

  it('a padded event name resolves like the server resolves it', () => {
    const s = setup();
    s.cact('trigger', ' purchase ', { value: 1, currency: 'EUR' });
    expect(s.fbqCalls().at(-1)!.slice(0, 2)).toEqual(['track', 'Purchase']);
  });
});
