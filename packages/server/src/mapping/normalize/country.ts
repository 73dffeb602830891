import iso from 'iso-3166-1';

const STRIP = /[^\p{L}]+/gu;
const squash = (s: string): string => s.normalize('NFD').replace(/\p{M}+/gu, '').toLowerCase().replace(STRIP, '');

/** lower-case alpha-2 codes, alpha-3 → alpha-2, English names (ISO + Intl) and common aliases → alpha-2. */
const ALPHA2 = new Set<string>();
const LOOKUP = new Map<string, string>();

for (const c of iso.all()) {
  const a2 = c.alpha2.toLowerCase();
  ALPHA2.add(a2);
  LOOKUP.set(c.alpha3.toLowerCase(), a2);
  LOOKUP.set(squash(c.country), a2);
}
try {
  const names = new Intl.DisplayNames(['en'], { type: 'region' });
  for (const a2 of ALPHA2) {
    const n = names.of(a2.toUpperCase());
    if (n !== undefined && n.toLowerCase() !== a2) LOOKUP.set(squash(n), a2);
  }
} catch {
  // Small-ICU builds: the ISO names above still apply.
}
/**
 * Common English long and short forms the ISO list and ICU lack or get wrong, squashed (lower-case letters
 * only). ISO 3166-1: "Congo" alone is CG (the Republic of the Congo); CD is "Congo, the Democratic Republic
 * of the" (the iso-3166-1 package names both "Congo", so that entry is overridden here).
 */
const ALIASES: Readonly<Record<string, string>> = {
  usa: 'us', unitedstatesofamerica: 'us', unitedstatesamerica: 'us', america: 'us', uk: 'gb', greatbritain: 'gb',
  unitedkingdomofgreatbritainandnorthernireland: 'gb', england: 'gb', scotland: 'gb', wales: 'gb', northernireland: 'gb',
  britain: 'gb', deutschland: 'de', allemagne: 'de', frankreich: 'fr', espana: 'es', italia: 'it', nederland: 'nl',
  holland: 'nl', thenetherlands: 'nl', netherlandsthe: 'nl', schweiz: 'ch', suisse: 'ch', osterreich: 'at',
  belgique: 'be', belgie: 'be', polska: 'pl', russia: 'ru', russianfederation: 'ru', southkorea: 'kr', korea: 'kr',
  korearepublicof: 'kr', republicofkorea: 'kr', korearep: 'kr', northkorea: 'kp', koreademocraticpeoplesrepublicof: 'kp',
  democraticpeoplesrepublicofkorea: 'kp', dprk: 'kp', vietnam: 'vn', czechia: 'cz', czechrepublic: 'cz', turkey: 'tr',
  turkiye: 'tr', ivorycoast: 'ci', cotedivoire: 'ci', uae: 'ae', brasil: 'br', mexique: 'mx', japon: 'jp',
  congo: 'cg', republicofthecongo: 'cg', republicofcongo: 'cg', congorepublicof: 'cg', congorepublicofthe: 'cg',
  congorepublic: 'cg', congobrazzaville: 'cg', democraticrepublicofthecongo: 'cd', democraticrepublicofcongo: 'cd',
  congothedemocraticrepublicofthe: 'cd', congodemocraticrepublicofthe: 'cd', congodemocraticrepublic: 'cd',
  drcongo: 'cd', drc: 'cd', congokinshasa: 'cd', zaire: 'cd', iran: 'ir', iranislamicrepublicof: 'ir',
  vatican: 'va', vaticancity: 'va', vaticancitystate: 'va', holysee: 'va', holyseevaticancitystate: 'va',
  palestine: 'ps', stateofpalestine: 'ps', palestinestateof: 'ps', palestinianterritories: 'ps',
  palestinianterritory: 'ps', occupiedpalestinianterritory: 'ps', palestinianterritoryoccupied: 'ps',
  virginislandsus: 'vi', usvirginislands: 'vi', virginislandsoftheunitedstates: 'vi', unitedstatesvirginislands: 'vi',
  virginislandsbritish: 'vg', britishvirginislands: 'vg', boliviaplurinationalstateof: 'bo',
  plurinationalstateofbolivia: 'bo', macedonia: 'mk', northmacedonia: 'mk', republicofnorthmacedonia: 'mk',
  macedoniatheformeryugoslavrepublicof: 'mk', theformeryugoslavrepublicofmacedonia: 'mk', fyrom: 'mk',
  micronesiafederatedstatesof: 'fm', moldovarepublicof: 'md', taiwan: 'tw', taiwanprovinceofchina: 'tw',
  tanzania: 'tz', tanzaniaunitedrepublicof: 'tz', venezuela: 've', venezuelabolivarianrepublicof: 've', laos: 'la',
  laopeoplesdemocraticrepublic: 'la', syria: 'sy', syrianarabrepublic: 'sy', swaziland: 'sz', eswatini: 'sz',
  capeverde: 'cv', caboverde: 'cv', burma: 'mm', easttimor: 'tl', timorleste: 'tl', caribbeannetherlands: 'bq',
  bonairesinteustatiusandsaba: 'bq', saintkittsandnevis: 'kn', stkittsandnevis: 'kn', saintlucia: 'lc',
  stlucia: 'lc', saintvincentandthegrenadines: 'vc', stvincentandthegrenadines: 'vc', thebahamas: 'bs',
  bahamasthe: 'bs', thegambia: 'gm', gambiathe: 'gm', falklandislands: 'fk', falklandislandsmalvinas: 'fk',
  bruneidarussalam: 'bn', brunei: 'bn', hongkong: 'hk', macau: 'mo', macao: 'mo',
};
for (const [k, v] of Object.entries(ALIASES)) LOOKUP.set(k, v);

function slow(raw: string): string | undefined {
  const t = raw.trim().toLowerCase();
  if (t.length === 2 && ALPHA2.has(t)) return t;
  const k = squash(t);
  if (k.length === 2 && ALPHA2.has(k)) return k;
  return LOOKUP.get(k);
}

/** Codes and English names as commonly written (as is, lower, UPPER), each mapped by the rule itself. */
const EXACT = new Map<string, string>();
const addExact = (name: string): void => {
  for (const form of [name, name.toLowerCase(), name.toUpperCase()]) {
    const r = slow(form);
    if (r !== undefined) EXACT.set(form, r);
  }
};
for (const c of iso.all()) {
  addExact(c.alpha2);
  addExact(c.alpha3);
  addExact(c.country);
}
try {
  const names = new Intl.DisplayNames(['en'], { type: 'region' });
  for (const a2 of ALPHA2) {
    const n = names.of(a2.toUpperCase());
    if (n !== undefined) addExact(n);
  }
} catch {
  // Small-ICU builds: the ISO names above still apply.
}

/** The lower-case alpha-2 codes (for precomputed hashes). */
export const COUNTRY_CODES: ReadonlySet<string> = ALPHA2;

/** country. Meta: lower-case ISO 3166-1 alpha-2 (United States → us). Unknown values are unusable. */
export function normalizeCountry(raw: string): string | undefined {
  return EXACT.get(raw) ?? slow(raw);
}
