const STRIP = /[^\p{L}]+/gu;

/** ct. Meta: lowercase, no punctuation, special characters, digits or spaces (New York → newyork). */
const ASCII_LETTERS = /^[A-Za-z]+$/;

export function normalizeCity(raw: string): string | undefined {
  if (ASCII_LETTERS.test(raw)) return raw.toLowerCase(); // fast path
  const s = raw.normalize('NFC').toLowerCase().replace(STRIP, '');
  return s === '' ? undefined : s;
}
