import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { clientReader } from './client-address.js';
import { fbCookie, firstPartyCookieDomain, registrableDomain } from './cookies.js';
import { originHost } from './cors.js';

describe('registrableDomain (Public Suffix List, private suffixes included)', () => {
  it.each([
    ['collect.shop.co.uk', 'shop.co.uk'],
    ['shop.co.uk', 'shop.co.uk'],
    ['www.shop.com.au', 'shop.com.au'],
    ['capi.shop.co.jp', 'shop.co.jp'],
    ['x.shop.com.br', 'shop.com.br'],
    ['www.shop.me.uk', 'shop.me.uk'],
    ['www.shop.k12.ca.us', 'shop.k12.ca.us'],
    ['www.example.com', 'example.com'],
    ['example.com', 'example.com'],
    ['a.b.c.d.e.example.org', 'example.org'],
    // Private section: github.io is a suffix, each user's site is its own registrable domain.
    ['shop.github.io', 'shop.github.io'],
    ['www.shop.github.io', 'shop.github.io'],
    ['foo.blogspot.com', 'foo.blogspot.com'],
    ['www.shop.myshopify.com', 'shop.myshopify.com'],
    ['a.shop.pages.dev', 'shop.pages.dev'],
    // Wildcard rule *.kawasaki.jp with the exception !city.kawasaki.jp.
    ['a.b.kawasaki.jp', 'a.b.kawasaki.jp'],
    ['www.city.kawasaki.jp', 'city.kawasaki.jp'],
    // IDN as the URL parser gives it (punycode), under an IDN TLD too.
    ['www.xn--mnchen-3ya.de', 'xn--mnchen-3ya.de'],
    ['capi.shop.xn--p1ai', 'shop.xn--p1ai'],
    // A TLD missing from the list is one label, as browsers treat it.
    ['www.shop.example', 'shop.example'],
    ['WWW.Shop.CO.UK', 'shop.co.uk'],
  ])('%s → %s', (host, want) => {
    expect(registrableDomain(host)).toBe(want);
  });

  it.each(['co.uk', 'com.au', 'github.io', 'blogspot.com', 's3.amazonaws.com', 'localhost', 'app.localhost', '127.0.0.1', '[::1]', '[2001:db8::1]', 'intranet'])(
    '%s has none: returned unchanged',
    (host) => {
      expect(registrableDomain(host)).toBe(host);
    },
  );
});

describe('firstPartyCookieDomain', () => {
  it.each([
    ['www.shop.co.uk', 'collect.shop.co.uk', 'shop.co.uk'],
    ['shop.co.uk', 'capi.shop.co.uk', 'shop.co.uk'],
    ['www.shop.com.au', 'capi.shop.com.au', 'shop.com.au'],
    ['www.shop.co.jp', 'capi.shop.co.jp', 'shop.co.jp'],
    ['www.shop.com.br', 'capi.shop.com.br', 'shop.com.br'],
    ['shop.github.io', 'shop.github.io', 'shop.github.io'],
    ['a.b.www.example.com', 'x.y.capi.example.com', 'example.com'],
    ['www.xn--mnchen-3ya.de', 'capi.xn--mnchen-3ya.de', 'xn--mnchen-3ya.de'],
    ['www.shop.co.uk', 'CAPI.Shop.CO.UK', 'shop.co.uk'],
  ])('%s + %s → Domain=%s', (origin, server, want) => {
    expect(firstPartyCookieDomain(origin, server)).toBe(want);
  });

  it.each([
    // Sharing only a public suffix is not the same site (the old label-count guess said me.uk, myshopify.com).
    ['www.shop.co.uk', 'capi.other.co.uk'],
    ['www.shop.com.au', 'capi.other.com.au'],
    ['www.shop.me.uk', 'capi.other.me.uk'],
    ['shop.myshopify.com', 'other.myshopify.com'],
    ['shop.github.io', 'capi.github.io'],
    ['shop.github.io', 'github.io'],
    ['www.example.com', 'capi.other.com'],
    ['127.0.0.1', '10.0.0.1'],
    ['localhost', '127.0.0.1'],
    ['app.localhost', 'api.localhost'],
    ['[::1]', '127.0.0.1'],
    ['www.example.com', ''],
  ])('%s + %s → no cookie', (origin, server) => {
    expect(firstPartyCookieDomain(origin, server)).toBeNull();
  });

  it.each([
    ['127.0.0.1', '127.0.0.1'],
    ['[::1]', '[::1]'],
    ['[2001:db8::1]', '[2001:DB8::1]'],
    ['localhost', 'localhost'],
    ['LocalHost', 'localhost'],
    ['app.localhost', 'app.localhost'],
    ['intranet', 'intranet'],
    // A host that is a public suffix: a Domain attribute would be refused, a host-only cookie is not.
    ['github.io', 'github.io'],
    ['co.uk', 'co.uk'],
    ['www.example.com.', 'www.example.com.'],
  ])('%s + %s → host-only', (origin, server) => {
    expect(firstPartyCookieDomain(origin, server)).toBeUndefined();
  });

  it('COOKIE_DOMAIN overrides the list', () => {
    expect(firstPartyCookieDomain('www.shop.example.co.uk', 'capi.shop.example.co.uk', 'example.co.uk')).toBe('example.co.uk');
    expect(firstPartyCookieDomain('www.other.co.uk', 'capi.shop.co.uk', 'shop.co.uk')).toBeNull();
  });

  it('an IDN origin compares in punycode, as browsers send it and the URL parser gives it', () => {
    const oh = originHost('https://www.München.de');
    expect(oh).toBe('www.xn--mnchen-3ya.de');
    expect(firstPartyCookieDomain(oh!, 'capi.xn--mnchen-3ya.de')).toBe('xn--mnchen-3ya.de');
  });

  it('a missing server host name gives no cookie rather than a throw', () => {
    expect(firstPartyCookieDomain('www.example.com', undefined as unknown as string)).toBeNull();
  });

  it('Set-Cookie carries the computed Domain, or none when host-only', () => {
    const shared = firstPartyCookieDomain('www.shop.co.uk', 'capi.shop.co.uk');
    const local = firstPartyCookieDomain('localhost', 'localhost');
    expect(shared).toBe('shop.co.uk');
    expect(local).toBeUndefined();
    expect(fbCookie('_fbp', 'fb.1.1700000000000.1', shared ?? undefined, true)).toBe(
      '_fbp=fb.1.1700000000000.1; Max-Age=7776000; Path=/; SameSite=Lax; Domain=shop.co.uk; Secure',
    );
    expect(fbCookie('_fbp', 'fb.1.1700000000000.1', local ?? undefined, false)).toBe('_fbp=fb.1.1700000000000.1; Max-Age=7776000; Path=/; SameSite=Lax');
  });
});

/**
 * What /collect passes: `originHost(Origin)` (URL hostname: lower case, punycode, IPv6 in brackets) and
 * the client's `hostname()` (Host, or X-Forwarded-Host from a trusted proxy; port stripped, case kept).
 * Checked over real HTTP.
 */
describe('with the inputs /collect passes', () => {
  async function domainsFor(requests: { origin: string; host?: string; forwardedHost?: string }[], trustProxy: boolean | string = false): Promise<unknown[]> {
    const clientOf = clientReader(trustProxy);
    const server = createServer((req, res) => {
      const oh = originHost(req.headers.origin ?? '');
      const d = oh === undefined ? null : firstPartyCookieDomain(oh, clientOf(req).hostname() as string);
      res.end(JSON.stringify({ d: d === undefined ? 'host-only' : d }));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    try {
      const out: unknown[] = [];
      for (const r of requests) {
        const host = r.host === undefined ? '' : `Host: ${r.host}\r\n`;
        const fwd = r.forwardedHost === undefined ? '' : `X-Forwarded-Host: ${r.forwardedHost}\r\n`;
        const head = `GET / HTTP/1.0\r\n${host}${fwd}Origin: ${r.origin}\r\nConnection: close\r\n\r\n`;
        const sock = connect(port, '127.0.0.1');
        sock.end(head);
        let text = '';
        sock.setEncoding('utf8').on('data', (c: string) => (text += c));
        await once(sock, 'close');
        out.push(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)).d);
      }
      return out;
    } finally {
      server.close();
    }
  }

  it('uppercase Host with a port, punycode origin, IPv6, and no Host header at all', async () => {
    expect(
      await domainsFor([
        { origin: 'https://WWW.Shop.CO.UK', host: 'CAPI.SHOP.CO.UK:8443' },
        { origin: 'https://www.xn--mnchen-3ya.de', host: 'capi.xn--mnchen-3ya.de' },
        { origin: 'https://shop.github.io', host: 'shop.github.io:443' },
        { origin: 'http://[::1]:3000', host: '[::1]:8080' },
        { origin: 'http://localhost:3000', host: 'localhost:8080' },
        { origin: 'https://www.shop.co.uk', host: 'capi.other.co.uk' },
        { origin: 'https://www.shop.co.uk' },
      ]),
    ).toEqual(['shop.co.uk', 'xn--mnchen-3ya.de', 'shop.github.io', 'host-only', 'host-only', null, null]);
  });

  it('X-Forwarded-Host counts only from a trusted proxy (its first value), else Host', async () => {
    const requests = [
      { origin: 'https://www.shop.co.uk', host: 'internal:8080', forwardedHost: 'capi.shop.co.uk, other.example' },
      { origin: 'https://www.shop.co.uk', host: 'capi.shop.co.uk', forwardedHost: '' },
    ];
    expect(await domainsFor(requests, false)).toEqual([null, 'shop.co.uk']);
    expect(await domainsFor(requests, 'loopback')).toEqual(['shop.co.uk', 'shop.co.uk']);
  });
});
