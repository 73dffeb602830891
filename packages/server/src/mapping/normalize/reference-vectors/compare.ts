import { existingSha256 } from '../../hash.js';
import type { NormalizeContext } from '../context.js';
import {
  normalizeCity, normalizeCountry, normalizeDate, normalizeEmail, normalizeExternalId, normalizeGender, normalizeName,
  normalizePhone, normalizeState, normalizeZip,
} from '../index.js';

/** A reference file: input → expected (null: the reference returns nothing), optionally the event's country. */
export interface ReferenceFile {
  source: string;
  vectors: Record<string, Array<[string, string | null] | [string, string | null, string]>>;
}

export type Field = 'email' | 'phone' | 'name' | 'gender' | 'dob' | 'city' | 'state' | 'zip' | 'country' | 'external_id';

const NORMALISERS: Record<Field, (s: string, ctx: NormalizeContext) => string | undefined> = {
  email: (s) => normalizeEmail(s),
  phone: normalizePhone,
  name: (s) => normalizeName(s),
  gender: (s) => normalizeGender(s),
  dob: normalizeDate,
  city: (s) => normalizeCity(s),
  state: normalizeState,
  zip: normalizeZip,
  country: (s) => normalizeCountry(s),
  external_id: (s) => normalizeExternalId(s),
};

/** The year the references' date tests were written against (their "01-01-2026" is a valid birth date). */
export const REFERENCE_YEAR = 2026;

/**
 * What we send for a value, as user-data.ts does it: an existing SHA-256 (any case) passes through
 * lower-cased; anything else is trimmed and normalised. null = the value is dropped.
 */
export function ours(field: Field, input: string, country?: string): string | null {
  const t = input.trim();
  return existingSha256(t) ?? NORMALISERS[field](t, { year: REFERENCE_YEAR, country }) ?? null;
}

/** The reference's answer in our terms: '' means nothing; a SHA-256 is compared lower-cased. */
export function expectedOf(expected: string | null): string | null {
  if (expected === null || expected === '') return null;
  return /^[a-fA-F0-9]{64}$/.test(expected) ? expected.toLowerCase() : expected;
}

/** A short, stable label for long values (the references test 1,000-character strings). */
export function label(v: string | null): string | null {
  if (v === null || v.length <= 80) return v;
  return `${v.slice(0, 40)}…(${v.length} chars)`;
}
