import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SUBCODES } from './errors.js';
import { REFUSED_EVENT_ID_PREFIX, REFUSED_UNNAMED_EVENT_ID_PREFIX, validateEvent, type EventCheck } from './validate-event.js';

const NOW = 1_800_000_000;
const sha = (s: string): string => createHash('sha256').update(s).digest('hex');
// Meta's worked example (customer information parameters page).
const EM = '62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f';

function event(over: Record<string, unknown> = {}, ud: Record<string, unknown> = {}, cd?: Record<string, unknown>): Record<string, unknown> {
  return {
    event_name: 'Purchase', event_time: NOW - 60, action_source: 'website', event_id: 'order-1',
    event_source_url: 'https://shop.example.com/checkout',
    user_data: { em: EM, client_user_agent: 'Mozilla/5.0', client_ip_address: '203.0.113.9', ...ud },
    custom_data: cd ?? { value: 42.5, currency: 'EUR' },
    ...over,
  };
}

function issue(check: EventCheck): { subcode: number; field: string; message: string } {
  if (check.ok) throw new Error('expected a rejection');
  return check.issue;
}

describe('validateEvent', () => {
  it('accepts a complete website Purchase (Meta sample values)', () => {
    expect(validateEvent(event(), 0, NOW)).toEqual({ ok: true });
    expect(validateEvent(event({}, { em: [EM, sha('other@example.com')], fbp: 'fb.1.1596403881668.1116446470', fbc: 'fb.1.1554763741205.AbCdEfGhIjKlMnOpQrStUvWxYz1234567890' }), 0, NOW).ok).toBe(true);
  });

  it.each(['event_name', 'event_time', 'user_data', 'action_source'])('rejects a missing %s, naming index and field', (field) => {
    const e = event();
    delete e[field];
    const i = issue(validateEvent(e, 3, NOW));
    expect(i.subcode).toBe(SUBCODES.MISSING_PARAMETER);
    expect(i.message).toContain(`data[3].${field}`);
  });

  it('rejects event_time that is not integer seconds (fraction, string, milliseconds)', () => {
    for (const t of [NOW + 0.5, String(NOW), NOW * 1000, -5]) {
      expect(issue(validateEvent(event({ event_time: t }), 0, NOW)).subcode).toBe(SUBCODES.EVENT_TIME_NOT_SECONDS);
    }
    expect(issue(validateEvent(event({ event_time: NOW * 1000 }), 0, NOW)).message).toContain('milliseconds');
  });

  it('rejects events older than 7 days with Meta subcode 2804003, exactly at the boundary', () => {
    expect(validateEvent(event({ event_time: NOW - 7 * 86_400 }), 0, NOW).ok).toBe(true);
    const i = issue(validateEvent(event({ event_time: NOW - 7 * 86_400 - 1 }), 0, NOW));
    expect(i.subcode).toBe(2804003);
    expect(i.message).toContain('too far in the past');
  });

  it('allows 62 days for physical_store', () => {
    const store = { action_source: 'physical_store', event_source_url: undefined };
    expect(validateEvent(event({ ...store, event_time: NOW - 62 * 86_400 }), 0, NOW).ok).toBe(true);
    expect(issue(validateEvent(event({ ...store, event_time: NOW - 62 * 86_400 - 1 }), 0, NOW)).subcode).toBe(2804003);
    expect(issue(validateEvent(event({ action_source: 'website', event_time: NOW - 8 * 86_400 }), 0, NOW)).subcode).toBe(2804003);
  });

  it('rejects event_time more than 5 minutes in the future', () => {
    expect(validateEvent(event({ event_time: NOW + 300 }), 0, NOW).ok).toBe(true);
    expect(issue(validateEvent(event({ event_time: NOW + 301 }), 0, NOW)).subcode).toBe(SUBCODES.EVENT_TIME_IN_FUTURE);
  });

  it('accepts the nine action_source values and rejects others (case-sensitive)', () => {
    for (const a of ['email', 'app', 'phone_call', 'chat', 'physical_store', 'system_generated', 'business_messaging', 'other']) {
      expect(validateEvent(event({ action_source: a }), 0, NOW).ok).toBe(true);
    }
    for (const a of ['web', 'Website', 'offline']) {
      expect(issue(validateEvent(event({ action_source: a }), 0, NOW)).subcode).toBe(SUBCODES.INVALID_ACTION_SOURCE);
    }
  });

  it('requires event_source_url and client_user_agent for website events only', () => {
    const noUrl = event();
    delete noUrl.event_source_url;
    expect(issue(validateEvent(noUrl, 0, NOW))).toMatchObject({ subcode: SUBCODES.WEBSITE_FIELDS_MISSING, field: 'event_source_url' });
    expect(issue(validateEvent(event({}, { client_user_agent: undefined }), 0, NOW)))
      .toMatchObject({ subcode: SUBCODES.WEBSITE_FIELDS_MISSING, field: 'user_data.client_user_agent' });
    const app = event({ action_source: 'system_generated' }, { client_user_agent: undefined });
    delete app.event_source_url;
    expect(validateEvent(app, 0, NOW).ok).toBe(true);
    expect(issue(validateEvent(event({ event_source_url: 'not a url' }), 0, NOW)).field).toBe('event_source_url');
  });

  it('accepts external_id hashed or not (Meta only recommends hashing it); rejects empty or non-string values', () => {
    for (const ok of ['user-42', sha('user-42'), ['user-42', sha('x')], 'Ünïcode id']) {
      expect(validateEvent(event({}, { external_id: ok }), 0, NOW).ok).toBe(true);
    }
    for (const bad of ['', '   ', [], ['ok', ''], 42, [42], { id: 1 }]) {
      expect(issue(validateEvent(event({}, { external_id: bad }), 2, NOW))).toMatchObject({ subcode: SUBCODES.INVALID_TYPE, field: 'user_data.external_id' });
    }
  });

  it.each(['em', 'ph', 'fn', 'ln', 'ge', 'db', 'ct', 'st', 'zp', 'country'])('rejects an unhashed or uppercase %s', (key) => {
    for (const bad of ['John_Smith@gmail.com', EM.toUpperCase(), EM.slice(1), [EM, 'plain'], [], 42]) {
      const i = issue(validateEvent(event({}, { [key]: bad }), 1, NOW));
      expect(i.subcode).toBe(SUBCODES.UNHASHED_USER_DATA);
      expect(i.message).toContain(`data[1].user_data.${key}`);
    }
    expect(validateEvent(event({}, { [key]: sha('x') }), 0, NOW).ok).toBe(true);
  });

  it('checks fbp and fbc formats, with an optional param-builder appendix', () => {
    const ok = ['fb.1.1596403881668.1116446470', 'fb.2.1596403881668.1116446470.AQYBAQIA', 'fb.0.1596403881668.12'];
    for (const fbp of ok) expect(validateEvent(event({}, { fbp }), 0, NOW).ok).toBe(true);
    for (const fbp of ['fb.1.1596403881.1116446470', 'fb.1.1596403881668.abc', 'fb.10.1596403881668.1', '1116446470', 'fb.1.1596403881668.']) {
      expect(issue(validateEvent(event({}, { fbp }), 0, NOW))).toMatchObject({ subcode: SUBCODES.MALFORMED_FBP, field: 'user_data.fbp' });
    }
    expect(validateEvent(event({}, { fbc: 'fb.1.1554763741205.IwAR2xyz_-Q' }), 0, NOW).ok).toBe(true);
    expect(validateEvent(event({}, { fbc: 'fb.1.1554763741205.YWJjZA==' }), 0, NOW).ok).toBe(true);
    for (const fbc of ['IwAR2xyz', 'fb.1.1554763741205', 'fb.1.155476374120.abc']) {
      // Meta's own answer: 2804001 with its wording, naming no event (captured bodies carry no index).
      const i = issue(validateEvent(event({}, { fbc }), 4, NOW));
      expect(i).toMatchObject({ subcode: 2804001, title: 'Click ID Incorrectly Formatted', field: 'user_data.fbc' });
      expect(i.message).toBe('The click ID (_fbc) parameter is not formatted correctly.');
      expect(i.message).not.toContain('data');
    }
  });

  it('requires value and currency on Purchase, and a 3-letter currency anywhere', () => {
    expect(issue(validateEvent(event({}, {}, { currency: 'EUR' }), 0, NOW)).field).toBe('custom_data.value');
    expect(issue(validateEvent(event({}, {}, { value: 10 }), 0, NOW)).field).toBe('custom_data.currency');
    expect(issue(validateEvent(event({}, {}, { value: '10', currency: 'EUR' }), 0, NOW)).field).toBe('custom_data.value');
    const noCustom = event();
    delete noCustom.custom_data;
    expect(issue(validateEvent(noCustom, 0, NOW)).subcode).toBe(SUBCODES.PURCHASE_VALUE_CURRENCY);
    expect(issue(validateEvent(event({ event_name: 'AddToCart' }, {}, { value: 1, currency: 'EURO' }), 0, NOW)).field).toBe('custom_data.currency');
    expect(validateEvent(event({ event_name: 'AddToCart' }, {}, {}), 0, NOW).ok).toBe(true);
    expect(validateEvent(event({}, {}, { value: 0, currency: 'usd' }), 0, NOW).ok).toBe(true);
  });

  it('requires an id on every contents item', () => {
    const cd = { value: 1, currency: 'EUR', contents: [{ id: 'a', quantity: 1 }, { quantity: 2 }] };
    expect(issue(validateEvent(event({}, {}, cd), 0, NOW))).toMatchObject({ subcode: SUBCODES.CONTENTS_ITEM_ID, field: 'custom_data.contents[1].id' });
    expect(validateEvent(event({}, {}, { ...cd, contents: [{ id: 'a', quantity: 1 }, { id: 7, quantity: 2 }] }), 0, NOW).ok).toBe(true);
  });

  it('requires a numeric quantity on every contents item (Meta: id and quantity are required)', () => {
    const cd = { value: 1, currency: 'EUR', contents: [{ id: 'a', quantity: 1 }, { id: 'b' }] };
    expect(issue(validateEvent(event({}, {}, cd), 0, NOW))).toMatchObject({ subcode: SUBCODES.CONTENTS_ITEM_ID, field: 'custom_data.contents[1].quantity' });
    expect(issue(validateEvent(event({}, {}, { ...cd, contents: [{ id: 'a', quantity: '2' }] }), 0, NOW)).field).toBe('custom_data.contents[0].quantity');
  });

  it('refuses an event whose id carries the test-rule prefix, naming its index (a stand-in for what Meta refuses)', () => {
    expect(issue(validateEvent(event({ event_id: `${REFUSED_EVENT_ID_PREFIX}1` }), 3, NOW))).toMatchObject({ subcode: SUBCODES.REFUSED_BY_TEST_RULE, field: 'event_id' });
    expect(issue(validateEvent(event({ event_id: `${REFUSED_EVENT_ID_PREFIX}1` }), 3, NOW)).message).toContain(`$['data'][3]`);
  });

  it('the unnamed variant of the test rule refuses without naming the event, as Meta\'s 2804050 does', () => {
    const i = issue(validateEvent(event({ event_id: `${REFUSED_UNNAMED_EVENT_ID_PREFIX}1` }), 3, NOW));
    expect(i).toMatchObject({ subcode: SUBCODES.REFUSED_BY_TEST_RULE, field: 'event_id' });
    expect(i.message).not.toMatch(/data'?\]?\[/);
  });

  it('refuses custom event names over 50 characters (standard names pass)', () => {
    expect(issue(validateEvent(event({ event_name: 'x'.repeat(51) }, {}, {}), 0, NOW)).field).toBe('event_name');
    expect(validateEvent(event({ event_name: 'x'.repeat(50) }, {}, {}), 0, NOW).ok).toBe(true);
  });

  it("rejects Meta's insufficient customer-information combinations", () => {
    const e = event({}, {});
    e.user_data = { client_user_agent: 'UA' };
    // Meta's 2804050, with its wording and no event named.
    expect(issue(validateEvent(e, 2, NOW))).toMatchObject({
      subcode: 2804050, title: 'Insufficient Customer Information', message: "You haven't added sufficient customer information parameter data for this event.",
    });
    e.user_data = { client_user_agent: 'UA', db: sha('19970216') };
    expect(issue(validateEvent(e, 0, NOW)).subcode).toBe(SUBCODES.INSUFFICIENT_CUSTOMER_INFORMATION);
    e.user_data = { client_user_agent: 'UA', client_ip_address: '203.0.113.9' };
    expect(validateEvent(e, 0, NOW).ok).toBe(true);
  });

  it('never throws on junk', () => {
    for (const junk of [null, 1, 'x', [], { user_data: [] }, { event_name: 1, event_time: NOW, user_data: {}, action_source: 'website' }]) {
      expect(validateEvent(junk, 0, NOW).ok).toBe(false);
    }
  });
});
