import { describe, expect, it } from 'vitest';
import { Secret } from '../config/secret.js';
import { createKeyCheck } from './auth.js';
import { fbCookie, firstPartyCookieDomain, isCookieSafeFbValue, registrableDomain } from './cookies.js';
import { isOriginAllowed } from './cors.js';
import { checkHeader, ConversionGrouper, rowToParts } from '../ingest/csv-rows.js';
import { RateLimiter } from './rate-limit.js';
import { stripServerOnlyFields } from './strip.js';

describe('API key check', () => {
  it('accepts configured keys only', () => {
    const check = createKeyCheck([new Secret('key-aaaaaaaaaaaaaaaa'), new Secret('key-bbbbbbbbbbbbbbbb')]);
    expect(check('key-bbbbbbbbbbbbbbbb')).toBe(true);
    expect(check('key-bbbbbbbbbbbbbbb')).toBe(false);
    expect(check('')).toBe(false);
    expect(check(undefined)).toBe(false);
    expect(createKeyCheck([])('anything')).toBe(false);
  });
});

describe('origins', () => {
  it('matches exact, wildcard subdomains and *', () => {
    const allowed = ['https://shop.example', 'https://*.brand.example'];
    expect(isOriginAllowed('https://shop.example', allowed)).toBe(true);
    expect(isOriginAllowed('http://shop.example', allowed)).toBe(false);
    expect(isOriginAllowed('https://www.brand.example', allowed)).toBe(true);
    expect(isOriginAllowed('https://brand.example', allowed)).toBe(false);
    expect(isOriginAllowed('https://evilbrand.example', allowed)).toBe(false);
    expect(isOriginAllowed('https://anything', ['*'])).toBe(true);
  });
});

describe('first-party cookies', () => {
  it('registrable domain', () => {
    expect(registrableDomain('www.shop.example.com')).toBe('example.com');
    expect(registrableDomain('shop.example.co.uk')).toBe('example.co.uk');
    expect(registrableDomain('localhost')).toBe('localhost');
    expect(registrableDomain('127.0.0.1')).toBe('127.0.0.1');
  });
  it('only for the same site', () => {
    expect(firstPartyCookieDomain('www.example.com', 'capi.example.com')).toBe('example.com');
    expect(firstPartyCookieDomain('www.example.com', 'capi.other.com')).toBeNull();
    expect(firstPartyCookieDomain('127.0.0.1', '127.0.0.1')).toBeUndefined();
    expect(firstPartyCookieDomain('127.0.0.1', '10.0.0.1')).toBeNull();
    expect(firstPartyCookieDomain('a.shop.io', 'b.shop.io', 'shop.io')).toBe('shop.io');
  });
  it('90-day, readable by the Pixel (not HttpOnly), safe values only', () => {
    const c = fbCookie('_fbp', 'fb.1.1700000000000.123', 'example.com', true);
    expect(c).toBe('_fbp=fb.1.1700000000000.123; Max-Age=7776000; Path=/; SameSite=Lax; Domain=example.com; Secure');
    expect(c).not.toContain('HttpOnly');
    expect(isCookieSafeFbValue('fb.1.1700000000000.abc;evil=1')).toBe(false);
    expect(isCookieSafeFbValue('fb.1.1700000000000.IwAR-x_y')).toBe(true);
    expect(isCookieSafeFbValue('fb.1.1700000000000.YWJjZA==')).toBe(true);
  });
});

describe('rate limiter', () => {
  it('token bucket per key, refilled over time, bounded map', () => {
    let t = 0;
    const rl = new RateLimiter({ perSecond: 2, burst: 3, maxTrackedIps: 2 }, () => t);
    expect([rl.take('a'), rl.take('a'), rl.take('a'), rl.take('a')]).toEqual([true, true, true, false]);
    t = 500;
    expect(rl.take('a')).toBe(true);
    expect(rl.take('a')).toBe(false);
    rl.take('b');
    rl.take('c');
    expect(rl.size).toBe(2);
  });
});

describe('server-only fields', () => {
  it('strips what a browser may not set', () => {
    const e = { event_name: 'x', type: 'offline', browser: { ip: '1' }, context: { device: { ip: '2', user_agent: 'u', cookie: 'c' } }, integrations: { facebook: { action_source: 'app', test_event_code: 'T', event_id: 'keep', user_data: { client_ip_address: '3', em: 'keep' } } } };
    stripServerOnlyFields(e);
    expect(e).toEqual({ event_name: 'x', context: { device: { cookie: 'c' } }, integrations: { facebook: { event_id: 'keep', user_data: { em: 'keep' } } } });
  });
});

describe('CSV rows', () => {
  it('checks the header', () => {
    expect(checkHeader(['id', 'user.email', 'items.product.id'])).toEqual({ ok: true, paths: ['id', 'user.email', 'items.product.id'] });
    expect(checkHeader(['id', 'id'])).toMatchObject({ ok: false, field: 'id' });
    expect(checkHeader(['user..email'])).toMatchObject({ ok: false });
    expect(checkHeader(['__proto__.x'])).toMatchObject({ ok: false });
  });
  it('groups consecutive rows sharing an id into one conversion with several items', () => {
    const paths = ['id', 'value', 'user.email', 'items.product.id', 'items.quantity'];
    const g = new ConversionGrouper();
    const out = [];
    for (const [line, rec] of [[2, ['o1', '10', 'a@b.c', 'p1', '1']], [3, ['o1', '', '', 'p2', '2']], [4, ['o2', '5', '', 'p3', '']]] as const) {
      const parts = rowToParts(paths, rec);
      if (!parts.ok) throw new Error(parts.detail);
      const done = g.push(line, parts);
      if (done) out.push(done);
    }
    out.push(g.flush()!);
    expect(out).toEqual([
      { event: { id: 'o1', value: 10, user: { email: 'a@b.c' }, items: [{ product: { id: 'p1' }, quantity: 1 }, { product: { id: 'p2' }, quantity: 2 }] }, rows: [2, 3] },
      { event: { id: 'o2', value: 5, items: [{ product: { id: 'p3' } }] }, rows: [4] },
    ]);
  });
  it('names a non-numeric value in a numeric column', () => {
    expect(rowToParts(['value'], ['ten'])).toMatchObject({ ok: false, field: 'value' });
  });
});
