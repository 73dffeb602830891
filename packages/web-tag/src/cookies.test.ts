import { afterEach, describe, expect, it } from 'vitest';
import { cookieTarget, ensureFbc, ensureFbp, readCookie } from './cookies.js';
import { installJar, makeWindow } from './test-utils/harness.js';

const FBP = /^fb\.(\d)\.(\d{13})\.(\d+)$/;
let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

function win(url: string, referrer?: string) {
  const h = makeWindow({ url, referrer });
  close = h.close;
  return h;
}

describe('cookieTarget: the highest domain that accepts cookies', () => {
  it('skips the public suffix co.uk and picks example.co.uk (index 2)', () => {
    const { doc, jar } = win('https://a.b.shop.example.co.uk/');
    expect(cookieTarget(doc, 'a.b.shop.example.co.uk')).toEqual({ domain: 'example.co.uk', index: 2 });
    expect(jar.writes.filter((x) => !x.accepted).map((x) => x.domain)).toEqual(['co.uk']);
    expect(jar.store.size).toBe(0); // the probe is removed
  });

  it('www.shop.example.com → example.com, index 1', () => {
    const { doc } = win('https://www.shop.example.com/');
    expect(cookieTarget(doc, 'www.shop.example.com')).toEqual({ domain: 'example.com', index: 1 });
  });

  it('localhost and IP addresses get a host-only cookie, index 0', () => {
    const { doc, jar } = win('http://localhost:3000/');
    expect(cookieTarget(doc, 'localhost')).toEqual({ index: 0 });
    expect(cookieTarget(doc, '127.0.0.1')).toEqual({ index: 0 });
    expect(cookieTarget(doc, '[::1]')).toEqual({ index: 0 });
    expect(jar.writes).toHaveLength(0);
  });

  it('cookieDomain overrides the search', () => {
    const { doc, jar } = win('https://www.shop.example.com/');
    expect(cookieTarget(doc, 'www.shop.example.com', '.shop.example.com')).toEqual({ domain: 'shop.example.com', index: 2 });
    expect(jar.writes).toHaveLength(0);
  });
});

describe('_fbp', () => {
  it('is created in Meta format on the chosen domain, 90 days, Lax, Secure on https', () => {
    const { doc, jar } = win('https://www.shop.example.com/');
    const t = cookieTarget(doc, 'www.shop.example.com');
    const before = Date.now();
    const fbp = ensureFbp(doc, t, before);
    const m = FBP.exec(fbp ?? '');
    expect(m).not.toBeNull();
    expect(m![1]).toBe('1');
    expect(Number(m![2])).toBe(before);
    expect(Number(m![3])).toBeLessThanOrEqual(2147483647);
    const write = jar.writes.find((x) => x.name === '_fbp')!;
    expect(write.raw).toContain('max-age=7776000');
    expect(write.raw).toContain('domain=.example.com');
    expect(write.raw).toContain('SameSite=Lax');
    expect(write.raw).toContain('Secure');
    expect(jar.get('_fbp')[0]!.domain).toBe('.example.com');
  });

  it('is not Secure on http', () => {
    const { doc, jar } = win('http://shop.example.com/');
    ensureFbp(doc, cookieTarget(doc, 'shop.example.com'), Date.now());
    expect(jar.writes.find((x) => x.name === '_fbp')!.raw).not.toContain('Secure');
  });

  it('an existing _fbp is reused, never replaced', () => {
    const { doc, jar } = win('https://www.shop.example.com/');
    doc.cookie = '_fbp=fb.1.1700000000000.42; domain=.example.com';
    expect(ensureFbp(doc, cookieTarget(doc, 'www.shop.example.com'), Date.now())).toBe('fb.1.1700000000000.42');
    expect(jar.writes.filter((x) => x.name === '_fbp')).toHaveLength(1);
  });

  it('two calls give the same value (no second creation)', () => {
    const { doc } = win('https://shop.example.com/');
    const t = cookieTarget(doc, 'shop.example.com');
    expect(ensureFbp(doc, t, 1)).toBe(ensureFbp(doc, t, 2));
  });

  it('a browser that keeps no cookies yields undefined', () => {
    const { doc, jar } = win('https://shop.example.com/');
    jar.disable();
    expect(ensureFbp(doc, cookieTarget(doc, 'shop.example.com'), 1)).toBeUndefined();
  });
});

describe('_fbc from fbclid', () => {
  const t = { domain: 'example.com', index: 1 };

  it('new fbclid → fb.1.<ms>.<fbclid>, fbclid unaltered (case, dashes)', () => {
    const { doc } = win('https://shop.example.com/?fbclid=IwAR2_x-Yz.AbC');
    expect(ensureFbc(doc, t, 1700000000123, 'https://shop.example.com/?fbclid=IwAR2_x-Yz.AbC', '')).toBe(
      'fb.1.1700000000123.IwAR2_x-Yz.AbC',
    );
  });

  it('unchanged fbclid keeps the creation time', () => {
    const { doc } = win('https://shop.example.com/');
    const url = 'https://shop.example.com/?fbclid=ABC';
    ensureFbc(doc, t, 1000, url, '');
    expect(ensureFbc(doc, t, 2000, url, '')).toBe('fb.1.1000.ABC');
  });

  it('unchanged fbclid with a parameter-builder appendix is kept', () => {
    const { doc } = win('https://shop.example.com/');
    doc.cookie = '_fbc=fb.1.1000.ABC.Bg; domain=.example.com';
    expect(ensureFbc(doc, t, 2000, 'https://shop.example.com/?fbclid=ABC', '')).toBe('fb.1.1000.ABC.Bg');
  });

  it('changed fbclid → new cookie with the new time', () => {
    const { doc } = win('https://shop.example.com/');
    ensureFbc(doc, t, 1000, 'https://shop.example.com/?fbclid=OLD', '');
    expect(ensureFbc(doc, t, 2000, 'https://shop.example.com/?fbclid=NEW', '')).toBe('fb.1.2000.NEW');
  });

  it('fbclid longer than 500 characters is ignored; 500 is accepted', () => {
    const { doc } = win('https://shop.example.com/');
    expect(ensureFbc(doc, t, 1, 'https://shop.example.com/?fbclid=' + 'a'.repeat(501), '')).toBeUndefined();
    expect(ensureFbc(doc, t, 1, 'https://shop.example.com/?fbclid=' + 'b'.repeat(500), '')).toBe('fb.1.1.' + 'b'.repeat(500));
  });

  it('fbclid with characters a cookie cannot hold unencoded is ignored (never altered)', () => {
    const { doc } = win('https://shop.example.com/');
    expect(ensureFbc(doc, t, 1, 'https://shop.example.com/?fbclid=a%3Bb', '')).toBeUndefined();
  });

  it('is read from the referrer when the URL has none (like the real pixel)', () => {
    const { doc } = win('https://shop.example.com/cart');
    expect(ensureFbc(doc, t, 5, 'https://shop.example.com/cart', 'https://shop.example.com/?fbclid=REF')).toBe('fb.1.5.REF');
  });

  it('no fbclid anywhere: existing cookie returned, none created', () => {
    const { doc, jar } = win('https://shop.example.com/');
    expect(ensureFbc(doc, t, 5, 'https://shop.example.com/', '')).toBeUndefined();
    doc.cookie = '_fbc=fb.1.9.KEEP';
    expect(ensureFbc(doc, t, 5, 'https://shop.example.com/', 'not a url')).toBe('fb.1.9.KEEP');
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
