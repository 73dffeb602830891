import type { NormalizeContext } from './context.js';

const SPACES_DASHES = /[\s-]+/g;
const US_ZIP_PLUS4 = /^(\d{5})-?\d{4}$/;
const FIVE_DIGITS = /^\d{5}$/;

/**
 * zp. Meta: lower case, no spaces or dashes; the US uses the first 5 digits. ZIP+4 (`94025-1234`) is cut
 * to 5 digits; 9 bare digits only when the event's country is the US.
 */
export function normalizeZip(raw: string, ctx: NormalizeContext): string | undefined {
  if (FIVE_DIGITS.test(raw)) return raw; // the common case: nothing to cut or strip
  const t = raw.trim();
  const plus4 = US_ZIP_PLUS4.exec(t);
  if (plus4 && (t.includes('-') || ctx.country === 'us')) return plus4[1];
  const s = t.toLowerCase().replace(SPACES_DASHES, '');
  if (s.length < 2 || s.length > 16) return undefined;
  return s;
}
