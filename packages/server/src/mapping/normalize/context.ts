export interface NormalizeContext {
  /** ISO-3166 alpha-2 (upper-case) used for national phone numbers. */
  defaultPhoneCountry?: string | undefined;
  /** The event's own country (lower-case ISO-2) when known: US-only rules (zip, state) depend on it. */
  country?: string | undefined;
  /** Current year (for birthdates). */
  year: number;
}

/** A normaliser returns Meta's normalised form, or undefined when the value cannot be used. */
export type Normalizer = (raw: string, ctx: NormalizeContext) => string | undefined;
