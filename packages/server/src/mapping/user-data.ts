import { isIP } from 'node:net';
import { fbcFromUrl, isValidFbc, isValidFbp, readCookie } from './fbc-fbp.js';
import { existingSha256, sha256Hex } from './hash.js';
import {
  COUNTRY_CODES, HASHED_FIELDS, isAmbiguousGender, isHexHash, normalizeCity, normalizeCountry, normalizeDate, normalizeEmail, normalizeExternalId,
  normalizeGender, normalizeName, normalizePhone, normalizeState, normalizeZip, US_STATE_CODES, type HashedField,
  type NormalizeContext,
} from './normalize/index.js';
import type { CapiUserData, DestinationConfig, MappingContext } from './types.js';
import { describe, isObj, isUnsafeKey, own, type Obj } from './util.js';

/** Seed table: Commanders Act `user.<prop>` → Meta hashed key. */
export const USER_FIELD_SOURCES: ReadonlyArray<readonly [HashedField, string]> = [
  ['em', 'email'], ['ph', 'phone'], ['fn', 'firstname'], ['ln', 'lastname'], ['ge', 'gender'], ['db', 'birthdate'],
  ['ct', 'city'], ['st', 'state'], ['zp', 'zipcode'], ['country', 'country'], ['external_id', 'id'],
];
const KEYS = USER_FIELD_SOURCES.map(([k]) => k);
const PROPS = USER_FIELD_SOURCES.map(([, p]) => p);
/** Field names for warnings, built once (not per event). */
const USER_FIELDS = USER_FIELD_SOURCES.map(([, p]) => `user.${p}`);
const OVERRIDE_FIELDS = USER_FIELD_SOURCES.map(([k]) => `integrations.facebook.user_data.${k}`);
/** Commanders Act: any `user.<prop>` may come pre-hashed as `user.<prop>_sha256` (hex), used when `<prop>` is not. */
const SHA_PROPS = USER_FIELD_SOURCES.map(([, p]) => `${p}_sha256`);
const SHA_FIELDS = SHA_PROPS.map((p) => `user.${p}`);
const I_EM = 0, I_PH = 1, I_FN = 2, I_LN = 3, I_GE = 4, I_DB = 5, I_CT = 6, I_ST = 7, I_ZP = 8, I_COUNTRY = 9;

export const MAX_VALUES_PER_KEY = 10;
export const MAX_VALUE_LENGTH = 512;
export const MAX_USER_AGENT_LENGTH = 1024;

/** Unhashed keys Meta accepts verbatim (besides ip/ua/fbc/fbp); settable only through the override. */
const PASSTHROUGH_KEYS: ReadonlySet<string> = new Set([
  'subscription_id', 'fb_login_id', 'lead_id', 'anon_id', 'madid', 'page_id', 'page_scoped_user_id', 'ctwa_clid',
  'ig_account_id', 'ig_sid',
]);

/**
 * Precomputed SHA-256 of the closed domains: ge (f/m), country (ISO alpha-2) and US state codes. These
 * repeat on nearly every event; a static table, not a cache (no eviction, no dependence on traffic).
 */
const STATIC_HASHES = new Map<string, string>();
for (const v of ['f', 'm', ...COUNTRY_CODES, ...US_STATE_CODES]) STATIC_HASHES.set(v, sha256Hex(v));
const hashStatic = (n: string): string => STATIC_HASHES.get(n) ?? sha256Hex(n);

/** Name of element k of a field for warnings: `field[k]` for arrays (k >= 0), else `field`. Built only on warning. */
const at = (field: string, k: number): string => (k < 0 ? field : `${field}[${k}]`);

/** Field i's normaliser, one call site per normaliser (monomorphic, inlinable). */
function normaliseField(i: number, t: string, nctx: NormalizeContext): string | undefined {
  switch (i) {
    case I_EM: return normalizeEmail(t);
    case I_PH: return normalizePhone(t, nctx);
    case I_FN: case I_LN: return normalizeName(t);
    case I_GE: return normalizeGender(t);
    case I_DB: return normalizeDate(t, nctx);
    case I_CT: return normalizeCity(t);
    case I_ST: return normalizeState(t, nctx);
    case I_ZP: return normalizeZip(t, nctx);
    case I_COUNTRY: return normalizeCountry(t);
    default: return normalizeExternalId(t);
  }
}

/** One value: already-hashed passes through lower-cased (never re-hashed); else normalise + hash. */
function hashOne(i: number, v: string, field: string, k: number, nctx: NormalizeContext, warnings: string[]): string | undefined {
  const t = v.trim();
  const pre = existingSha256(t);
  if (pre !== undefined) return pre;
  const n = normaliseField(i, t, nctx);
  if (n === undefined) {
    warnings.push(unusableWarning(i, t, v, at(field, k)));
    return undefined;
  }
  return i === I_GE || i === I_COUNTRY || i === I_ST ? hashStatic(n) : sha256Hex(n);
}

/** Cold path: why a value could not be normalised (an MD5 in a name field is not echoed). */
function unusableWarning(i: number, t: string, v: string, field: string): string {
  if ((i === I_FN || i === I_LN || i === I_CT) && isHexHash(t)) {
    return `${field}: ${t.length === 32 ? 'an MD5 hash' : 'a hex hash that is not a SHA-256'}, not a ${i === I_CT ? 'city' : 'name'} (Meta matches SHA-256 only), dropped`;
  }
  if (i === I_GE && isAmbiguousGender(t)) return `${field}: ambiguous about gender (${describe(v)}), dropped for ge`;
  return `${field}: cannot be normalised for ${KEYS[i]!} (${describe(v)}), dropped`;
}

/** A pre-hashed value (user.email_sha256): kept trimmed + lower-cased if it is already a SHA-256, else dropped. */
function preHashedOne(v: string, field: string, k: number, warnings: string[]): string | undefined {
  const h = existingSha256(v.trim());
  // No echo of the value: a non-hash here is often a plaintext e-mail.
  if (h === undefined) warnings.push(`${at(field, k)}: not a SHA-256 hex, dropped`);
  return h;
}

/**
 * A field's value(s) (string, number or array of them): normalise + hash each, deduped; already-hashed values
 * pass through (lower-cased, never re-hashed). Empty elements are skipped; at most MAX_VALUES_PER_KEY values.
 * `preHashed` (user.email_sha256): strings only, each kept only if it already is a SHA-256 hex (or the
 * param-builder `<sha256>.<appendix>` form) — never normalised or hashed; anything else is dropped with a
 * warning naming the element.
 */
function hashValues(i: number, raw: unknown, field: string, nctx: NormalizeContext, warnings: string[], preHashed = false): string[] {
  const arr = Array.isArray(raw);
  const len = arr ? raw.length : 1;
  const out: string[] = [];
  let taken = 0;
  for (let j = 0; j < len; j++) {
    const v: unknown = arr ? raw[j] : raw;
    if (v === undefined || v === null || v === '') continue;
    const k = arr ? j : -1;
    if (taken >= MAX_VALUES_PER_KEY) {
      warnings.push(`${field}: more than ${MAX_VALUES_PER_KEY} values, extra dropped`);
      break;
    }
    let s: string;
    if (typeof v === 'string') {
      if (!preHashed && v.length > MAX_VALUE_LENGTH) {
        warnings.push(`${at(field, k)}: longer than ${MAX_VALUE_LENGTH} characters, dropped`);
        continue;
      }
      s = v;
    } else if (!preHashed && typeof v === 'number' && Number.isFinite(v)) s = String(v);
    else {
      warnings.push(`${at(field, k)}: not a string (${describe(v)}), dropped`);
      continue;
    }
    taken++;
    const h = preHashed ? preHashedOne(s, field, k, warnings) : hashOne(i, s, field, k, nctx, warnings);
    if (h !== undefined && !out.includes(h)) out.push(h);
  }
  return out;
}

/** Where ip, user agent, fbc and fbp are read from, in precedence order (field names for warnings). */
const IP_SOURCES = ['integrations.facebook.user_data.client_ip_address', 'browser.ip', 'context.device.ip', 'ctx.ip'] as const;
const UA_SOURCES = ['integrations.facebook.user_data.client_user_agent', 'browser.user_agent', 'context.device.user_agent', 'ctx.userAgent'] as const;
const FBC_SOURCES = ['integrations.facebook.user_data.fbc', 'integrations.facebook.fbc', 'fbc', 'context.device.cookie _fbc'] as const;
const FBP_SOURCES = ['integrations.facebook.user_data.fbp', 'integrations.facebook.fbp', 'fbp', 'context.device.cookie _fbp'] as const;

/**
 * Index of the first non-empty candidate in `values` (read from the matching `fields`), or -1. A non-string
 * candidate is warned about and skipped.
 */
function firstStringAt(fields: readonly string[], values: readonly unknown[], warnings: string[]): number {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === undefined || v === null || v === '') continue;
    if (typeof v === 'string') return i;
    warnings.push(`${fields[i]!}: not a string (${describe(v)}), ignored`);
  }
  return -1;
}

function fbCookie(input: Obj, fb: unknown, cookie: unknown, overrides: Obj | undefined, name: 'fbc' | 'fbp', warnings: string[]): string | undefined {
  const fbc = name === 'fbc';
  const fields = fbc ? FBC_SOURCES : FBP_SOURCES;
  // Common case first: the tag puts fbc/fbp in integrations.facebook (no override, a plain string).
  if (overrides === undefined) {
    const v = own(fb, name);
    if (typeof v === 'string' && v !== '') return validFb(v.trim(), name, fields[1], warnings);
  }
  let fromCookie: unknown;
  if (typeof cookie === 'string') fromCookie = readCookie(cookie, fbc ? '_fbc' : '_fbp');
  else if (isObj(cookie)) fromCookie = own(cookie, fbc ? '_fbc' : '_fbp');
  const values = [overrides ? own(overrides, name) : undefined, own(fb, name), own(input, name), fromCookie];
  const at = firstStringAt(fields, values, warnings);
  return at < 0 ? undefined : validFb((values[at] as string).trim(), name, fields[at]!, warnings);
}

/** fbp and fbc as buildUserData reads them (without the fbclid fallback; warnings discarded), for a refused event. */
export function readFbCookies(input: Obj, fb: unknown, context: unknown): { fbp?: string | undefined; fbc?: string | undefined } {
  const ov = own(fb, 'user_data');
  const overrides = isObj(ov) ? ov : undefined;
  const cookie = own(own(context, 'device'), 'cookie');
  const ignored: string[] = [];
  return { fbp: fbCookie(input, fb, cookie, overrides, 'fbp', ignored), fbc: fbCookie(input, fb, cookie, overrides, 'fbc', ignored) };
}

function validFb(v: string, name: 'fbc' | 'fbp', field: string, warnings: string[]): string | undefined {
  if (name === 'fbc' ? isValidFbc(v) : isValidFbp(v)) return v;
  warnings.push(name === 'fbc'
    ? `${field}: malformed fbc (expected fb.<subdomainIndex>.<creationTime ms>.<fbclid>), dropped`
    : `${field}: malformed fbp (expected fb.<subdomainIndex>.<creationTime ms>.<random number>), dropped`);
  return undefined;
}

/** Where a hashed key's value comes from: nowhere, the override, `user.<prop>`, or `user.<prop>_sha256`. */
const FROM_NONE = -1, FROM_OVERRIDE = 0, FROM_USER = 1, FROM_SHA = 2;
type From = typeof FROM_NONE | typeof FROM_OVERRIDE | typeof FROM_USER | typeof FROM_SHA;
/** Field names for warnings, by source then key index. */
const SOURCE_FIELDS: readonly (readonly string[])[] = [OVERRIDE_FIELDS, USER_FIELDS, SHA_FIELDS];

/**
 * integrations.facebook.user_data.<key> > user.<prop> > user.<prop>_sha256 (pre-hashed, kept only if a hash;
 * looked up only when `hasSha`: the user object has some `*_sha256` key, so the common event pays nothing).
 */
function sourceOf(user: Obj | undefined, overrides: Obj | undefined, i: number, hasSha: boolean): From {
  if (overrides !== undefined && Object.hasOwn(overrides, KEYS[i]!)) return FROM_OVERRIDE;
  if (user === undefined) return FROM_NONE;
  if (!hasSha) return FROM_USER;
  const v = own(user, PROPS[i]!);
  return v === undefined || v === null || v === '' ? FROM_SHA : FROM_USER;
}

function sourceValue(from: From, user: Obj | undefined, overrides: Obj | undefined, i: number): unknown {
  return from === FROM_OVERRIDE ? overrides![KEYS[i]!] : from === FROM_USER ? own(user, PROPS[i]!) : from === FROM_SHA ? own(user, SHA_PROPS[i]!) : undefined;
}

/** Whether a user object has any own `<prop>_sha256` key (one pass over its keys, no allocation). */
function hasShaKey(user: Obj): boolean {
  for (const k in user) {
    if (k.length > 7 && k.charCodeAt(k.length - 7) === 95 && k.endsWith('_sha256') && Object.hasOwn(user, k)) return true;
  }
  return false;
}

/** Cold path of buildUserData: keys whose user.<prop> yielded nothing (bits of `unusable`) from user.<prop>_sha256. */
function shaFallback(user: Obj, unusable: number, ud: CapiUserData, matchKeys: string[], nctx: NormalizeContext, warnings: string[]): void {
  let filled = false;
  for (let i = 0; i < KEYS.length; i++) {
    if ((unusable & (1 << i)) === 0) continue;
    const pre = own(user, SHA_PROPS[i]!);
    if (pre === undefined || pre === null || pre === '') continue;
    const hashed = hashValues(i, pre, SHA_FIELDS[i]!, nctx, warnings, true);
    if (hashed.length > 0) {
      ud[KEYS[i]!] = hashed;
      filled = true;
    }
  }
  // matchKeys in user_data order, as presentMatchKeys() would list them.
  if (filled) resyncMatchKeys(ud, matchKeys);
}

/**
 * A user_data with every hashed key already there (undefined until set), in Meta's order. Every event's
 * user_data then starts from the same hidden class and the per-key stores below overwrite a field instead
 * of growing the object key by key (that store was ~4 % of mapping time). JSON.stringify drops the undefined
 * keys, so the payload is byte-identical; presentMatchKeys() skips them too.
 */
function emptyUserData(): CapiUserData {
  return {
    em: undefined, ph: undefined, fn: undefined, ln: undefined, ge: undefined, db: undefined, ct: undefined, st: undefined,
    zp: undefined, country: undefined, external_id: undefined,
  };
}

/** matchKeys (only hashed keys so far) rebuilt in KEYS order after a late fallback filled a key. */
function resyncMatchKeys(ud: CapiUserData, matchKeys: string[]): void {
  matchKeys.length = 0;
  for (let i = 0; i < KEYS.length; i++) if (ud[KEYS[i]!] !== undefined) matchKeys.push(KEYS[i]!);
}

/**
 * Builds `user_data`: the seed's user table, hashed per Meta's normalisation rules; ip / user agent /
 * fbc / fbp unhashed; `integrations.facebook.user_data.<key>` overrides any key. `fb` is
 * integrations.facebook and `context` the event's context, whatever they are. The keys that carry a
 * value are appended to `matchKeys` in user_data order (what presentMatchKeys() would return).
 */
export function buildUserData(
  input: Obj,
  fb: unknown,
  context: unknown,
  dest: DestinationConfig,
  ctx: MappingContext,
  year: number,
  warnings: string[],
  matchKeys: string[],
  eventSourceUrl?: string,
  eventTimeS = 0,
): CapiUserData {
  const userRaw = own(input, 'user');
  const user = isObj(userRaw) ? userRaw : undefined;
  if (userRaw !== undefined && userRaw !== null && !user) warnings.push(`user: not an object (${describe(userRaw)}), ignored`);
  const ovRaw = own(fb, 'user_data');
  const overrides = isObj(ovRaw) ? ovRaw : undefined;
  if (ovRaw !== undefined && ovRaw !== null && !overrides) warnings.push('integrations.facebook.user_data: not an object, ignored');

  // The event's country first: phone calling code, US zip and state rules depend on it.
  const hasSha = user !== undefined && hasShaKey(user);
  const countryRaw = sourceValue(sourceOf(user, overrides, I_COUNTRY, hasSha), user, overrides, I_COUNTRY);
  const countryFirst = typeof countryRaw === 'string' ? countryRaw : Array.isArray(countryRaw) ? countryRaw[0] : undefined;
  const nctx: NormalizeContext = {
    year,
    defaultPhoneCountry: dest.defaultPhoneCountry,
    country: typeof countryFirst === 'string' && existingSha256(countryFirst.trim()) === undefined ? normalizeCountry(countryFirst) : undefined,
  };

  const ud = emptyUserData();
  /** Bit i: user.<prop> was given but yielded no value (then user.<prop>_sha256 may stand in, below). */
  let unusable = 0;
  for (let i = 0; i < KEYS.length; i++) {
    const from = sourceOf(user, overrides, i, hasSha);
    const raw = sourceValue(from, user, overrides, i);
    if (raw === undefined || raw === null || raw === '') continue;
    const field = SOURCE_FIELDS[from]![i]!;
    const preHashed = from === FROM_SHA;
    if (!preHashed && typeof raw === 'string' && raw.length <= MAX_VALUE_LENGTH) {
      // Hot path: one plain string.
      const h = hashOne(i, raw, field, -1, nctx, warnings);
      if (h !== undefined) {
        ud[KEYS[i]!] = [h];
        matchKeys.push(KEYS[i]!);
      } else if (hasSha && from === FROM_USER) unusable |= 1 << i;
      continue;
    }
    const hashed = hashValues(i, raw, field, nctx, warnings, preHashed);
    if (hashed.length > 0) {
      ud[KEYS[i]!] = hashed;
      matchKeys.push(KEYS[i]!);
    } else if (hasSha && from === FROM_USER) unusable |= 1 << i;
  }
  // user.<prop> present but unusable (invalid, an empty array…): user.<prop>_sha256, when given, still counts.
  if (unusable !== 0 && user !== undefined) shaFallback(user, unusable, ud, matchKeys, nctx, warnings);

  // client_ip_address: never hashed; must be a valid IPv4/IPv6.
  const browser = own(input, 'browser');
  const device = own(context, 'device');
  const ips = [overrides ? own(overrides, 'client_ip_address') : undefined, own(browser, 'ip'), own(device, 'ip'), ctx.ip];
  const ipAt = firstStringAt(IP_SOURCES, ips, warnings);
  if (ipAt >= 0) {
    const ip = (ips[ipAt] as string).trim();
    if (isIP(ip) !== 0) {
      ud.client_ip_address = ip;
      matchKeys.push('client_ip_address');
    }
    else warnings.push(`${IP_SOURCES[ipAt]!}: not a valid IP address (${describe(ip)}), dropped`);
  }

  const uas = [overrides ? own(overrides, 'client_user_agent') : undefined, own(browser, 'user_agent'), own(device, 'user_agent'), ctx.userAgent];
  const uaAt = firstStringAt(UA_SOURCES, uas, warnings);
  if (uaAt >= 0) {
    const ua = (uas[uaAt] as string).trim();
    if (ua.length <= MAX_USER_AGENT_LENGTH) {
      ud.client_user_agent = ua;
      if (ua !== '') matchKeys.push('client_user_agent');
    }
    else warnings.push(`${UA_SOURCES[uaAt]!}: longer than ${MAX_USER_AGENT_LENGTH} characters, dropped`);
  }

  const cookie = own(device, 'cookie');
  let fbc = fbCookie(input, fb, cookie, overrides, 'fbc', warnings);
  // No fbc given (API events, the first hit before the pixel set _fbc): built from the page's fbclid.
  if (fbc === undefined && eventSourceUrl !== undefined) {
    const fromUrl = fbcFromUrl(eventSourceUrl, eventTimeS * 1000);
    if (fromUrl.kind === 'fbc') fbc = fromUrl.fbc;
    else if (fromUrl.kind === 'invalid') warnings.push('event_source_url: fbclid parameter is not a click id, ignored for fbc');
  }
  if (fbc !== undefined) {
    ud.fbc = fbc;
    matchKeys.push('fbc');
  }
  const fbp = fbCookie(input, fb, cookie, overrides, 'fbp', warnings);
  if (fbp !== undefined) {
    ud.fbp = fbp;
    matchKeys.push('fbp');
  }

  if (overrides) {
    for (const key of Object.keys(overrides)) {
      if (Object.hasOwn(HASHED_FIELDS, key) || key === 'client_ip_address' || key === 'client_user_agent' || key === 'fbc' || key === 'fbp') continue;
      if (isUnsafeKey(key)) continue;
      const v = overrides[key];
      if (PASSTHROUGH_KEYS.has(key) && typeof v === 'string' && v.length > MAX_VALUE_LENGTH) {
        warnings.push(`integrations.facebook.user_data.${key}: longer than ${MAX_VALUE_LENGTH} characters, ignored`);
      } else if (PASSTHROUGH_KEYS.has(key) && (typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)))) {
        ud[key] = v;
        if (v !== '') matchKeys.push(key);
      } else {
        warnings.push(`integrations.facebook.user_data.${key}: unknown key or bad value, ignored`);
      }
    }
  }
  return ud;
}
