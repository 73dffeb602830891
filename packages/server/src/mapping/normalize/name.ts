import { ASCII_LETTERS, nfc, PRINTABLE_ASCII } from './charsets.js';

const STRIP = /[\p{P}\p{S}\p{Z}\s\d]+/gu;
/** In printable ASCII, everything that is not a letter is punctuation, a symbol, a space or a digit. */
const ASCII_NON_LETTERS = /[^a-z]+/g;
/**
 * 32 or more hex digits, some of them decimal: an MD5, or a SHA-256 cut or padded (a real SHA-256 never
 * reaches a normaliser). A hash without a single decimal digit is vanishingly rare ((6/16)^32); a run of
 * letters a–f is left to be a (strange) name.
 */
const HEX_HASH_RE = /^[a-f0-9]{32,}$/i;
const DIGIT_RE = /\d/;

/**
 * fn / ln. Meta: lowercase, no punctuation, UTF-8 kept for special characters (Valéry → valéry).
 * A hex hash (an MD5: 32 hex digits, or a malformed SHA-256) is not a name: Meta matches SHA-256 only, so it
 * is unusable rather than hashed as letters.
 */
export function normalizeName(raw: string): string | undefined {
  if (raw.length >= 32 && isHexHash(raw)) return undefined;
  if (ASCII_LETTERS.test(raw)) return raw.toLowerCase(); // nothing to strip or compose
  const s = PRINTABLE_ASCII.test(raw) ? raw.toLowerCase().replace(ASCII_NON_LETTERS, '') : nfc(raw).toLowerCase().replace(STRIP, '');
  return s === '' ? undefined : s;
}

/** Whether a value is a hex hash that is not a SHA-256 (MD5 or malformed; for the warning that says why). */
export function isHexHash(raw: string): boolean {
  return raw.length >= 32 && HEX_HASH_RE.test(raw) && DIGIT_RE.test(raw);
}
