const STRIP = /[^\p{L}]+/gu;

/** ct. Meta: lowercase, no punctuation, special characters, digits or spaces (New York → newyork). */
export function normalizeCity(raw: string): string | undefined {
  const s = raw.normalize('NFC').toLowerCase().replace(STRIP, '');
  return s === '' ? undefined : s;
}
