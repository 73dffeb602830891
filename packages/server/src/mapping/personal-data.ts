/**
 * Plain e-mail addresses and phone numbers where Meta must never get them unhashed: URL query strings
 * (event_source_url, referrer_url) and custom_data. Meta flags such events as potentially violating data;
 * contact information reaches Meta only hashed, in user_data.
 *
 * Rules (the same for URLs and custom_data):
 * - an e-mail: any value containing `<something>@<domain>.<tld>` (also percent-encoded, `%40`);
 * - a phone: a value in international form (`+` then 8–15 digits, spaces/dots/dashes/brackets allowed), or
 *   any value with 7+ digits whose key names a phone (`phone`, `tel`, `mobile`, `ph`, …);
 * Order numbers and ids (digits without `+` under neutral keys) are left alone.
 */

const EMAIL_IN_TEXT = /[^\s@/?&=#:]+@[^\s@/?&=#]+\.[a-z]{2,}/i;
const INTERNATIONAL_PHONE = /^\s*(?:\+|00)[\s().-]*\d(?:[\s().-]*\d){7,14}\s*$/;
const PHONE_KEY = /(?:^|[_.\-[])(?:phone|phonenumber|phone_number|tel|telephone|mobile|cell|cellphone|msisdn|ph)(?:$|[_.\-\]])/i;

export type PersonalKind = 'e-mail address' | 'phone number';

/** Whether `s` has 7 digits in a row, phone separators (space + - . ( )) aside. */
function hasSevenDigits(s: string): boolean {
  let run = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (++run >= 7) return true;
    } else if (c !== 43 && c !== 45 && c !== 46 && c !== 40 && c !== 41 && c !== 32) run = 0;
  }
  return false;
}

/** What kind of contact information `value` (held under `key`) is, or undefined. */
export function personalDataKind(key: string, value: string): PersonalKind | undefined {
  if (value.includes('@') && EMAIL_IN_TEXT.test(value)) return 'e-mail address';
  if (!hasSevenDigits(value)) return undefined;
  if (INTERNATIONAL_PHONE.test(value) || PHONE_KEY.test(key)) return 'phone number';
  return undefined;
}

function decode(s: string): string {
  if (!s.includes('%') && !s.includes('+')) return s;
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

/** Whether a query string might carry contact information (cheap test before splitting it). */
function suspicious(query: string): boolean {
  if (query.includes('@') || query.includes('%40') || query.includes('%2B') || query.includes('%2b')) return true;
  // A phone needs 7 digits in a row (separators aside).
  return hasSevenDigits(query);
}

/**
 * `url` with every query parameter that carries an e-mail address or a phone number removed (the rest of the
 * URL byte for byte). A warning per removed parameter names the field, the parameter and the kind, never the
 * value. Most URLs have no suspicious query and are returned as is, without splitting.
 */
export function stripPersonalDataFromUrl(url: string, field: string, warnings: string[]): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const hash = url.indexOf('#', q);
  const end = hash < 0 ? url.length : hash;
  const query = url.slice(q + 1, end);
  if (query === '' || !suspicious(query)) return url;
  const kept: string[] = [];
  let removed = false;
  for (const pair of query.split('&')) {
    const eq = pair.indexOf('=');
    const key = decode(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? '' : decode(pair.slice(eq + 1));
    const keyKind = personalDataKind('', key);
    const kind = keyKind ?? personalDataKind(key, value);
    if (kind === undefined) {
      kept.push(pair);
      continue;
    }
    removed = true;
    const name = keyKind !== undefined || key.length > 40 ? 'a query parameter' : `query parameter ${JSON.stringify(key)}`;
    warnings.push(`${field}: ${name} carried ${kind === 'e-mail address' ? 'an e-mail address' : 'a phone number'}, removed`);
  }
  if (!removed) return url;
  const rest = hash < 0 ? '' : url.slice(hash);
  return kept.length === 0 ? url.slice(0, q) + rest : `${url.slice(0, q + 1)}${kept.join('&')}${rest}`;
}

/** Nodes visited per custom_data value at most (overrides are bounded elsewhere; this keeps the scan flat). */
const MAX_SCAN_NODES = 256;
const MAX_SCAN_DEPTH = 8;
let scanBudget = 0;

/** The first contact information found in `v` (strings inside arrays/objects too, bounded). */
function scan(key: string, v: unknown, depth: number): PersonalKind | undefined {
  if (typeof v === 'string') return personalDataKind(key, v);
  if (typeof v !== 'object' || v === null || depth >= MAX_SCAN_DEPTH) return undefined;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length && --scanBudget > 0; i++) {
      const k = scan(key, v[i], depth + 1);
      if (k !== undefined) return k;
    }
    return undefined;
  }
  for (const k in v) {
    if (!Object.hasOwn(v, k) || --scanBudget <= 0) continue;
    const found = personalDataKind('', k) ?? scan(k, (v as Record<string, unknown>)[k], depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * Removes every custom_data key whose value (or name) carries a plain e-mail address or phone number, with a
 * warning naming the key and the kind (never the value).
 */
export function dropPersonalCustomData(cd: Record<string, unknown>, warnings: string[]): void {
  for (const key in cd) {
    if (!Object.hasOwn(cd, key)) continue;
    const v = cd[key];
    if (typeof v === 'number' || typeof v === 'boolean' || v === undefined || v === null) {
      if (typeof v !== 'number' || !PHONE_KEY.test(key) || !hasSevenDigits(String(v))) continue;
    }
    scanBudget = MAX_SCAN_NODES;
    const keyKind = personalDataKind('', key);
    const kind = keyKind ?? (typeof v === 'number' ? 'phone number' : scan(key, v, 0));
    if (kind === undefined) continue;
    delete cd[key];
    const name = keyKind !== undefined || key.length > 40 ? 'custom_data: a key' : `custom_data.${key}`;
    warnings.push(`${name}: carried ${kind === 'e-mail address' ? 'an e-mail address' : 'a phone number'} (contact information is sent only hashed, in user_data), dropped`);
  }
}
