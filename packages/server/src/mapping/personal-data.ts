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

/**
 * Whether the URL from `from` on (its query and fragment) might carry contact information: an `@` or `%40`,
 * a `%2B` (an encoded `+`), or 7 digits in a row. One pass, no copy: most URLs stop here.
 */
function suspectFrom(url: string, from: number): boolean {
  let run = 0;
  for (let i = from; i < url.length; i++) {
    const c = url.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (++run >= 7) return true;
    } else if (c === 64) return true;
    else if (c === 37) {
      const a = url.charCodeAt(i + 1);
      const b = url.charCodeAt(i + 2) | 0x20;
      if ((a === 52 && b === 48) || (a === 50 && b === 98)) return true; // %40, %2B/%2b
      run = 0;
    } else if (c !== 43 && c !== 45 && c !== 46 && c !== 40 && c !== 41 && c !== 32) run = 0;
  }
  return false;
}

/**
 * `url` with every query parameter that carries an e-mail address or a phone number removed (the rest of the
 * URL byte for byte). A warning per removed parameter names the field, the parameter and the kind, never the
 * value. Most URLs have no suspicious query and are returned as is, without splitting.
 */
export function stripPersonalDataFromUrl(url: string, field: string, warnings: string[]): string {
  const q = url.indexOf('?');
  if (q < 0 || !suspectFrom(url, q + 1)) return url;
  const hash = url.indexOf('#', q);
  const end = hash < 0 ? url.length : hash;
  const query = url.slice(q + 1, end);
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

/**
 * One pass: whether `s` could hold contact information at all (an `@`, or 7 digits in a row, phone
 * separators aside). Nearly every string fails it, so the regexes above run only on the rest.
 */
function suspect(s: string): boolean {
  let run = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (++run >= 7) return true;
    } else if (c === 64) return true;
    else if (c !== 43 && c !== 45 && c !== 46 && c !== 40 && c !== 41 && c !== 32) run = 0;
  }
  return false;
}

/** custom_data keys of the standard mapping: their names are never contact information (values still are checked). */
const STANDARD_KEYS: ReadonlySet<string> = new Set([
  'value', 'currency', 'contents', 'content_ids', 'content_type', 'content_name', 'content_category', 'num_items', 'order_id',
  'search_string', 'status', 'predicted_ltv', 'net_revenue', 'delivery_category', 'item_number', 'id', 'quantity', 'item_price',
]);

/** Values visited per custom_data key at most (overrides are bounded elsewhere; this keeps the scan flat). */
const MAX_SCAN_NODES = 256;
const MAX_SCAN_DEPTH = 8;
/** Values the scan may still visit (shared by the whole recursion). */
interface ScanBudget { left: number }

/** The first contact information found in `v` under `key` (strings inside arrays/objects too, bounded). */
function scan(key: string, v: unknown, depth: number, budget: ScanBudget): PersonalKind | undefined {
  if (typeof v === 'string') return suspect(v) ? personalDataKind(key, v) : undefined;
  if (typeof v === 'number') return !STANDARD_KEYS.has(key) && PHONE_KEY.test(key) ? personalDataKind(key, String(v)) : undefined;
  if (typeof v !== 'object' || v === null || depth >= MAX_SCAN_DEPTH) return undefined;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length && --budget.left > 0; i++) {
      const k = scan(key, v[i], depth + 1, budget);
      if (k !== undefined) return k;
    }
    return undefined;
  }
  for (const k in v) {
    if (--budget.left <= 0) return undefined;
    if (!Object.hasOwn(v, k)) continue;
    const found = (!STANDARD_KEYS.has(k) && suspect(k) ? personalDataKind('', k) : undefined) ?? scan(k, (v as Record<string, unknown>)[k], depth + 1, budget);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Contact information in a string value held under `key` (one cheap pass for the usual string). */
export function stringContactKind(key: string, s: string): PersonalKind | undefined {
  return suspect(s) ? personalDataKind(key, s) : undefined;
}

/** Contact information anywhere in `v` (nested strings too, bounded) held under `key`. */
export function valueContactKind(key: string, v: unknown): PersonalKind | undefined {
  return scan(key, v, 0, { left: MAX_SCAN_NODES });
}

/** Whether a custom_data key's name is itself contact information (standard names never are). */
export function keyContactKind(key: string): PersonalKind | undefined {
  return STANDARD_KEYS.has(key) || !suspect(key) ? undefined : personalDataKind('', key);
}

/** The warning for a custom_data key dropped because it carried contact information (never the value). */
export function contactWarning(key: string, kind: PersonalKind, inName: boolean): string {
  const name = inName || key.length > 40 ? 'custom_data: a key' : `custom_data.${key}`;
  return `${name}: carried ${kind === 'e-mail address' ? 'an e-mail address' : 'a phone number'} (contact information is sent only hashed, in user_data), dropped`;
}
