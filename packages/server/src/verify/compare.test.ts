import { describe, expect, it } from 'vitest';
import { compare } from './compare.js';
import type { PixelHit, SentRecord } from './types.js';

const hit = (eventId: string | undefined, eventName = 'Purchase', fbp = 'fb.1.1.1'): PixelHit => ({
  pixelId: 'P', eventName, eventId, fbp, url: 'https://www.facebook.com/tr/',
});
const rec = (eventId: string, over: Partial<SentRecord> = {}): SentRecord => ({
  eventId, eventName: 'Purchase', fbp: 'fb.1.1.1', status: 'sent', destination: 'P', ...over,
});

describe('compare', () => {
  it('pairs events with the same id, name and fbp; ok only when all are paired', () => {
    const report = compare([hit('a'), hit('b', 'AddToCart')], new Map([['a', [rec('a')]], ['b', [rec('b', { eventName: 'AddToCart', status: 'queued' })]]]));
    expect(report.rows.map((r) => r.verdict)).toEqual(['paired', 'paired']);
    expect(report.ok).toBe(true);
    expect(report.counts.paired).toBe(2);
  });

  it('flags browser-only, including events the server dropped, with the reason', () => {
    const report = compare([hit('a'), hit('b')], new Map([['a', []], ['b', [rec('b', { status: 'dropped', reason: 'insufficient_match_keys' })]]]));
    expect(report.rows.map((r) => r.verdict)).toEqual(['browser-only', 'browser-only']);
    expect(report.rows[1]!.note).toContain('insufficient_match_keys');
    expect(report.ok).toBe(false);
  });

  it('flags event_name and fbp mismatches', () => {
    const report = compare(
      [hit('a', 'Purchase'), hit('b'), hit('c')],
      new Map([
        ['a', [rec('a', { eventName: 'purchase' })]],
        ['b', [rec('b', { fbp: 'fb.1.1.2' })]],
        ['c', [rec('c', { fbp: undefined })]],
      ]),
    );
    expect(report.rows.map((r) => r.verdict)).toEqual(['event_name mismatch', 'fbp mismatch', 'fbp mismatch']);
    expect(report.rows[2]!.note).toBe('the server event has no fbp');
  });

  it('reports server-only events the page forwarded but the pixel never fired', () => {
    const report = compare([hit('a')], new Map([['a', [rec('a')]], ['s', [rec('s')]]]), ['a', 's']);
    expect(report.rows.find((r) => r.eventId === 's')?.verdict).toBe('server-only');
    expect(report.ok).toBe(false);
  });

  it('does not call a forwarded event the server dropped server-only', () => {
    const report = compare([hit('a')], new Map([['a', [rec('a')]], ['d', [rec('d', { status: 'dropped' })]]]), ['d']);
    expect(report.rows.map((r) => r.verdict)).toEqual(['paired']);
  });

  it('fails an eid-less hit whose name the server also sent, saying why: the page\'s own call before the tag', () => {
    const pv = (eventId: string | undefined, pageUrl: string, document = 1): PixelHit => ({ ...hit(eventId, 'PageView'), pageUrl, document });
    const report = compare(
      [pv(undefined, 'https://shop.test/'), hit(undefined, 'AddToCart'), pv('a', 'https://shop.test/')],
      new Map([['a', [rec('a', { eventName: 'PageView' })]], ['b', [rec('b', { eventName: 'AddToCart' })]]]),
      ['a', 'b'],
    );
    const unkeyed = report.rows.filter((r) => r.verdict === 'no event id');
    expect(unkeyed.map((r) => r.browserEventName)).toEqual(['PageView', 'AddToCart']);
    expect(unkeyed[0]!.note).toContain("the page's own fbq('track', 'PageView') ran without an eventID before the tag");
    expect(unkeyed[0]!.note).toContain("cact('trigger','page_view')");
    expect(unkeyed[1]!.note).toContain("fbq('track', 'AddToCart')");
    expect(report.counts['no event id']).toBe(2);
    expect(report.unkeyedHits).toBe(0);
    expect(report.ok).toBe(false);
  });

  it('names the automatic SPA page view when the eid-less PageView came after an in-page route change', () => {
    const report = compare(
      [
        { ...hit('a', 'PageView'), pageUrl: 'https://shop.test/', document: 1 },
        { ...hit(undefined, 'PageView'), pageUrl: 'https://shop.test/products', document: 1 },
        // A new document loaded at that URL: its first PageView is not an SPA one.
        { ...hit(undefined, 'PageView'), pageUrl: 'https://shop.test/products', document: 2 },
      ],
      new Map([['a', [rec('a', { eventName: 'PageView' })]]]),
    );
    const notes = report.rows.filter((r) => r.verdict === 'no event id').map((r) => r.note);
    expect(notes[0]).toMatch(/^automatic SPA page view: .*disablePushState/);
    expect(notes[1]).toMatch(/^the page's own fbq/);
  });

  it('ignores hits without eid (counted apart) and repeated hits of one event', () => {
    const report = compare([hit(undefined, 'Microdata'), hit('a'), hit('a')], new Map([['a', [rec('a')]]]));
    expect(report.unkeyedHits).toBe(1);
    expect(report.rows).toHaveLength(1);
  });

  it('is not ok when nothing was recorded', () => {
    expect(compare([], new Map()).ok).toBe(false);
  });

  it('prefers the record of the hit\'s pixel when the server has several destinations', () => {
    const report = compare([hit('a')], new Map([['a', [rec('a', { destination: 'Q', eventName: 'X' }), rec('a')]]]));
    expect(report.rows[0]!.verdict).toBe('paired');
  });
});
