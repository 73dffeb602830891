import { afterEach, describe, expect, it, vi } from 'vitest';
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
  // tag.js reads its own <script> through document.currentScript (set by the browser while it runs).
  Object.defineProperty(h.doc, 'currentScript', { configurable: true, get: () => s });
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

  it('data-endpoint, data-fbevents-url, data-consent-category; advancedMatching through cact config', async () => {
    const p = pageWithSnippet({
      'data-pixel-id': '1',
      'data-endpoint': 'https://api.example.com/base/',
      'data-fbevents-url': 'https://sandbox.test/fbevents.js',
      'data-consent-category': '3',
    });
    p.w.cact('config', { advancedMatching: { external_id: 'u1' } });
    install(p.w);
    p.w.cact('trigger', 'x', {});
    expect(p.sent).toHaveLength(0);
    p.w.cact('consent.update', { categories: ['3'] });
    expect(p.sent[0]!.url).toBe('https://api.example.com/base/collect');
    expect(p.fbqCalls()[0]).toEqual(['init', '1', { external_id: 'u1' }]);
    expect([...p.doc.querySelectorAll('script')].map((x) => x.getAttribute('src'))).toContain('https://sandbox.test/fbevents.js');
  });

  it('data-debug logs swallowed errors', () => {
    const p = pageWithSnippet({ 'data-pixel-id': '1', 'data-debug': 'true' });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    install(p.w);
    p.w.cact('nope');
    expect(warn).toHaveBeenCalled();
    warn.mockRestore();
  });

  it('cact("config") after load merges; a second install is a no-op', () => {
    const p = pageWithSnippet({ 'data-pixel-id': '1' });
    install(p.w);
    p.w.cact('config', { pixelId: ['7', '8'], cookieDomain: 'shop.example.com', contentType: null });
    p.w.cact('trigger', 'purchase', {});
    expect(p.fbqCalls().filter((c) => c[0] === 'init').map((c) => c[1])).toEqual(['7', '8']);
    expect(p.fbqCalls().at(-1)!.slice(0, 4)).toEqual(['trackSingle', '8', 'Purchase', {}]);
    expect(p.jar.get('_fbp')[0]!.domain).toBe('.shop.example.com');
    const cact = p.w.cact;
    expect(install(p.w)).toBeUndefined();
    expect(p.w.cact).toBe(cact);
  });
});
