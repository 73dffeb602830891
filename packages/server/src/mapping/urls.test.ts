import { describe, expect, it } from 'vitest';
import { isHttpUrl } from './urls.js';

describe('isHttpUrl', () => {
  const re = /^https?:\/\/[^\s/]+/i;

  it('accepts exactly what /^https?:\\/\\/[^\\s/]+/i accepts', () => {
    const mismatches: string[] = [];
    const check = (s: string): void => { if (isHttpUrl(s) !== re.test(s)) mismatches.push(s); };
    for (let c = 0; c < 0x10000; c++) {
      const ch = String.fromCharCode(c);
      for (const s of [`https://${ch}`, `http://${ch}x`, `http${ch}://x`, `${ch}ttp://x`, `h${ch}tp://x`, `ht${ch}p://x`, `htt${ch}://x`, `http:${ch}/x`, `https:/${ch}x`]) check(s);
    }
    for (const s of ['', 'http://', 'https://', 'http:/', 'HTTPS://A', 'HtTp://a/b', 'https:// x', 'https:///x', 'httpss://x', 'ftp://x', ' http://x', 'https://\u00a0x']) check(s);
    expect(mismatches).toEqual([]);
    expect(isHttpUrl('HTTPS://shop.example/p?q=1')).toBe(true);
    expect(isHttpUrl('https:///path')).toBe(false);
  });
});
