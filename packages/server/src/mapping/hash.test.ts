import { describe, expect, it } from 'vitest';
import { existingSha256, sha256Hex } from './hash.js';
import { normalizeCountry, normalizeDate, normalizeEmail, normalizeName, normalizePhone } from './normalize/index.js';

const Y = { year: 2024 };
// sha256 of the normalised strings, computed independently (Python hashlib); Meta shows them abbreviated.
const VALERY = '08e1996b5dd49e62a4b4c010d44e4345592a863bb9f8e3976219bac29417149c';
const JEONG = '8fa8cd9c440be61d0151429310034083132b35975c4bea67fdd74158eb51db14';

/** Meta's worked examples (Customer Information Parameters page), byte for byte. */
describe('Meta hashing vectors', () => {
  it('em: John_Smith@gmail.com', () => {
    expect(sha256Hex(normalizeEmail('John_Smith@gmail.com')!)).toBe('62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f');
  });
  it('ph: (650)555-1212 with US', () => {
    const n = normalizePhone('(650)555-1212', { ...Y, defaultPhoneCountry: 'US' });
    expect(n).toBe('16505551212');
    expect(sha256Hex(n!)).toBe('e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176');
  });
  it('fn: Mary, Valéry, 정', () => {
    expect(sha256Hex(normalizeName('Mary')!)).toBe('6915771be1c5aa0c886870b6951b03d7eafc121fea0e80a5ea83beb7c449f4ec');
    expect(normalizeName('Valéry')).toBe('valéry');
    expect(sha256Hex(normalizeName('Valéry')!)).toBe(VALERY);
    expect(VALERY.startsWith('08e1996b') && VALERY.endsWith('149c')).toBe(true);
    expect(sha256Hex(normalizeName('정')!)).toBe(JEONG);
    expect(JEONG.startsWith('8fa8cd9c') && JEONG.endsWith('db14')).toBe(true);
  });
  it('db: 2/16/1997', () => {
    const n = normalizeDate('2/16/1997', Y);
    expect(n).toBe('19970216');
    expect(sha256Hex(n!)).toBe('01acdbf6ec7b4f478a225f1a246e5d6767eeab1a7ffa17f025265b5b94f40f0c');
  });
  it('country: United States', () => {
    expect(normalizeCountry('United States')).toBe('us');
    expect(sha256Hex('us')).toBe('79adb2a2fce5c6ba215fe5f27f532d4e7edbac4b6a5e09e1ef3a08084a904621');
  });
  it('decomposed é hashes like the composed one (NFC)', () => {
    expect(sha256Hex(normalizeName('Vale\u0301ry')!)).toBe(VALERY);
  });
});

describe('already hashed values', () => {
  const h = '62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f';
  it('passes a SHA-256 hex through lower-cased', () => {
    expect(existingSha256(h.toUpperCase())).toBe(h);
  });
  it('keeps the hash part of a param-builder value', () => {
    expect(existingSha256(`${h}.AQYBAQIA`)).toBe(h);
    expect(existingSha256(`${h}.AQ`)).toBe(h);
  });
  it('does not mistake other strings for hashes', () => {
    expect(existingSha256(h.slice(1))).toBeUndefined();
    expect(existingSha256(`${h.slice(1)}g`)).toBeUndefined();
    expect(existingSha256(`${h}.`)).toBeUndefined();
  });
});
