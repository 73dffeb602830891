const STRIP = /[\p{P}\p{S}\p{Z}\s\d]+/gu;

/** fn / ln. Meta: lowercase, no punctuation, UTF-8 kept for special characters (Valéry → valéry). */
export function normalizeName(raw: string): string | undefined {
  const s = raw.normalize('NFC').toLowerCase().replace(STRIP, '');
  return s === '' ? undefined : s;
}
