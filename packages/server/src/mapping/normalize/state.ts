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
};

/** The 2-letter codes the US names map to (for precomputed hashes). */
export const US_STATE_CODES: ReadonlySet<string> = new Set(Object.values(US_STATES));

const STRIP = /[^\p{L}\p{N}]+/gu;
const ASCII_NON_ALNUM = /[^a-z0-9]+/g;

/**
 * st. Meta: 2-character ANSI code in lower case for the US; elsewhere lower case without punctuation or
 * spaces. US state names (e.g. `New York`, `Calif.` is not guessed) become their 2-letter code.
 */
export function normalizeState(raw: string, ctx: NormalizeContext): string | undefined {
  const s = PRINTABLE_ASCII.test(raw) ? raw.toLowerCase().replace(ASCII_NON_ALNUM, '') : nfc(raw).toLowerCase().replace(STRIP, '');
  if (s === '') return undefined;
  if (ctx.country === undefined || ctx.country === 'us') {
    const code = US_STATES[s];
    if (code !== undefined && Object.hasOwn(US_STATES, s)) return code;
  }
  return s;
}
