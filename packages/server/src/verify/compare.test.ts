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
