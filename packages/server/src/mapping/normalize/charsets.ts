/**
 * Character-class tests shared by the text normalisers' fast paths. Printable ASCII strings need no
 * Unicode tables; Latin-1 strings (U+0020–U+007E, U+00A0–U+00FF) are already NFC (verified exhaustively
 * over all pairs in normalize.test.ts), so `normalize('NFC')` can be skipped for them.
 */
export const ASCII_LETTERS = /^[A-Za-z]+$/;
export const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
export const LATIN1 = /^[\x20-\x7e\xa0-\xff]*$/;

/** NFC without the ICU call for Latin-1 text (already composed). */
export const nfc = (s: string): string => (LATIN1.test(s) ? s : s.normalize('NFC'));

/**
 * Whether UTF-16 code unit `c` is whitespace as a RegExp's `\s` matches it (ASCII tab…carriage return and
 * space, NBSP, the Unicode space separators, line/paragraph separators, BOM): for charCode loops that stand
 * in for `\s` regexes on hot paths.
 */
export function isRegExpSpace(c: number): boolean {
  if (c <= 32) return c === 32 || (c >= 9 && c <= 13);
  if (c < 160) return false;
  return c === 160 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f
    || c === 0x205f || c === 0x3000 || c === 0xfeff;
}
