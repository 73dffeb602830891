import { ASCII_LETTERS, nfc, PRINTABLE_ASCII } from './charsets.js';
import { isHexHash } from './name.js';

const STRIP = /[^\p{L}]+/gu;
const ASCII_NON_LETTERS = /[^a-z]+/g;

/** ct. Meta: lowercase, no punctuation, special characters, digits or spaces (New York → newyork). */
export function normalizeCity(raw: string): string | undefined {
  if (raw.length >= 32 && isHexHash(raw)) return undefined; // a hash, not a city (see normalizeName)
  if (ASCII_LETTERS.test(raw)) return raw.toLowerCase();
  const s = PRINTABLE_ASCII.test(raw) ? raw.toLowerCase().replace(ASCII_NON_LETTERS, '') : nfc(raw).toLowerCase().replace(STRIP, '');
  return s === '' ? undefined : s;
}
