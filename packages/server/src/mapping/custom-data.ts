import { buildStandardCustomData, toFiniteNumber } from '@capi-bridge/contract';
import type { CapiCustomData, DestinationConfig } from './types.js';
import { checkPassThrough, newBudget, type PassThroughBudget } from './bounds.js';
import { enforceCustomDataRules } from './custom-data-rules.js';
import { describe, isObj, isUnsafeKey, own, type Obj } from './util.js';

/** ISO 4217 codes known to the runtime's ICU, plus a safety net of the most common ones. */
const CURRENCIES: ReadonlySet<string> = (() => {
  const set = new Set(['USD', 'EUR', 'GBP', 'JPY', 'CHF', 'CAD', 'AUD', 'CNY', 'SEK', 'NOK', 'DKK', 'PLN', 'BRL', 'INR', 'MXN']);
  try {
    for (const c of Intl.supportedValuesOf('currency')) set.add(c);
  } catch {
    // Older runtimes: the list above.
  }
  return set;
})();
export const isIsoCurrency = (c: string): boolean => CURRENCIES.has(c);

/** Root properties that describe the event envelope, never copied by sendAllProperties. */
const RESERVED: ReadonlySet<string> = new Set([
  'event_name', 'event_id', 'event_timestamp', 'timestamp', 'type', 'consent_categories', 'context', 'integrations',
  'user', 'items', 'browser', 'partners', 'url', 'referrer', 'path', 'title', 'fbc', 'fbp', 'source_key', 'page',
  'amount', 'revenue', 'id', 'search_term', 'name', 'category', 'value', 'currency', 'status', 'num_items',
]);

export const MAX_CUSTOM_DATA_KEYS = 100;

const PRODUCT = { contentType: 'product' } as const;
const NO_TYPE = { contentType: null };

function hasKeys(o: Obj): boolean {
  for (const k in o) if (Object.hasOwn(o, k)) return true;
  return false;
}

export type CustomDataResult =
  | { ok: true; customData: CapiCustomData | undefined }
  | { ok: false; reason: 'missing_value_or_currency' | 'oversized_field'; detail: string };

/**
 * custom_data build order (seed): (1) all string/number/boolean properties when sendAllProperties,
 * (2) the standard mapping (shared with the web tag), (3) `integrations.facebook.custom_data.<key>`
 * overrides; then every standard key is checked as Meta checks it (value numeric, currency ISO 4217, contents
 * items with id and quantity, …), keys carrying plain e-mails/phones are dropped, and Purchase must carry
 * value + currency. Copied properties and override values are bounded (bounds.ts): over a bound the event is
 * dropped (`oversized_field`).
 */
export function buildCustomData(input: Obj, fb: unknown, dest: DestinationConfig, eventName: string, warnings: string[]): CustomDataResult {
  const std = buildStandardCustomData(input, dest.contentType === 'product' ? PRODUCT : dest.contentType === null ? NO_TYPE : { contentType: dest.contentType });
  // Without sendAllProperties the standard mapping's fresh object is the result (same keys, same order).
  let cd: Obj = std.customData;
  // Only events with copied properties or overrides have pass-through values to charge.
  let budget: PassThroughBudget | undefined;
  if (dest.sendAllProperties) {
    cd = {};
    let n = 0;
    for (const key of Object.keys(input)) {
      if (RESERVED.has(key) || isUnsafeKey(key)) continue;
      const v = input[key];
      if (typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) {
        if (++n > MAX_CUSTOM_DATA_KEYS) {
          warnings.push(`custom_data: more than ${MAX_CUSTOM_DATA_KEYS} properties, extra dropped`);
          break;
        }
        if (typeof v === 'string') {
          const bad = checkPassThrough(v, '', key, budget ??= newBudget());
          if (bad !== undefined) return { ok: false, reason: 'oversized_field', detail: bad };
        }
        cd[key] = v;
      }
    }
    Object.assign(cd, std.customData);
  }
  for (let i = 0; i < std.warnings.length; i++) warnings.push(std.warnings[i]!);

  const ov = own(fb, 'custom_data');
  if (isObj(ov)) {
    let n = 0;
    for (const key of Object.keys(ov)) {
      if (isUnsafeKey(key)) continue;
      if (++n > MAX_CUSTOM_DATA_KEYS) {
        warnings.push(`integrations.facebook.custom_data: more than ${MAX_CUSTOM_DATA_KEYS} keys, extra dropped`);
        break;
      }
      const v = ov[key];
      if (v === null || v === undefined) delete cd[key];
      else {
        const bad = checkPassThrough(v, 'integrations.facebook.custom_data.', key, budget ??= newBudget());
        if (bad !== undefined) return { ok: false, reason: 'oversized_field', detail: bad };
        cd[key] = v;
      }
    }
  } else if (ov !== undefined && ov !== null) {
    warnings.push(`integrations.facebook.custom_data: not an object (${describe(ov)}), ignored`);
  }

  const value = own(cd, 'value');
  // A finite number (the standard mapping's) is kept as is: no conversion, no store (no new heap number).
  if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value))) {
    const v = toFiniteNumber(value);
    if (v === undefined) {
      warnings.push(`custom_data.value: not a number (${describe(cd.value)}), dropped`);
      delete cd.value;
    } else cd.value = v;
  }
  const currency = own(cd, 'currency');
  if (currency !== undefined) {
    const c = typeof currency === 'string' ? currency.trim().toUpperCase() : undefined;
    if (c === undefined || !isIsoCurrency(c)) {
      warnings.push(`currency: not an ISO 4217 code (${describe(currency)}), dropped`);
      delete cd.currency;
    } else if (c !== currency) cd.currency = c;
  }

  enforceCustomDataRules(cd, isObj(ov) ? ov : undefined, dest.sendAllProperties, warnings);

  if (eventName === 'Purchase' && (cd.value === undefined || cd.currency === undefined)) {
    const missing = [cd.value === undefined ? 'value' : '', cd.currency === undefined ? 'currency' : ''].filter(Boolean).join(' and ');
    return { ok: false, reason: 'missing_value_or_currency', detail: `custom_data.${missing === 'value and currency' ? 'value, custom_data.currency' : missing}: required for Purchase (from amount/value/revenue and currency)` };
  }
  return { ok: true, customData: hasKeys(cd) ? (cd as CapiCustomData) : undefined };
}
