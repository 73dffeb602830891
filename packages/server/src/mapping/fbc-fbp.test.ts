import { describe, expect, it } from 'vitest';
import { fbcFromUrl, isValidFbc, isValidFbp } from './fbc-fbp.js';

describe('fbc / fbp in Meta\'s documented format', () => {
  it('fbp: fb.<subdomainIndex>.<creationTime ms>.<random number>[.<appendix>]', () => {
    for (const ok of ['fb.1.1596403881668.1116446470', 'fb.0.1700000000000.1', 'fb.2.1700000000000.987654321.AQYBAQIA', 'fb.1.1700000000000.1116446470.Bg']) {
      expect(isValidFbp(ok), ok).toBe(true);
    }
    for (const bad of ['fb.1.123.456', 'fb.1.1700000000000.abc', 'fb.1.1700000000000.', 'GA1.2.3', 'fb.1.1700000000000.1.nineChars', 'fb.1.1700000000000.1.abc', 'fb.123.1700000000000.1']) {
      expect(isValidFbp(bad), bad).toBe(false);
    }
  });
  it('fbc: fb.<subdomainIndex>.<creationTime ms>.<fbclid>[.<appendix>], every fbclid character kept', () => {
    for (const ok of ['fb.1.1554763741205.AbCdEfGhIjKlMnOpQrStUvWxYz1234567890', 'fb.1.1700000000000.YWJjZA==', 'fb.1.1700000000000.IwAR_x-Y', 'fb.1.1700000000000.IwAR1.AQYBAQIA']) {
      expect(isValidFbc(ok), ok).toBe(true);
    }
    for (const bad of ['fb.1.123.abc', 'fb.1.1700000000000.abc.invalid', 'fb.1.1700000000000.a b', 'fb.1.1700000000000.<x>', 'fb.1.1700000000000.a/b', 'fb.10.1700000000000.abc', `fb.1.1700000000000.${'a'.repeat(1100)}`]) {
      expect(isValidFbc(bad), bad.slice(0, 40)).toBe(false);
    }
  });
  it('fbclid from a page URL → fb.1.<ms>.<fbclid>, unmodified (URL-decoded only)', () => {
    expect(fbcFromUrl('https://s.example/p?a=1&fbclid=IwAR2F4-dbP0l7_x&b=2', 1_700_000_000_000)).toEqual({ kind: 'fbc', fbc: 'fb.1.1700000000000.IwAR2F4-dbP0l7_x' });
    expect(fbcFromUrl('https://s.example/p?fbclid=YWJjZA%3D%3D#top', 1_700_000_000_000)).toEqual({ kind: 'fbc', fbc: 'fb.1.1700000000000.YWJjZA==' });
    expect(fbcFromUrl('https://s.example/p?xfbclid=abc', 1)).toEqual({ kind: 'absent' });
    expect(fbcFromUrl('https://s.example/p?fbclid=', 1)).toEqual({ kind: 'absent' });
    expect(fbcFromUrl('https://s.example/p', 1)).toEqual({ kind: 'absent' });
    expect(fbcFromUrl('https://s.example/p?fbclid=%E0%A4%A', 1)).toEqual({ kind: 'invalid' });
    expect(fbcFromUrl('https://s.example/p?fbclid=a%20b', 1)).toEqual({ kind: 'invalid' });
  });
});
