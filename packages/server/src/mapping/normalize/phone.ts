import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import type { NormalizeContext } from './context.js';

const NON_DIGITS = /\D+/g;
const LEADING_ZEROS = /^0+/;

/**
 * Meta: digits only, no leading zeros, must include the country code. `+…` / `00…` numbers are
 * international; others get the calling code of the event's country or `defaultPhoneCountry`
 * (libphonenumber-js). Without a country, the digits are taken to already include the country code.
 */
export function normalizePhone(raw: string, ctx: NormalizeContext): string | undefined {
  const s = raw.trim();
  if (s === '' || s.length > 40) return undefined;
  const international = s.startsWith('+') || s.startsWith('00');
  const country = (ctx.country?.toUpperCase() ?? ctx.defaultPhoneCountry) as CountryCode | undefined;
  if (!international && country !== undefined) {
    const p = parsePhoneNumberFromString(s, country);
    if (p && p.isPossible()) return p.number.slice(1);
    // Fall back: maybe the national number already carried its country code.
  }
  const digits = s.replace(NON_DIGITS, '').replace(LEADING_ZEROS, '');
  if (international) {
    const p = parsePhoneNumberFromString(`+${digits}`);
    if (p && p.isPossible()) return p.number.slice(1);
  }
  return digits.length >= 7 && digits.length <= 15 ? digits : undefined;
}
