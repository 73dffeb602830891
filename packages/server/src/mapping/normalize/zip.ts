import type { NormalizeContext } from './context.js';

const SPACES_DASHES = /[\s\-\u2010-\u2015]+/g;
/** ZIP+4 written with a dash, a space (or none, in the US): the first 5 digits are the ZIP code. */
const US_ZIP_PLUS4 = /^(\d{5})[\s\-\u2010-\u2015]?\d{4}$/;
const FIVE_DIGITS = /^\d{5}$/;

/**
 * zp. Meta: lower case, no spaces or dashes; "first 5 digits for U.S. zip codes". ZIP+4 (`94025-1234`,
 * `94025 1234`) is cut to 5 digits; 9 bare digits only when the event's country is the US.
 */
export function normalizeZip(raw: string, ctx: NormalizeContext): string | undefined {
  if (FIVE_DIGITS.test(raw)) return raw; // the common case: nothing to cut or strip
  const t = raw.trim();
  const plus4 = US_ZIP_PLUS4.exec(t);
  if (plus4 && (t.length === 10 || ctx.country === 'us')) return plus4[1];
  const s = t.toLowerCase().replace(SPACES_DASHES, '');
  if (s.length < 2 || s.length > 16) return undefined;
  return s;
}
