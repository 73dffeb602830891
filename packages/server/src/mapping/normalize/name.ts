import { ASCII_LETTERS, nfc, PRINTABLE_ASCII } from './charsets.js';

const STRIP = /[\p{P}\p{S}\p{Z}\s\d]+/gu;
/** In printable ASCII, everything that is not a letter is punctuation, a symbol, a space or a digit. */
const ASCII_NON_LETTERS = /[^a-z]+/g;

/** fn / ln. Meta: lowercase, no punctuation, UTF-8 kept for special characters (Valéry → valéry). */
export function normalizeName(raw: string): string | undefined {
  if (ASCII_LETTERS.test(raw)) return raw.toLowerCase(); // nothing to strip or compose
  const s = PRINTABLE_ASCII.test(raw) ? raw.toLowerCase().replace(ASCII_NON_LETTERS, '') : nfc(raw).toLowerCase().replace(STRIP, '');
  return s === '' ? undefined : s;
}
