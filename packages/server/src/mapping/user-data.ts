import { isIP } from 'node:net';
import { isValidFbCookie, readCookie } from './fbc-fbp.js';
import { existingSha256, sha256Hex } from './hash.js';
import { HASHED_FIELDS, normalizeCountry, type HashedField, type NormalizeContext } from './normalize/index.js';
import type { CapiUserData, DestinationConfig, MappingContext } from './types.js';
import { describe, isObj, isUnsafeKey, own, path, type Obj } from './util.js';

/** Seed table: Commanders Act `user.<prop>` → Meta hashed key. */
export const USER_FIELD_SOURCES: ReadonlyArray<readonly [HashedField, string]> = [
  ['em', 'email'], ['ph', 'phone'], ['fn', 'firstname'], ['ln', 'lastname'], ['ge', 'gender'], ['db', 'birthdate'],
  ['ct', 'city'], ['st', 'state'], ['zp', 'zipcode'], ['country', 'country'], ['external_id', 'id'],
];

export const MAX_VALUES_PER_KEY = 10;
export const MAX_VALUE_LENGTH = 512;
export const MAX_USER_AGENT_LENGTH = 1024;

/** Unhashed keys Meta accepts verbatim (besides ip/ua/fbc/fbp); settable only through the override. */
const PASSTHROUGH_KEYS: ReadonlySet<string> = new Set([
  'subscription_id', 'fb_login_id', 'lead_id', 'anon_id', 'madid', 'page_id', 'page_scoped_user_id', 'ctwa_clid',
  'ig_account_id', 'ig_sid',
]);

function toValues(raw: unknown, field: string, warnings: string[]): string[] {
  const list = Array.isArray(raw) ? raw : [raw];
  const out: string[] = [];
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    if (v === undefined || v === null || v === '') continue;
    if (out.length >= MAX_VALUES_PER_KEY) {
      warnings.push(`${field}: more than ${MAX_VALUES_PER_KEY} values, extra dropped`);
      break;
    }
    if (typeof v === 'string') {
      if (v.length > MAX_VALUE_LENGTH) warnings.push(`${field}: longer than ${MAX_VALUE_LENGTH} characters, dropped`);
      else out.push(v);
    } else if (typeof v === 'number' && Number.isFinite(v)) out.push(String(v));
    else warnings.push(`${field}: not a string (${describe(v)}), dropped`);
  }
  return out;
}

/**
 * Hashes of normalised values from tiny, closed domains (ge: f/m, country: ~250 codes, st: US states and
 * short region codes) are memoised: in real traffic they repeat on nearly every event. Bounded.
 */
const LOW_CARDINALITY: ReadonlySet<string> = new Set(['ge', 'country', 'st']);
const MAX_CACHED_HASHES = 2048;
const hashCache = new Map<string, string>();

function hashNormalised(key: HashedField, n: string): string {
  if (!LOW_CARDINALITY.has(key) || n.length > 8) return sha256Hex(n);
  let h = hashCache.get(n);
  if (h === undefined) {
    h = sha256Hex(n);
    if (hashCache.size < MAX_CACHED_HASHES) hashCache.set(n, h);
  }
  return h;
}

/** One value: already-hashed passes through lower-cased (never re-hashed); else normalise + hash. */
function hashOne(key: HashedField, v: string, field: string, nctx: NormalizeContext, warnings: string[]): string | undefined {
  const t = v.trim();
  const pre = existingSha256(t);
  if (pre !== undefined) return pre;
  const n = HASHED_FIELDS[key](t, nctx);
  if (n === undefined) {
    warnings.push(`${field}: cannot be normalised for ${key} (${describe(v)}), dropped`);
    return undefined;
  }
  return hashNormalised(key, n);
}

/** Normalise + hash one field's values; already-hashed values pass through (lower-cased, never re-hashed). */
function hashValues(key: HashedField, values: string[], field: string, nctx: NormalizeContext, warnings: string[]): string[] {
  const out: string[] = [];
  for (const v of values) {
    const h = hashOne(key, v, field, nctx, warnings);
    if (h !== undefined && !out.includes(h)) out.push(h);
  }
  return out;
}

/** Field name of the last firstString() hit (avoids allocating a tuple per lookup on the hot path). */
let hitField = '';

/** The first non-empty candidate (field name, value, field name, value, …); non-strings are warned about. */
function firstString(warnings: string[], f1: string, v1: unknown, f2: string, v2: unknown, f3: string, v3: unknown, f4: string, v4: unknown): string | undefined {
  for (let i = 0; i < 4; i++) {
    const v = i === 0 ? v1 : i === 1 ? v2 : i === 2 ? v3 : v4;
    if (v === undefined || v === null || v === '') continue;
    const field = i === 0 ? f1 : i === 1 ? f2 : i === 2 ? f3 : f4;
    if (typeof v !== 'string') {
      warnings.push(`${field}: not a string (${describe(v)}), ignored`);
      continue;
    }
    hitField = field;
    return v.trim();
  }
  return undefined;
}

function fbCookie(input: Obj, overrides: Obj | undefined, name: 'fbc' | 'fbp', warnings: string[]): string | undefined {
  const cookie = path(input, 'context', 'device', 'cookie');
  let fromCookie: unknown;
  if (typeof cookie === 'string') fromCookie = readCookie(cookie, `_${name}`);
  else if (isObj(cookie)) fromCookie = own(cookie, `_${name}`);
  const found = firstString(warnings,
    name === 'fbc' ? 'integrations.facebook.user_data.fbc' : 'integrations.facebook.user_data.fbp', overrides ? own(overrides, name) : undefined,
    name === 'fbc' ? 'integrations.facebook.fbc' : 'integrations.facebook.fbp', path(input, 'integrations', 'facebook', name),
    name, own(input, name),
    name === 'fbc' ? 'context.device.cookie _fbc' : 'context.device.cookie _fbp', fromCookie);
  if (found === undefined) return undefined;
  if (!isValidFbCookie(found)) {
    warnings.push(`${hitField}: malformed ${name} (expected fb.<index>.<time>.<payload>), dropped`);
    return undefined;
  }
  return found;
}

/** Field name of the last readSource() value (for warnings), set alongside its return. */
let sourceField = '';

/** integrations.facebook.user_data.<key> > user.<prop> (em: user.email, else user.email_sha256). */
function readSource(user: Obj | undefined, overrides: Obj | undefined, key: HashedField, prop: string): unknown {
  if (overrides !== undefined && Object.hasOwn(overrides, key)) {
    sourceField = `integrations.facebook.user_data.${key}`;
    return overrides[key];
  }
  if (user === undefined) return undefined;
  if (key === 'em') {
    const em = own(user, 'email');
    if (em === undefined || em === null || em === '') {
      sourceField = 'user.email_sha256';
      return own(user, 'email_sha256');
    }
    sourceField = 'user.email';
    return em;
  }
  sourceField = `user.${prop}`;
  return own(user, prop);
}

/**
 * Builds `user_data`: the seed's user table, hashed per Meta's normalisation rules; ip / user agent /
 * fbc / fbp unhashed; `integrations.facebook.user_data.<key>` overrides any key.
 */
export function buildUserData(
  input: Obj,
  dest: DestinationConfig,
  ctx: MappingContext,
  year: number,
  warnings: string[],
): CapiUserData {
  const userRaw = own(input, 'user');
  const user = isObj(userRaw) ? userRaw : undefined;
  if (userRaw !== undefined && userRaw !== null && !user) warnings.push(`user: not an object (${describe(userRaw)}), ignored`);
  const ovRaw = path(input, 'integrations', 'facebook', 'user_data');
  const overrides = isObj(ovRaw) ? ovRaw : undefined;
  if (ovRaw !== undefined && ovRaw !== null && !overrides) warnings.push('integrations.facebook.user_data: not an object, ignored');

  // The event's country first: phone calling code, US zip and state rules depend on it.
  const nctx: NormalizeContext = { year, defaultPhoneCountry: dest.defaultPhoneCountry, country: undefined };
  const countryRaw = readSource(user, overrides, 'country', 'country');
  const countryFirst = typeof countryRaw === 'string' ? countryRaw : Array.isArray(countryRaw) ? countryRaw[0] : undefined;
  if (typeof countryFirst === 'string' && existingSha256(countryFirst.trim()) === undefined) {
    nctx.country = normalizeCountry(countryFirst);
  }

  const ud: CapiUserData = {};
  for (let i = 0; i < USER_FIELD_SOURCES.length; i++) {
    const [key, prop] = USER_FIELD_SOURCES[i]!;
    const raw = readSource(user, overrides, key, prop);
    if (raw === undefined || raw === null || raw === '') continue;
    const field = sourceField;
    if (key === 'em' && field === 'user.email_sha256' && typeof raw === 'string' && existingSha256(raw.trim()) === undefined) {
      warnings.push('user.email_sha256: not a SHA-256 hex, dropped');
      continue;
    }
    if (typeof raw === 'string' && raw.length <= MAX_VALUE_LENGTH) {
      // Hot path: one plain string.
      const h = hashOne(key, raw, field, nctx, warnings);
      if (h !== undefined) ud[key] = [h];
      continue;
    }
    const hashed = hashValues(key, toValues(raw, field, warnings), field, nctx, warnings);
    if (hashed.length > 0) ud[key] = hashed;
  }

  // client_ip_address: never hashed; must be a valid IPv4/IPv6.
  const browser = own(input, 'browser');
  const device = path(input, 'context', 'device');
  const ip = firstString(warnings,
    'integrations.facebook.user_data.client_ip_address', overrides ? own(overrides, 'client_ip_address') : undefined,
    'browser.ip', own(browser, 'ip'),
    'context.device.ip', own(device, 'ip'),
    'ctx.ip', ctx.ip);
  if (ip !== undefined) {
    if (isIP(ip) !== 0) ud.client_ip_address = ip;
    else warnings.push(`${hitField}: not a valid IP address (${describe(ip)}), dropped`);
  }

  const ua = firstString(warnings,
    'integrations.facebook.user_data.client_user_agent', overrides ? own(overrides, 'client_user_agent') : undefined,
    'browser.user_agent', own(browser, 'user_agent'),
    'context.device.user_agent', own(device, 'user_agent'),
    'ctx.userAgent', ctx.userAgent);
  if (ua !== undefined) {
    if (ua.length <= MAX_USER_AGENT_LENGTH) ud.client_user_agent = ua;
    else warnings.push(`${hitField}: longer than ${MAX_USER_AGENT_LENGTH} characters, dropped`);
  }

  const fbc = fbCookie(input, overrides, 'fbc', warnings);
  if (fbc !== undefined) ud.fbc = fbc;
  const fbp = fbCookie(input, overrides, 'fbp', warnings);
  if (fbp !== undefined) ud.fbp = fbp;

  if (overrides) {
    for (const key of Object.keys(overrides)) {
      if (Object.hasOwn(HASHED_FIELDS, key) || key === 'client_ip_address' || key === 'client_user_agent' || key === 'fbc' || key === 'fbp') continue;
      if (isUnsafeKey(key)) continue;
      const v = overrides[key];
      if (PASSTHROUGH_KEYS.has(key) && (typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)))) {
        ud[key] = v;
      } else {
        warnings.push(`integrations.facebook.user_data.${key}: unknown key or bad value, ignored`);
      }
    }
  }
  return ud;
}
