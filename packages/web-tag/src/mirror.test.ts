import { afterEach, describe, expect, it } from 'vitest';
import { createTag } from './create-tag.js';
import { makeWindow } from './test-utils/harness.js';
import type { Fbq, Obj, Win } from './types.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

/** Meta's base-code stub, as the standard snippet defines it (minus the script insertion). */
function baseCode(w: Win): Fbq {
  const n: Fbq = function (...a: unknown[]) {
    // eslint-disable-next-line prefer-rest-params
    n.callMethod ? n.callMethod.apply(n, a) : n.queue!.push(a);
  } as Fbq;
  w.fbq = n;
  w._fbq ||= n;
  n.push = n;
  n.loaded = true;
  n.version = '2.0';
  n.queue = [];
  return n;
}

function setup(config: Obj = {}, before?: (w: Win) => void) {
  const h = makeWindow();
  close = h.close;
  before?.(h.w);
  const tC: Obj = {};
  const cact = createTag(h.w, tC);
  cact('config', { pixelId: '1234567890', endpoint: 'https://collect.example.com', ...config });
  const fbq = (...a: unknown[]) => (h.w.fbq as (...a: unknown[]) => void)(...a);
  return { ...h, tC, cact, fbq };
}

describe('mirror of the page\'s own fbq calls (default on)', () => {
  it('gives queued base-code calls an eventID and forwards each as the matching event', async () => {
    const s = setup({}, (w) => {
      const n = baseCode(w);
      n('init', '1234567890');
      n('track', 'PageView');
      n('track', 'AddToCart', { value: 10, currency: 'EUR', content_ids: ['SKU-1'] });
    });
    const calls = s.fbqCalls();
    expect(calls[0]).toEqual(['init', '1234567890']);
    expect(calls[1]).toEqual(['track', 'PageView', {}, { eventID: expect.stringMatching(UUID) }]);
    expect(calls[2]).toEqual(['track', 'AddToCart', { value: 10, currency: 'EUR', content_ids: ['SKU-1'] }, { eventID: expect.stringMatching(UUID) }]);
    const payloads = await s.payloads();
    expect(payloads.map((p) => [p.event_name, p.integrations.facebook.event_id])).toEqual([
      ['page_view', (calls[1]![3] as Obj).eventID],
      ['add_to_cart', (calls[2]![3] as Obj).eventID],
    ]);
    expect(payloads[1]!.integrations.facebook.custom_data).toEqual({ value: 10, currency: 'EUR', content_ids: ['SKU-1'] });
    expect(payloads[1]!.context.event_id).toBe((calls[2]![3] as Obj).eventID);
    // No second pixel call: the page's own call is the browser copy.
    expect(calls).toHaveLength(3);
  });

  it('mirrors calls pushed to the queue later and calls through callMethod once fbevents.js runs, keeping `this`', async () => {
    const s = setup({}, (w) => baseCode(w));
    s.fbq('track', 'Lead', { content_name: 'x' });
    expect(s.fbqCalls()[0]).toEqual(['track', 'Lead', { content_name: 'x' }, { eventID: expect.stringMatching(UUID) }]);
    const seen: Array<{ self: unknown; args: unknown[] }> = [];
    const f = s.w.fbq!;
    f.callMethod = function (this: unknown, ...args: unknown[]) {
      seen.push({ self: this, args });
    };
    s.fbq('trackCustom', 'purchase', { value: 1 });
    s.fbq('trackSingle', '1234567890', 'ViewContent', {}, { eventID: 'given-1' });
    s.fbq('trackSingleCustom', '1234567890', 'MyThing');
    expect(seen[0]!.self).toBe(f);
    expect(seen.map((x) => x.args)).toEqual([
      ['trackCustom', 'purchase', { value: 1 }, { eventID: expect.stringMatching(UUID) }],
      ['trackSingle', '1234567890', 'ViewContent', {}, { eventID: 'given-1' }],
      ['trackSingleCustom', '1234567890', 'MyThing', {}, { eventID: expect.stringMatching(UUID) }],
    ]);
    const payloads = await s.payloads();
    expect(payloads.map((p) => [p.event_name, p.integrations.facebook.event_name])).toEqual([
      ['generate_lead', undefined],
      // A custom 'purchase' must stay 'purchase' on the server (the seed table would make it Purchase).
      ['purchase', 'purchase'],
      ['MyThing', undefined],
    ]);
    expect(payloads[1]!.integrations.facebook.event_id).toBe((seen[0]!.args[3] as Obj).eventID);
  });

  it('never forwards a call whose hit already left without an id (queue drained before the tag loaded)', async () => {
    const s = setup({}, (w) => {
      const n = baseCode(w);
      n.callMethod = () => undefined; // fbevents.js ran and drained the queue
      n('track', 'PageView');
    });
    expect(await s.payloads()).toEqual([]);
    s.fbq('track', 'Search', { search_string: 'shoes' });
    expect((await s.payloads()).map((p) => p.event_name)).toEqual(['search']);
  });

  it('does not mirror the tag\'s own calls: one forward per trigger', async () => {
    const s = setup({}, (w) => baseCode(w));
    s.cact('trigger', 'purchase', { id: 'o1', value: 5, currency: 'EUR' });
    const payloads = await s.payloads();
    expect(payloads).toHaveLength(1);
    expect(s.fbqCalls().filter((c) => c[0] === 'track')).toEqual([['track', 'Purchase', expect.any(Object), { eventID: s.tC.uniqueEventId }]]);
  });

  it('prepares a base code that runs after the tag, before fbevents.js can drain its queue', async () => {
    const s = setup({ autoPageViews: true });
    const n = baseCode(s.w);
    n('init', '1234567890');
    n('track', 'PageView');
    await Promise.resolve();
    expect(n.disablePushState).toBe(true);
    expect(s.fbqCalls()[1]).toEqual(['track', 'PageView', {}, { eventID: expect.stringMatching(UUID) }]);
    expect((await s.payloads()).map((p) => p.event_name)).toEqual(['page_view']);
  });

  it('holds mirrored forwards for consent; a refusal drops them (the pixel call keeps its id)', async () => {
    const s = setup({ consentCategory: '2' }, (w) => baseCode(w));
    s.fbq('track', 'AddToCart', { value: 3 });
    expect(s.sent).toHaveLength(0);
    s.cact('consent.update', { categories: ['2'] });
    expect((await s.payloads()).map((p) => p.event_name)).toEqual(['add_to_cart']);
    expect((await s.payloads())[0]!.user.consent_categories).toEqual(['2']);
  });

  it('is off with mirror: false or data-mirror="false"', async () => {
    for (const mirror of [false, 'false', '0', 'off']) {
      const s = setup({ mirror }, (w) => baseCode(w));
      s.fbq('track', 'PageView');
      expect(s.fbqCalls()).toEqual([['track', 'PageView']]);
      expect(await s.payloads()).toEqual([]);
      await s.close();
    }
  });
});
