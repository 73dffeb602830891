import { nfc, PRINTABLE_ASCII } from './charsets.js';
import type { NormalizeContext } from './context.js';

const US_STATES: Readonly<Record<string, string>> = {
  alabama: 'al', alaska: 'ak', arizona: 'az', arkansas: 'ar', california: 'ca', colorado: 'co', connecticut: 'ct',
  delaware: 'de', districtofcolumbia: 'dc', florida: 'fl', georgia: 'ga', hawaii: 'hi', idaho: 'id', illinois: 'il',
  indiana: 'in', iowa: 'ia', kansas: 'ks', kentucky: 'ky', louisiana: 'la', maine: 'me', maryland: 'md',
  massachusetts: 'ma', michigan: 'mi', minnesota: 'mn', mississippi: 'ms', missouri: 'mo', montana: 'mt',
  nebraska: 'ne', nevada: 'nv', newhampshire: 'nh', newjersey: 'nj', newmexico: 'nm', newyork: 'ny',
  northcarolina: 'nc', northdakota: 'nd', ohio: 'oh', oklahoma: 'ok', oregon: 'or', pennsylvania: 'pa',
  rhodeisland: 'ri', southcarolina: 'sc', southdakota: 'sd', tennessee: 'tn', texas: 'tx', utah: 'ut',
  vermont: 'vt', virginia: 'va', washington: 'wa', westvirginia: 'wv', wisconsin: 'wi', wyoming: 'wy',
  puertorico: 'pr', guam: 'gu', americansamoa: 'as', northernmarianaislands: 'mp', virginislands: 'vi',
  usvirginislands: 'vi',
  // Abbreviations as commonly written (AP / US Government Publishing Office style), punctuation removed.
  ala: 'al', ariz: 'az', ark: 'ar', calif: 'ca', cal: 'ca', colo: 'co', conn: 'ct', del: 'de', fla: 'fl',
  ill: 'il', ind: 'in', kan: 'ks', kans: 'ks', mass: 'ma', mich: 'mi', minn: 'mn', miss: 'ms',
  mont: 'mt', neb: 'ne', nebr: 'ne', nev: 'nv', nmex: 'nm', ndak: 'nd', okla: 'ok', ore: 'or', oreg: 'or',
  penn: 'pa', penna: 'pa', sdak: 'sd', tenn: 'tn', tex: 'tx', wash: 'wa', wva: 'wv', wis: 'wi', wisc: 'wi',
  wyo: 'wy', ida: 'id',
};

/** The 2-letter codes the US names map to (for precomputed hashes). */
export const US_STATE_CODES: ReadonlySet<string> = new Set(Object.values(US_STATES));

const STRIP = /[^\p{L}\p{N}]+/gu;
const MARKS = /\p{M}+/gu;
const ASCII_NON_ALNUM = /[^a-z0-9]+/g;

/**
 * st. Meta: 2-character ANSI code in lower case for the US; elsewhere lower case without punctuation or
 * spaces. For the US (or an unknown country), state names and their common abbreviations (`New York`,
 * `Calif.`, `Fla.`; accents ignored: `Califórnia`) become the 2-letter code.
 */
export function normalizeState(raw: string, ctx: NormalizeContext): string | undefined {
  const ascii = PRINTABLE_ASCII.test(raw);
  const s = ascii ? raw.toLowerCase().replace(ASCII_NON_ALNUM, '') : nfc(raw).toLowerCase().replace(STRIP, '');
  if (s === '') return undefined;
  if (ctx.country === undefined || ctx.country === 'us') {
    if (s.length > 2) {
      const code = usState(s);
      if (code !== undefined) return code;
      if (!ascii) return usState(s.normalize('NFD').replace(MARKS, '')) ?? s;
    }
  }
  return s;
}

const usState = (key: string): string | undefined => (Object.hasOwn(US_STATES, key) ? US_STATES[key] : undefined);
