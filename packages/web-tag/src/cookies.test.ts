import { afterEach, describe, expect, it, vi } from 'vitest';
import { cookieTarget, fbCookies, readCookie } from './cookies.js';
import { installJar, makeWindow } from './test-utils/harness.js';

const FBP = /^fb\.(\d)\.(\d{13})\.(\d+)$/;
let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
  vi.restoreAllMocks();
});

function win(url: string, referrer?: string) {
  const h = makeWindow({ url, referrer });
  close = h.close;
  return h;
}
const at = (ms: number) => vi.spyOn(Date, 'now').mockReturnValue(ms);

describe('cookieTarget: the highest domain that accepts cookies', () => {
  it('skips the public suffix co.uk and picks example.co.uk', () => {
    const { doc, jar } = win('https://a.b.shop.example.co.uk/');
    expect(cookieTarget(doc)).toBe('example.co.uk');
    expect(jar.writes.filter((x) => !x.accepted).map((x) => x.domain)).toEqual(['co.uk']);
    expect(jar.store.size).toBe(0); // the probe is removed
  });

  it('www.shop.example.com → example.com', () => {
    expect(cookieTarget(win('https://www.shop.example.com/').doc)).toBe('example.com');
  });

  it('localhost and IP addresses get a host-only cookie (no probe)', () => {
    for (const url of ['http://localhost:3000/', 'http://127.0.0.1:8080/', 'http://[::1]:3000/']) {
      const { doc, jar } = win(url);
      expect(cookieTarget(doc)).toBe('');
      expect(jar.writes).toHaveLength(0);
    }
  });
});

describe('_fbp', () => {
  it('is created in Meta format on the chosen domain (subdomain index = its dot count), 90 days', () => {
    const { doc, jar } = win('https://www.shop.example.com/');
    const before = Date.now();
    const { fbp } = fbCookies(doc, doc.location.href, '');
    const m = FBP.exec(fbp ?? '');
    expect(m).not.toBeNull();
    expect(m![1]).toBe('1');
    expect(Number(m![2])).toBeGreaterThanOrEqual(before);
    expect(Number(m![3])).toBeLessThan(2 ** 31);
    const write = jar.writes.find((x) => x.name === '_fbp')!;
    expect(write.raw).toContain('max-age=7776000');
    expect(write.raw).toContain('path=/');
    expect(jar.get('_fbp')[0]!.domain).toBe('.example.com');
  });

  it('subdomain index 2 on example.co.uk, 0 on localhost (host-only)', () => {
    const uk = win('https://shop.example.co.uk/');
    expect(fbCookies(uk.doc, '', '').fbp).toMatch(/^fb\.2\./);
    const local = win('http://localhost:3000/');
    expect(fbCookies(local.doc, '', '').fbp).toMatch(/^fb\.0\./);
    expect(local.jar.writes.find((x) => x.name === '_fbp')!.domain).toBeUndefined();
  });

  it('cookieDomain overrides the search; the index follows its dot count', () => {
    const { doc, jar } = win('https://www.shop.example.com/');
    expect(fbCookies(doc, '', '', 'shop.example.com').fbp).toMatch(/^fb\.2\./);
    expect(jar.writes.map((x) => x.name)).toEqual(['_fbp']);
    expect(jar.get('_fbp')[0]!.domain).toBe('.shop.example.com');
  });

  it('an existing _fbp is reused, never replaced; two calls give the same value', () => {
    const { doc, jar } = win('https://www.shop.example.com/');
    doc.cookie = '_fbp=fb.1.1700000000000.42; domain=.example.com';
    expect(fbCookies(doc, '', '').fbp).toBe('fb.1.1700000000000.42');
    expect(fbCookies(doc, '', '').fbp).toBe('fb.1.1700000000000.42');
    expect(jar.writes.filter((x) => x.name === '_fbp')).toHaveLength(1);
  });

  it('a browser that keeps no cookies yields undefined', () => {
    const { doc, jar } = win('https://shop.example.com/');
    jar.disable();
    expect(fbCookies(doc, '', '')).toEqual({ fbp: undefined, fbc: undefined });
  });
});

describe('_fbc from fbclid', () => {
  const page = 'https://shop.example.com/';

  it('new fbclid → fb.1.<ms>.<fbclid>, fbclid unaltered (case, dashes, dots)', () => {
    const { doc } = win(page);
    at(1700000000123);
    expect(fbCookies(doc, page + '?a=1&fbclid=IwAR2_x-Yz.AbC#top', '').fbc).toBe('fb.1.1700000000123.IwAR2_x-Yz.AbC');
  });

  it('keeps base64 `=` padding in the fbclid, as the server and Meta do', () => {
    const { doc } = win(page);
    at(1700000000123);
    expect(fbCookies(doc, page + '?fbclid=YWJjZA==&b=2', '').fbc).toBe('fb.1.1700000000123.YWJjZA==');
  });

  it('unchanged fbclid keeps the creation time; a changed one gets a new cookie', () => {
    const { doc } = win(page);
    at(1000);
    fbCookies(doc, page + '?fbclid=ABC', '');
    at(2000);
    expect(fbCookies(doc, page + '?fbclid=ABC', '').fbc).toBe('fb.1.1000.ABC');
    expect(fbCookies(doc, page + '?fbclid=NEW', '').fbc).toBe('fb.1.2000.NEW');
  });

  it('unchanged fbclid with a parameter-builder appendix is kept', () => {
    const { doc } = win(page);
    doc.cookie = '_fbc=fb.1.1000.ABC.Bg; domain=.example.com';
    expect(fbCookies(doc, page + '?fbclid=ABC', '').fbc).toBe('fb.1.1000.ABC.Bg');
  });

  it('fbclid longer than 500 characters is ignored; 500 is accepted', () => {
    const { doc } = win(page);
    at(1);
    expect(fbCookies(doc, page + '?fbclid=' + 'a'.repeat(501), '').fbc).toBeUndefined();
    expect(fbCookies(doc, page + '?fbclid=' + 'b'.repeat(500), '').fbc).toBe('fb.1.1.' + 'b'.repeat(500));
  });

  it('fbclid with characters a cookie cannot hold unencoded is ignored (never altered)', () => {
    const { doc } = win(page);
    expect(fbCookies(doc, page + '?fbclid=a%3Bb', '').fbc).toBeUndefined();
    expect(fbCookies(doc, page + '?fbclid=a;b', '').fbc).toBeUndefined();
  });

  it('is read from the referrer when the URL has none (like the real pixel)', () => {
    const { doc } = win(page + 'cart');
    at(5);
    expect(fbCookies(doc, page + 'cart', page + '?fbclid=REF').fbc).toBe('fb.1.5.REF');
  });

  it('no fbclid anywhere: existing cookie returned, none created', () => {
    const { doc, jar } = win(page);
    expect(fbCookies(doc, page + '?xfbclid=1', '').fbc).toBeUndefined();
    doc.cookie = '_fbc=fb.1.9.KEEP';
    expect(fbCookies(doc, page, 'not a url').fbc).toBe('fb.1.9.KEEP');
    expect(jar.writes.filter((x) => x.name === '_fbc')).toHaveLength(1);
  });
});

describe('readCookie', () => {
  it('matches whole names only', () => {
    const doc = { cookie: 'x_fbp=no; _fbpx=no; _fbp=yes' } as unknown as Document;
    expect(readCookie(doc, '_fbp')).toBe('yes');
    expect(readCookie({ cookie: '' } as unknown as Document, '_fbp')).toBeUndefined();
  });
});

it('installJar refuses foreign domains', () => {
  const doc = { cookie: '' } as unknown as Document;
  const jar = installJar(doc, 'shop.example.com');
  doc.cookie = 'a=1; domain=other.com';
  expect(jar.store.size).toBe(0);
});
