const F = new Set(['f', 'female', 'woman', 'women', 'w', 'girl', 'fem', 'feminine', 'she', 'her', 'mrs', 'ms', 'miss', 'mme', 'madame', 'frau', 'femme', 'femenino', 'mujer', 'donna', 'weiblich', 'feminin', 'féminin']);
const M = new Set(['m', 'male', 'man', 'men', 'boy', 'masc', 'masculine', 'he', 'him', 'mr', 'monsieur', 'herr', 'homme', 'masculino', 'hombre', 'uomo', 'männlich', 'maennlich', 'masculin']);
const STRIP = /[.\s]+/g;

function slow(raw: string): string | undefined {
  const s = raw.trim().toLowerCase().replace(STRIP, '');
  if (F.has(s)) return 'f';
  if (M.has(s)) return 'm';
  return undefined;
}

/** The synonyms as commonly written (lower, UPPER, Capitalised), each mapped by the rule itself. */
const EXACT = new Map<string, string>();
for (const w of [...F, ...M]) {
  for (const form of [w, w.toUpperCase(), w[0]!.toUpperCase() + w.slice(1)]) {
    const r = slow(form);
    if (r !== undefined) EXACT.set(form, r);
  }
}

/** Meta: `f` or `m`. Common synonyms (several languages, titles) are mapped; anything else is unusable. */
export function normalizeGender(raw: string): string | undefined {
  return EXACT.get(raw) ?? slow(raw);
}
