import { afterEach, describe, expect, it } from 'vitest';
import { install } from './install.js';
import { makeWindow } from './test-utils/harness.js';
import type { Obj } from './types.js';

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

/** The documented snippet, then the script tag, then tag.js running. */
export function pageWithSnippet(attrs: Record<string, string>, url?: string) {
  const h = makeWindow({ url });
  close = h.close;
  const w = h.w as typeof h.w & { caReady: unknown[]; cact: (...a: unknown[]) => void };
  w.caReady = w.caReady || [];
  w.cact =
    w.cact ||
    function (...a: unknown[]) {
      w.caReady.push(a);
    };
  const s = h.doc.createElement('script');
  s.setAttribute('src', 'https://collect.shop.example.com/tag.js');
  for (const [k, v] of Object.entries(attrs)) s.setAttribute(k, v);
  h.doc.head.appendChild(s);
  return { ...h, w };
}

describe('install: snippet queue and data-* config', () => {
  it('replays calls made before load in order, then replaces cact', async () => {
    const p = pageWithSnippet({ 'data-pixel-id': '111,222', 'data-consent-category': '4' });
    const stub = p.w.cact;
    p.w.cact('setProperty', 'user.email', 'a@b.c');
    p.w.cact('trigger', 'page_view', {});
    p.w.cact('trigger', 'purchase', { amount: 1, currency: 'EUR' });
    p.w.cact('consent.update', { categories: ['4'] });
    expect(p.sent).toHaveLength(0);
    install(p.w);
    expect(p.w.cact).not.toBe(stub);
    expect(p.w.caReady).toHaveLength(0);
    const payloads = await p.payloads();
    expect(payloads.map((x) => x.event_name)).toEqual(['page_view', 'purchase']);
    expect(payloads[0]!.user.email).toBe('a@b.c');
    expect(p.sent[0]!.url).toBe('https://collect.shop.example.com/collect'); // default endpoint = tag.js origin
    expect(p.fbqCalls().filter((c) => c[0] === 'init').map((c) => c[1])).toEqual(['111', '222']);
    const tC = p.w.tC as Obj;
    expect(tC.uniqueEventId).toBe(payloads[1]!.context.event_id);
    p.w.cact('trigger', 'lead', {});
    stub('trigger', 'via_captured_stub', {}); // a reference to the stub taken before load still works
    expect((await p.payloads()).map((x) => x.event_name).slice(2)).toEqual(['lead', 'via_captured_stub']);
  });

  it('data-endpoint, data-fbevents-url, data-advanced-matching (JSON), data-debug', () => {
    const p = pageWithSnippet({
      'data-pixel-id': '1',
      'data-endpoint': 'https://api.example.com/base/',
      'data-fbevents-url': 'https://sandbox.test/fbevents.js',
      'data-advanced-matching': '{"external_id":"u1"}',
      'data-debug': 'true', // (happy-dom drops empty data-* values when spreading dataset; browsers keep them)
    });
    const tag = install(p.w)!;
    expect(tag.config).toMatchObject({
      pixelId: ['1'],
      endpoint: 'https://api.example.com/base/',
      fbeventsUrl: 'https://sandbox.test/fbevents.js',
      advancedMatching: { external_id: 'u1' },
      debug: true,
    });
    p.w.cact('trigger', 'x', {});
    expect(p.sent[0]!.url).toBe('https://api.example.com/base/collect');
  });

  it('cact("config") after load merges; a second install is a no-op', () => {
    const p = pageWithSnippet({ 'data-pixel-id': '1' });
    const tag = install(p.w)!;
    p.w.cact('config', { pixelId: ['7', '8'], cookieDomain: 'shop.example.com', contentType: 'null' });
    expect(tag.config).toMatchObject({ pixelId: ['7', '8'], cookieDomain: 'shop.example.com', contentType: null });
    const cact = p.w.cact;
    expect(install(p.w)).toBeUndefined();
    expect(p.w.cact).toBe(cact);
  });

  it('bad data-advanced-matching JSON is ignored, the rest of the config applies', () => {
    const p = pageWithSnippet({ 'data-pixel-id': '5', 'data-advanced-matching': '{bad' });
    const tag = install(p.w)!;
    expect(tag.config.pixelId).toEqual(['5']);
    expect(tag.config.advancedMatching).toBeUndefined();
  });
});
