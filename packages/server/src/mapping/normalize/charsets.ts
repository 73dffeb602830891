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
