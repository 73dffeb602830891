import { getCountryCallingCode, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import type { NormalizeContext } from './context.js';

const NON_DIGITS = /\D+/g;
const LEADING_ZEROS = /^0+/;
/** Only separators: digits, spaces, dots, dashes, parentheses, leading +. Anything else → library path. */
const SIMPLE = /^\+?[\d\s().-]+$/;

/** Calling code per country, cached (getCountryCallingCode throws on unknown countries). */
const callingCodes = new Map<string, string | null>();
function callingCode(country: string): string | undefined {
  let cc = callingCodes.get(country);
  if (cc === undefined) {
    try {
      cc = getCountryCallingCode(country as CountryCode);
    } catch {
      cc = null;
    }
    if (callingCodes.size < 512) callingCodes.set(country, cc);
  }
  return cc ?? undefined;
}

/** ctx.country is lower-case ISO-2; the library wants upper case (last one remembered). */
let lastLower = '';
let lastUpper = '';
function upper(c: string): string {
  if (c !== lastLower) {
    lastLower = c;
    lastUpper = c.toUpperCase();
  }
  return lastUpper;
}

/**
 * Meta: digits only, no leading zeros, must include the country code. `+…` / `00…` numbers are
 * international; others get the calling code of the event's country or `defaultPhoneCountry`
 * (libphonenumber-js handles national trunk prefixes). Without a country, the digits are taken to
 * already include the country code.
 */
export function normalizePhone(raw: string, ctx: NormalizeContext): string | undefined {
  const s = raw.trim();
  if (s === '' || s.length > 40) return undefined;
  const international = s.startsWith('+') || s.startsWith('00');
  const country = ctx.country !== undefined ? upper(ctx.country) : ctx.defaultPhoneCountry;
  const simple = SIMPLE.test(s) && !s.includes('(0)');
  let digits = s.replace(NON_DIGITS, '');
  if (digits.charCodeAt(0) === 48) digits = digits.replace(LEADING_ZEROS, '');

  if (international) {
    // Fast path: plain international numbers are already digits + country code.
    if (simple) return digits.length >= 8 && digits.length <= 15 ? digits : undefined;
    const p = parsePhoneNumberFromString(`+${digits}`);
    return p && p.isPossible() ? p.number.slice(1) : undefined;
  }
  if (country !== undefined) {
    // Fast path for the North American Numbering Plan (no trunk prefix subtleties): 10 digits → 1 + digits.
    if (simple && callingCode(country) === '1') {
      if (digits.length === 10) return `1${digits}`;
      if (digits.length === 11 && digits.startsWith('1')) return digits;
    }
    const p = parsePhoneNumberFromString(s, country as CountryCode);
    if (p && p.isPossible()) return p.number.slice(1);
    // Fall back: maybe the national number already carried its country code.
  }
  return digits.length >= 7 && digits.length <= 15 ? digits : undefined;
}
