import { ASCII_LETTERS, nfc, PRINTABLE_ASCII } from './charsets.js';

const STRIP = /[\p{P}\p{S}\p{Z}\s\d]+/gu;
/** In printable ASCII, everything that is not a letter is punctuation, a symbol, a space or a digit. */
const ASCII_NON_LETTERS = /[^a-z]+/g;
const MD5_RE = /^[a-f0-9]{32}$/i;

/**
 * fn / ln. Meta: lowercase, no punctuation, UTF-8 kept for special characters (Valéry → valéry).
 * An MD5 hex (32 hex digits) is a hash, not a name: Meta matches SHA-256 only, so it is unusable.
 */
export function normalizeName(raw: string): string | undefined {
  if (raw.length === 32 && isMd5Hex(raw)) return undefined;
  if (ASCII_LETTERS.test(raw)) return raw.toLowerCase(); // nothing to strip or compose
  const s = PRINTABLE_ASCII.test(raw) ? raw.toLowerCase().replace(ASCII_NON_LETTERS, '') : nfc(raw).toLowerCase().replace(STRIP, '');
  return s === '' ? undefined : s;
}

/** Whether a value is an MD5 hex (for the warning that says why it was dropped). */
export function isMd5Hex(raw: string): boolean {
  return raw.length === 32 && MD5_RE.test(raw);
}
