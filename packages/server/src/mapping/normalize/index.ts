import { normalizeCity } from './city.js';
import type { Normalizer } from './context.js';
import { COUNTRY_CODES, normalizeCountry } from './country.js';
import { normalizeDate } from './date.js';
import { normalizeEmail } from './email.js';
import { normalizeExternalId } from './external-id.js';
import { isAmbiguousGender, normalizeGender } from './gender.js';
import { isHexHash, normalizeName } from './name.js';
import { normalizePhone } from './phone.js';
import { normalizeState, US_STATE_CODES } from './state.js';
import { normalizeZip } from './zip.js';

export type { NormalizeContext, Normalizer } from './context.js';
export {
  COUNTRY_CODES, US_STATE_CODES, isAmbiguousGender, isHexHash, normalizeCity, normalizeCountry, normalizeDate, normalizeEmail, normalizeExternalId, normalizeGender,
  normalizeName, normalizePhone, normalizeState, normalizeZip,
};

/** The hashed user_data keys, in output order, with their normaliser. */
export const HASHED_FIELDS = {
  em: normalizeEmail,
  ph: normalizePhone,
  fn: normalizeName,
  ln: normalizeName,
  ge: normalizeGender,
  db: normalizeDate,
  ct: normalizeCity,
  st: normalizeState,
  zp: normalizeZip,
  country: normalizeCountry,
  external_id: normalizeExternalId,
} as const satisfies Record<string, Normalizer>;

export type HashedField = keyof typeof HASHED_FIELDS;
export const HASHED_FIELD_NAMES = Object.keys(HASHED_FIELDS) as HashedField[];
