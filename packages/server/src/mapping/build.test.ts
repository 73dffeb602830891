import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildCapiEvent, MAX_WARNINGS } from './build.js';
import { eventTimeViolation, parseTimestamp } from './event-time.js';
import type { DestinationConfig } from './types.js';

const DEST: DestinationConfig = {
  id: 'd', pixelId: '1234567890', matchPolicy: 'commanders-act', contentType: 'product', defaultActionSource: 'website',
  sendAllProperties: true, consentCategory: '4', defaultPhoneCountry: 'US',
};
const NOW = 1_700_000_000_000;

describe('buildCapiEvent robustness', () => {
  it('never throws on arbitrary JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom<DestinationConfig['matchPolicy']>('commanders-act', 'meta-baseline', 'none'), (v, p) => {
        const r = buildCapiEvent(v, { ...DEST, matchPolicy: p }, { now: NOW });
        expect(typeof r.ok).toBe('boolean');
        // The defensive catch must never be what handled the input.
        if (!r.ok) expect(r.detail).not.toContain('unexpected mapping failure');
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on fc.anything (prototype keys, symbols-free objects, nulls)', () => {
    fc.assert(
      fc.property(fc.anything({ withNullPrototype: true, withObjectString: true }), (v) => {
        const r = buildCapiEvent(v, DEST, { now: NOW });
        expect(typeof r.ok).toBe('boolean');
        if (!r.ok) expect(r.detail).not.toContain('unexpected mapping failure');
      }),
      { numRuns: 300 },
    );
  });

  const anyValue = fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.jsonValue(), { maxLength: 3 }), fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 3 }));
  const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
  const structured = fc.record({
    event_name: maybe(fc.oneof(fc.constantFrom('purchase', 'page_view', 'search', 'x'.repeat(60)), anyValue)),
    event_id: maybe(anyValue),
    consent_categories: maybe(fc.oneof(fc.constant('4'), fc.constant([4]), anyValue)),
    amount: maybe(anyValue), currency: maybe(fc.oneof(fc.constantFrom('eur', 'USD', 'XXX1'), anyValue)),
    type: maybe(fc.oneof(fc.constant('offline'), anyValue)),
    items: maybe(fc.oneof(fc.array(fc.record({ quantity: maybe(anyValue), product: maybe(fc.oneof(fc.record({ id: maybe(anyValue), price: maybe(anyValue), name: maybe(anyValue), category_2: maybe(anyValue) }), anyValue)) })), anyValue)),
    user: maybe(fc.oneof(fc.record({
      email: maybe(anyValue), phone: maybe(anyValue), firstname: maybe(anyValue), birthdate: maybe(anyValue), country: maybe(anyValue),
      zipcode: maybe(anyValue), state: maybe(anyValue), gender: maybe(anyValue), id: maybe(anyValue), consent_categories: maybe(anyValue),
    }), anyValue)),
    context: maybe(fc.oneof(fc.record({
      event_id: maybe(anyValue), event_timestamp: maybe(fc.oneof(fc.integer({ min: NOW - 1e9, max: NOW + 1e6 }), anyValue)),
      page: maybe(fc.oneof(fc.record({ url: maybe(fc.oneof(fc.webUrl(), anyValue)), referrer: maybe(anyValue) }), anyValue)),
      device: maybe(fc.oneof(fc.record({ ip: maybe(fc.oneof(fc.ipV4(), fc.ipV6(), anyValue)), user_agent: maybe(anyValue), cookie: maybe(anyValue) }), anyValue)),
    }), anyValue)),
    integrations: maybe(fc.oneof(fc.record({ facebook: maybe(fc.oneof(fc.record({
      event_id: maybe(anyValue), event_name: maybe(anyValue), action_source: maybe(anyValue), fbp: maybe(anyValue), fbc: maybe(anyValue),
      user_data: maybe(anyValue), custom_data: maybe(anyValue), opt_out: maybe(anyValue), data_processing_options: maybe(anyValue),
      data_processing_options_country: maybe(anyValue),
    }), anyValue)) }), anyValue)),
  }, { requiredKeys: [] });

  it('never throws on structured events with random field types; ok results are well-formed', () => {
    fc.assert(
      fc.property(structured, fc.constantFrom<DestinationConfig['matchPolicy']>('commanders-act', 'meta-baseline', 'none'), (ev, p) => {
        const r = buildCapiEvent(JSON.parse(JSON.stringify(ev)), { ...DEST, matchPolicy: p }, { now: NOW, userAgent: 'UA', ip: '1.2.3.4' });
        if (r.ok) {
          expect(Number.isInteger(r.event.event_time)).toBe(true);
          expect(typeof r.event.event_id).toBe('string');
          expect(typeof r.event.event_name).toBe('string');
          for (const k of ['em', 'ph', 'fn', 'ln', 'ge', 'db', 'ct', 'st', 'zp', 'country', 'external_id'] as const) {
            for (const h of r.event.user_data[k] ?? []) expect(h).toMatch(/^[a-f0-9]{64}$/);
          }
        } else {
          expect(r.detail).not.toContain('unexpected mapping failure');
          expect(r.detail).toMatch(/^[\w.[\]]+.*: /);
        }
      }),
      { numRuns: 800 },
    );
  });

  it('does not let __proto__ keys pollute prototypes', () => {
    const ev = JSON.parse('{"event_name":"page_view","amount":1,"consent_categories":"4","context":{"page":{"url":"https://a.b/"}},"__proto__":{"polluted":1},"integrations":{"facebook":{"custom_data":{"__proto__":{"polluted":1}}}}}');
    const r = buildCapiEvent(ev, { ...DEST, matchPolicy: 'none' }, { now: NOW, userAgent: 'UA' });
    expect(r.ok).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    if (r.ok) expect(Object.getPrototypeOf(r.event.custom_data)).toBe(Object.prototype);
  });

  it('generates a uuid when no event id is given, and names the field of a bad id', () => {
    const r = buildCapiEvent({ event_name: 'lead', consent_categories: ['4'], url: 'https://a.b/' }, { ...DEST, matchPolicy: 'none' }, { now: NOW, userAgent: 'UA' });
    expect(r.ok && r.event.event_id).toMatch(/^[0-9a-f-]{36}$/);
    const bad = buildCapiEvent({ event_name: 'lead', consent_categories: ['4'], context: { event_id: 'x'.repeat(300) } }, DEST, { now: NOW });
    expect(bad).toMatchObject({ ok: false, reason: 'invalid_event_id' });
    expect(!bad.ok && bad.detail).toContain('context.event_id');
  });
});

describe('event time', () => {
  it('parses ms, s and ISO 8601', () => {
    expect(parseTimestamp(1707830130234)).toBe(1707830130);
    expect(parseTimestamp(1707830130)).toBe(1707830130);
    expect(parseTimestamp('2024-02-13T13:15:30.234Z')).toBe(1707830130);
    expect(parseTimestamp('2024-02-13 14:15:30+01:00')).toBe(1707830130);
    expect(parseTimestamp('13/02/2024')).toBeUndefined();
    expect(parseTimestamp(-5)).toBeUndefined();
    expect(parseTimestamp(Number.NaN)).toBeUndefined();
  });
  it('window: 7 days, 62 for physical_store, 5 minutes of future skew', () => {
    const now = NOW / 1000;
    expect(eventTimeViolation(now - 7 * 86400, 'website', NOW)).toBeUndefined();
    expect(eventTimeViolation(now - 7 * 86400 - 1, 'website', NOW)?.reason).toBe('too_old');
    expect(eventTimeViolation(now - 60 * 86400, 'physical_store', NOW)).toBeUndefined();
    expect(eventTimeViolation(now + 300, 'website', NOW)).toBeUndefined();
    expect(eventTimeViolation(now + 301, 'website', NOW)?.reason).toBe('in_future');
  });
});

describe('buildCapiEvent warnings', () => {
  it('lists at most MAX_WARNINGS per event, then how many more there were', () => {
    const junk = Array.from({ length: 500 }, (_, i) => ({ n: i }));
    const r = buildCapiEvent({
      event_name: 'purchase', id: 'o1', value: 1, currency: 'EUR',
      context: { event_id: 'e1', event_timestamp: NOW, page: { url: 'https://shop.example/' } },
      browser: { user_agent: 'UA', ip: '203.0.113.7' },
      user: { email: 'a@example.com', phone: junk, firstname: junk, lastname: 'Lovelace', city: 'Paris', country: 'FR' },
      consent_categories: ['4'],
    }, DEST, { now: NOW });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.warnings).toHaveLength(MAX_WARNINGS + 1);
    expect(r.warnings[MAX_WARNINGS]).toMatch(/^… \d+ more warnings$/);
    const more = Number(/(\d+)/.exec(r.warnings[MAX_WARNINGS]!)![1]);
    expect(more).toBeGreaterThan(0);
    expect(r.event.user_data.em).toHaveLength(1);
  });
});
