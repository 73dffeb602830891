const STRIP = /[\p{P}\p{S}\p{Z}\s\d]+/gu;

/** fn / ln. Meta: lowercase, no punctuation, UTF-8 kept for special characters (Valéry → valéry). */
const ASCII_LETTERS = /^[A-Za-z]+$/;

export function normalizeName(raw: string): string | undefined {
  if (ASCII_LETTERS.test(raw)) return raw.toLowerCase(); // fast path: nothing to strip or compose
  const s = raw.normalize('NFC').toLowerCase().replace(STRIP, '');
  return s === '' ? undefined : s;
}
