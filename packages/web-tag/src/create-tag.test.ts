import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTag, MAX_HELD } from './create-tag.js';
import { makeWindow } from './test-utils/harness.js';
import type { HarnessOptions } from './test-utils/harness.js';
import type { Obj } from './types.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
  vi.restoreAllMocks();
});

function setup(config: Obj = {}, o: HarnessOptions = {}) {
  const h = makeWindow(o);
  close = h.close;
  const tC: Obj = {};
  const cact = createTag(h.w, tC);
  cact('config', { pixelId: '1234567890', endpoint: 'https://collect.example.com/', ...config });
  return { ...h, tC, cact };
}

describe('ids', () => {
  it('each trigger gets a new UUID v4, exposed as tC.uniqueEventId and used on both sides', async () => {
    const s = setup();
    const ids = new Set<string>();
    for (let i = 0; i < 20; i++) {
      s.cact('trigger', 'add_to_cart', { value: i });
      expect(s.tC.uniqueEventId).toMatch(UUID);
      ids.add(s.tC.uniqueEventId as string);
    }
    expect(ids.size).toBe(20);
    const last = (await s.payloads()).at(-1)!;
    expect(last.context.event_id).toBe(s.tC.uniqueEventId);
    expect(last.integrations.facebook.event_id).toBe(s.tC.uniqueEventId);
    expect(s.fbqCalls().at(-1)![3]).toEqual({ eventID: s.tC.uniqueEventId });
  });

  it('tC.generateEventId makes UUIDs', () => {
    const s = setup();
    const gen = s.tC.generateEventId as () => string;
    expect(gen()).toMatch(UUID);
    expect(gen()).not.toBe(gen());
  });

  it('config.eventId overrides the id (numbers become strings)', async () => {
    const s = setup();
    s.cact('trigger', 'purchase', { id: 'o1', amount: 10, currency: 'eur' }, { eventId: 987 });
    expect(s.tC.uniqueEventId).toBe('987');
    expect((await s.payloads())[0]!.integrations.facebook.event_id).toBe('987');
    expect(s.fbqCalls().at(-1)).toEqual(['track', 'Purchase', expect.any(Object), { eventID: '987' }]);
  });

  it('an integrations.facebook.event_id in the properties is replaced by the event id (config.eventId sets it)', async () => {
    const s = setup();
    s.cact('trigger', 'purchase', { integrations: { facebook: { event_id: 'given-1' } } });
    expect(s.tC.uniqueEventId).toMatch(UUID);
    expect((await s.payloads())[0]!.integrations.facebook.event_id).toBe(s.tC.uniqueEventId);
  });
});

describe('pixel', () => {
  it('loads fbevents.js once with the base-code stub, inits each pixel once, then tracks', () => {
    const s = setup({ advancedMatching: { em: 'a@b.c' }, fbeventsUrl: 'http://sandbox.test/fbevents.js' });
    s.cact('trigger', 'page_view', {});
    s.cact('trigger', 'add_to_cart', { items: [{ product: { id: 'p1', price: 5 }, quantity: 2 }] });
    const scripts = [...s.doc.querySelectorAll('script')].map((x) => x.getAttribute('src'));
    expect(scripts).toEqual(['http://sandbox.test/fbevents.js']);
    expect(s.w.fbq!.version).toBe('2.0');
    expect(s.w._fbq).toBe(s.w.fbq);
    const calls = s.fbqCalls();
    expect(calls[0]).toEqual(['init', '1234567890', { em: 'a@b.c' }]);
    expect(calls.filter((c) => c[0] === 'init')).toHaveLength(1);
    expect(calls[1]).toEqual(['track', 'PageView', {}, { eventID: expect.stringMatching(UUID) }]);
    expect(calls[2]).toEqual([
      'track',
      'AddToCart',
      { contents: [{ id: 'p1', quantity: 2, item_price: 5 }], content_ids: ['p1'], num_items: 2, content_type: 'product' },
      { eventID: s.tC.uniqueEventId },
    ]);
  });

  it('unmapped names go through trackCustom; the integrations.facebook.event_name override is honoured', () => {
    const s = setup({ contentType: null });
    s.cact('trigger', 'newsletter_opt_in', { value: 1 });
    s.cact('trigger', 'purchase', { integrations: { facebook: { event_name: 'BigPurchase' } } });
    const calls = s.fbqCalls().slice(1);
    expect(calls[0]!.slice(0, 3)).toEqual(['trackCustom', 'newsletter_opt_in', { value: 1 }]);
    expect(calls[1]!.slice(0, 2)).toEqual(['trackCustom', 'BigPurchase']);
  });

  it('pixelId as a number or an array', () => {
    const s = setup({ pixelId: 42 });
    s.cact('config', { pixelId: ['7', 8] });
    s.cact('trigger', 'lead', {});
    expect(s.fbqCalls().slice(0, 2)).toEqual([
      ['init', '7', undefined],
      ['init', '8', undefined],
    ]);
  });

  it('several pixels → init each, trackSingle / trackSingleCustom per pixel with the same eventID', () => {
    const s = setup({ pixelId: '111, 222' });
    s.cact('trigger', 'search', { search_term: 'shoes' });
    s.cact('trigger', 'my_event', {});
    const calls = s.fbqCalls();
    expect(calls.slice(0, 2)).toEqual([
      ['init', '111', undefined],
      ['init', '222', undefined],
    ]);
    expect(calls[2]!.slice(0, 3)).toEqual(['trackSingle', '111', 'Search']);
    expect(calls[3]!.slice(0, 3)).toEqual(['trackSingle', '222', 'Search']);
    expect(calls[2]![4]).toEqual(calls[3]![4]);
    expect(calls[4]!.slice(0, 3)).toEqual(['trackSingleCustom', '111', 'my_event']);
  });

  it('fires before the forward (a site-provided fbq records the order)', () => {
    const s = setup();
    s.w.fbq = (...a: unknown[]) => void s.order.push('pixel:' + String(a[0]));
    s.cact('trigger', 'purchase', { amount: 3, currency: 'EUR' });
    expect(s.order).toEqual(['pixel:init', 'pixel:track', 'forward']);
  });

  it('no pixel id: no fbevents.js, the forward still happens', async () => {
    const s = setup({ pixelId: '' });
    s.cact('trigger', 'purchase', {});
    expect(s.w.fbq).toBeUndefined();
    expect(s.sent).toHaveLength(1);
  });
});

describe('forward payload', () => {
  it('has the TagEvent shape: name, properties, context, integrations.facebook, user', async () => {
    const s = setup({}, { url: 'https://www.shop.example.com/p?fbclid=CLICK', referrer: 'https://google.com/', title: 'Shoes' });
    s.cact('setProperty', 'user.email', 'Jane@Example.com');
    s.cact('consent.update', { categories: ['1', 2] });
    const before = Date.now();
    s.cact('trigger', 'purchase', { id: 'o-1', amount: 42.5, currency: 'EUR', items: [{ product: { id: 'sku' } }], user: { id: 'u1' } });
    expect(s.sent[0]!.url).toBe('https://collect.example.com/collect');
    const [p] = await s.payloads();
    expect(p).toEqual({
      id: 'o-1',
      amount: 42.5,
      currency: 'EUR',
      items: [{ product: { id: 'sku' } }],
      event_name: 'purchase',
      context: {
        event_id: s.tC.uniqueEventId,
        event_timestamp: expect.any(Number),
        page: { url: 'https://www.shop.example.com/p?fbclid=CLICK', referrer: 'https://google.com/', title: 'Shoes' },
      },
      integrations: {
        facebook: {
          event_id: s.tC.uniqueEventId,
          fbp: expect.stringMatching(/^fb\.1\.\d{13}\.\d+$/),
          fbc: expect.stringMatching(/^fb\.1\.\d{13}\.CLICK$/),
        },
      },
      user: { email: 'Jane@Example.com', id: 'u1', consent_categories: ['1', '2'] },
    });
    expect(p!.context.event_timestamp).toBeGreaterThanOrEqual(before);
    expect(p!.integrations.facebook.fbp).toBe(s.jar.get('_fbp')[0]!.value);
  });

  it('sends what the page set (server-only fields are stripped by the server, src/http/strip.ts)', async () => {
    const s = setup();
    s.cact('trigger', 'lead', { context: { device: { lang: 'fr' } } });
    const [p] = await s.payloads();
    expect(p!.context.device).toEqual({ lang: 'fr' });
  });

  it('setProperty values persist for later events, trigger properties win, callers objects are not mutated', async () => {
    const s = setup();
    s.cact('setProperty', 'user.email', 'a@b.c');
    s.cact('setProperty', 'user.address.city', 'Paris');
    s.cact('setProperty', '__proto__.polluted', 1);
    const props = { user: { email: 'override@b.c' }, context: { device: { ip: '1' } } };
    s.cact('trigger', 'a', props);
    s.cact('trigger', 'b', {});
    const [p1, p2] = await s.payloads();
    expect(p1!.user).toEqual({ email: 'override@b.c', address: { city: 'Paris' } });
    expect(p2!.user).toEqual({ email: 'a@b.c', address: { city: 'Paris' } });
    expect(props.context.device.ip).toBe('1');
    expect(({} as Obj).polluted).toBeUndefined();
  });

  it('the callback gets the event id once the forward left; the 4th argument may be the callback', async () => {
    const s = setup();
    const cb = vi.fn();
    s.cact('trigger', 'a', {}, { eventId: 'e1' }, cb);
    s.cact('trigger', 'b', {}, cb);
    expect(cb.mock.calls).toEqual([['e1', undefined], [s.tC.uniqueEventId, undefined]]);
  });

  it('no endpoint: pixel fires, nothing is sent, the callback still runs', () => {
    const h = makeWindow();
    close = h.close;
    const cact = createTag(h.w);
    const cb = vi.fn();
    cact('config', { pixelId: '1' });
    cact('trigger', 'purchase', {}, cb);
    expect(h.sent).toHaveLength(0);
    expect(cb).toHaveBeenCalledTimes(1);
    expect(h.fbqCalls()[1]![0]).toBe('track');
  });
});

describe('consent gating', () => {
  const granted = { categories: ['3', '7'] };

  it('before a decision: no fbevents.js, no fbq, no cookie, no forward; released in order on grant', async () => {
    const s = setup({ consentCategory: 7 }, { url: 'https://shop.example.com/?fbclid=X' });
    const cb = vi.fn();
    s.cact('trigger', 'page_view', {}, cb);
    const firstId = s.tC.uniqueEventId;
    s.cact('trigger', 'add_to_cart', {});
    expect(s.doc.querySelectorAll('script')).toHaveLength(0);
    expect(s.w.fbq).toBeUndefined();
    expect(s.jar.writes).toHaveLength(0);
    expect(s.sent).toHaveLength(0);
    expect(cb).not.toHaveBeenCalled();
    s.cact('consent.update', granted);
    const p = await s.payloads();
    expect(p.map((x) => x.event_name)).toEqual(['page_view', 'add_to_cart']);
    expect(p[0]!.context.event_id).toBe(firstId);
    expect(p[0]!.user.consent_categories).toEqual(['3', '7']);
    expect(s.fbqCalls().map((c) => c[1])).toEqual(['1234567890', 'PageView', 'AddToCart']);
    expect(s.jar.get('_fbp')).toHaveLength(1);
    expect(s.jar.get('_fbc')).toHaveLength(1);
    expect(cb).toHaveBeenCalledWith(firstId, undefined);
  });

  it('refused: held events are dropped (callbacks still called), later events too', () => {
    const s = setup({ consentCategory: '7' });
    const cb = vi.fn();
    s.cact('trigger', 'page_view', {}, cb);
    s.cact('consent.update', { categories: ['1'] });
    s.cact('trigger', 'purchase', {}, cb);
    expect(cb).toHaveBeenCalledTimes(2);
    expect(s.sent).toHaveLength(0);
    expect(s.w.fbq).toBeUndefined();
    expect(s.jar.writes).toHaveLength(0);
  });

  it('revoked later: fbq consent revoke, nothing more is sent; granted again: fbq consent grant', () => {
    const s = setup({ consentCategory: '7' });
    s.cact('consent.update', granted);
    s.cact('trigger', 'page_view', {});
    expect(s.sent).toHaveLength(1);
    s.cact('consent.update', { categories: [] });
    s.cact('trigger', 'purchase', {});
    expect(s.sent).toHaveLength(1);
    expect(s.fbqCalls().at(-1)).toEqual(['consent', 'revoke']);
    expect(s.fbqCalls().filter((c) => c[0] === 'track')).toHaveLength(1);
    s.cact('consent.update', granted);
    expect(s.fbqCalls().at(-1)).toEqual(['consent', 'grant']);
    s.cact('trigger', 'purchase', {});
    expect(s.sent).toHaveLength(2);
  });

  it('holds at most MAX_HELD events', async () => {
    const s = setup({ consentCategory: '7' });
    for (let i = 0; i < MAX_HELD + 5; i++) s.cact('trigger', 'e' + i, {});
    s.cact('consent.update', granted);
    const p = await s.payloads();
    expect(p).toHaveLength(MAX_HELD);
    expect(p[0]!.event_name).toBe('e0');
  });

  it("consent comes from consent.update only: an event's own user.consent_categories neither decides nor is sent", async () => {
    const s = setup({ consentCategory: '7' });
    s.cact('trigger', 'held', { user: { consent_categories: [7] } });
    expect(s.sent).toHaveLength(0);
    s.cact('consent.update', { categories: [7] });
    const p = await s.payloads();
    expect(p.map((x) => x.event_name)).toEqual(['held']);
    expect(p[0]!.user.consent_categories).toEqual(['7']);
  });

  it('without consentCategory everything flows; consent.update only records the categories', async () => {
    const s = setup();
    s.cact('trigger', 'a', {});
    s.cact('consent.update', { categories: ['2'] });
    s.cact('trigger', 'b', {});
    const p = await s.payloads();
    expect(p[0]!.user).toEqual({});
    expect(p[1]!.user).toEqual({ consent_categories: ['2'] });
  });
});

describe('robustness: nothing escapes into the page', () => {
  it('bad commands and arguments are ignored', () => {
    const s = setup({ debug: true });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(() => {
      s.cact();
      s.cact('nope');
      s.cact('trigger');
      s.cact('trigger', 42);
      s.cact('consent.update', 'yes');
      s.cact('config', null);
      s.cact('setProperty', 5, 1);
    }).not.toThrow();
    expect(s.sent).toHaveLength(0);
    expect(warn).toHaveBeenCalled();
  });

  it('a throwing fbq, cookie jar, callback and fetch are contained and the forward still leaves', () => {
    const s = setup({}, { beacon: 'missing' });
    s.w.fbq = () => {
      throw new Error('blocked pixel');
    };
    Object.defineProperty(s.doc, 'cookie', {
      get() {
        throw new Error('no cookies');
      },
      set() {
        throw new Error('no cookies');
      },
    });
    expect(() =>
      s.cact('trigger', 'purchase', { amount: 'abc', items: 'broken' }, () => {
        throw new Error('callback');
      }),
    ).not.toThrow();
    expect(s.sent).toHaveLength(1);
    Object.defineProperty(s.w, 'fetch', { value: undefined });
    expect(() => s.cact('trigger', 'purchase', {})).not.toThrow();
  });

  it('debug off: silent', () => {
    const s = setup();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    s.cact('nope');
    expect(warn).not.toHaveBeenCalled();
  });
});
