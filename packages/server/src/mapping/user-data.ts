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

/** Normalise + hash one field's values; already-hashed values pass through (lower-cased, never re-hashed). */
function hashValues(key: HashedField, values: string[], field: string, nctx: NormalizeContext, warnings: string[]): string[] {
  const out: string[] = [];
  const normalize = HASHED_FIELDS[key];
  for (const v of values) {
    const t = v.trim();
    const pre = existingSha256(t);
    let h: string;
    if (pre !== undefined) h = pre;
    else {
      const n = normalize(t, nctx);
      if (n === undefined) {
        warnings.push(`${field}: cannot be normalised for ${key} (${describe(v)}), dropped`);
        continue;
      }
      h = sha256Hex(n);
    }
    if (!out.includes(h)) out.push(h);
  }
  return out;
}

function firstString(candidates: ReadonlyArray<readonly [string, unknown]>, warnings: string[]): [string, string] | undefined {
  for (const [field, v] of candidates) {
    if (v === undefined || v === null || v === '') continue;
    if (typeof v !== 'string') {
      warnings.push(`${field}: not a string (${describe(v)}), ignored`);
      continue;
    }
    return [field, v.trim()];
  }
  return undefined;
}

function fbCookie(input: Obj, overrides: Obj | undefined, name: 'fbc' | 'fbp', warnings: string[]): string | undefined {
  const cookie = path(input, 'context', 'device', 'cookie');
  let fromCookie: unknown;
  if (typeof cookie === 'string') fromCookie = readCookie(cookie, `_${name}`);
  else if (isObj(cookie)) fromCookie = own(cookie, `_${name}`);
  const found = firstString([
    [`integrations.facebook.user_data.${name}`, overrides ? own(overrides, name) : undefined],
    [`integrations.facebook.${name}`, path(input, 'integrations', 'facebook', name)],
    [name, own(input, name)],
    [`context.device.cookie _${name}`, fromCookie],
  ], warnings);
  if (!found) return undefined;
  if (!isValidFbCookie(found[1])) {
    warnings.push(`${found[0]}: malformed ${name} (expected fb.<index>.<time>.<payload>), dropped`);
    return undefined;
  }
  return found[1];
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

  const source = (key: HashedField, prop: string): [string, unknown] => {
    if (overrides && Object.hasOwn(overrides, key)) return [`integrations.facebook.user_data.${key}`, overrides[key]];
    if (key === 'em' && user) {
      const em = own(user, 'email');
      if (em === undefined || em === null || em === '') return ['user.email_sha256', own(user, 'email_sha256')];
    }
    return [`user.${prop}`, user ? own(user, prop) : undefined];
  };

  // The event's country first: phone calling code, US zip and state rules depend on it.
  const nctx: NormalizeContext = { year };
  if (dest.defaultPhoneCountry !== undefined) nctx.defaultPhoneCountry = dest.defaultPhoneCountry;
  const [, countryRaw] = source('country', 'country');
  const countryFirst = typeof countryRaw === 'string' ? countryRaw : Array.isArray(countryRaw) ? countryRaw[0] : undefined;
  if (typeof countryFirst === 'string' && existingSha256(countryFirst.trim()) === undefined) {
    const c = normalizeCountry(countryFirst);
    if (c !== undefined) nctx.country = c;
  }

  const ud: CapiUserData = {};
  for (const [key, prop] of USER_FIELD_SOURCES) {
    const [field, raw] = source(key, prop);
    if (raw === undefined || raw === null || raw === '') continue;
    if (key === 'em' && field === 'user.email_sha256' && typeof raw === 'string' && existingSha256(raw.trim()) === undefined) {
      warnings.push('user.email_sha256: not a SHA-256 hex, dropped');
      continue;
    }
    const hashed = hashValues(key, toValues(raw, field, warnings), field, nctx, warnings);
    if (hashed.length > 0) ud[key] = hashed;
  }

  // client_ip_address: never hashed; must be a valid IPv4/IPv6.
  const ip = firstString([
    ['integrations.facebook.user_data.client_ip_address', overrides ? own(overrides, 'client_ip_address') : undefined],
    ['browser.ip', path(input, 'browser', 'ip')],
    ['context.device.ip', path(input, 'context', 'device', 'ip')],
    ['ctx.ip', ctx.ip],
  ], warnings);
  if (ip) {
    if (isIP(ip[1]) !== 0) ud.client_ip_address = ip[1];
    else warnings.push(`${ip[0]}: not a valid IP address (${describe(ip[1])}), dropped`);
  }

  const ua = firstString([
    ['integrations.facebook.user_data.client_user_agent', overrides ? own(overrides, 'client_user_agent') : undefined],
    ['browser.user_agent', path(input, 'browser', 'user_agent')],
    ['context.device.user_agent', path(input, 'context', 'device', 'user_agent')],
    ['ctx.userAgent', ctx.userAgent],
  ], warnings);
  if (ua) {
    if (ua[1].length <= MAX_USER_AGENT_LENGTH) ud.client_user_agent = ua[1];
    else warnings.push(`${ua[0]}: longer than ${MAX_USER_AGENT_LENGTH} characters, dropped`);
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
