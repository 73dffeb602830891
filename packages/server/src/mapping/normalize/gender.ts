/**
 * Synonyms → f / m: our own (several languages, titles) plus the English words Meta's parameter builder
 * maps (its genderUtil word lists, as data).
 */
const F = new Set([
  'f', 'female', 'woman', 'women', 'w', 'girl', 'fem', 'feminine', 'she', 'her', 'hers', 'herself', 'mrs', 'ms', 'miss',
  'mme', 'mlle', 'madame', 'mademoiselle', 'madam', 'maam', 'lady', 'frau', 'fraulein', 'fräulein', 'femme', 'femenino',
  'femenina', 'mujer', 'senora', 'señora', 'sra', 'donna', 'signora', 'weiblich', 'feminin', 'féminin', 'daughter', 'mother',
  'mom', 'mama', 'mommy', 'aunt', 'niece', 'sister', 'wife', 'girlfriend', 'bride', 'widow', 'queen', 'princess', 'duchess',
  'countess', 'empress', 'goddess', 'maiden', 'lass', 'gal', 'chick', 'dame', 'belle',
]);
const M = new Set([
  'm', 'male', 'man', 'men', 'boy', 'masc', 'masculine', 'he', 'him', 'his', 'himself', 'mr', 'mister', 'sir', 'monsieur',
  'herr', 'homme', 'masculino', 'hombre', 'senor', 'señor', 'sr', 'uomo', 'signore', 'männlich', 'maennlich', 'masculin',
  'gentleman', 'guy', 'son', 'father', 'dad', 'daddy', 'papa', 'uncle', 'nephew', 'brother', 'husband', 'boyfriend', 'groom',
  'widower', 'king', 'prince', 'duke', 'count', 'emperor', 'god', 'lord', 'lad', 'fellow', 'chap', 'bloke', 'dude',
]);
/**
 * Titles that say nothing about gender (or are gender-neutral): dropped like any unusable value, but
 * named as such in the warning so the sender knows why (`ambiguousGender`).
 */
const AMBIGUOUS = new Set([
  'dr', 'doctor', 'prof', 'professor', 'mx', 'rev', 'reverend', 'hon', 'honourable', 'honorable', 'fr', 'father/mother',
  'sir/madam', 'mr/mrs', 'mr/ms', 'mrsmr', 'mrmrs', 'mrms', 'sirmadam', 'x', 'u', 'n', 'o', 'other', 'unknown', 'divers',
  'diverse', 'nonbinary', 'nb', 'enby', 'neutral', 'unspecified', 'na', 'none', 'prefernottosay', 'madamsir', 'dame/sir',
]);
const STRIP = /[.\s'’]+/g;

const key = (raw: string): string => raw.trim().toLowerCase().replace(STRIP, '');

function slow(raw: string): string | undefined {
  const s = key(raw);
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

/** Whether an unusable gender value is a title or answer that is ambiguous about gender (`Dr`, `Mx`, …). */
export function isAmbiguousGender(raw: string): boolean {
  return AMBIGUOUS.has(key(raw).replace(/[^a-z/]/g, ''));
}
