const F = new Set(['f', 'female', 'woman', 'women', 'w', 'girl', 'fem', 'feminine', 'she', 'her', 'mrs', 'ms', 'miss', 'mme', 'madame', 'frau', 'femme', 'femenino', 'mujer', 'donna', 'weiblich', 'feminin', 'féminin']);
const M = new Set(['m', 'male', 'man', 'men', 'boy', 'masc', 'masculine', 'he', 'him', 'mr', 'monsieur', 'herr', 'homme', 'masculino', 'hombre', 'uomo', 'männlich', 'maennlich', 'masculin']);

/** Meta: `f` or `m`. Common synonyms (several languages, titles) are mapped; anything else is unusable. */
export function normalizeGender(raw: string): string | undefined {
  const s = raw.trim().toLowerCase().replace(/[.\s]+/g, '');
  if (F.has(s)) return 'f';
  if (M.has(s)) return 'm';
  return undefined;
}
