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
 * Whether url[from, to) (its query or its fragment) might carry contact information: an `@` or `%40`,
 * a `%2B` (an encoded `+`), or 7 digits in a row. One pass, no copy: most URLs stop here.
 */
function suspectFrom(url: string, from: number, to: number): boolean {
  let run = 0;
  for (let i = from; i < to; i++) {
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
 * `url` without contact information: every query parameter that carries an e-mail address or a phone number
 * is removed, a fragment that carries one is dropped, and a path segment that is an e-mail address (an
 * unsubscribe or account link) becomes `redacted`; the rest of the URL byte for byte. Only e-mails are looked
 * for in the path: 7+ digits there are ids far more often than phones. A warning per removal names the field,
 * the place and the kind, never the value. Most URLs are returned as they are after one scan without a copy.
 */
export function stripPersonalDataFromUrl(url: string, field: string, warnings: string[]): string {
  const hash = url.indexOf('#');
  const end = hash < 0 ? url.length : hash;
  let q = url.indexOf('?');
  if (q > end) q = -1;
  const pathEnd = q < 0 ? end : q;
  const pathStart = url.indexOf('/', url.indexOf('//') + 2);
  const pathAt = pathStart >= 0 && pathStart < pathEnd && hasAt(url, pathStart, pathEnd);
  const querySuspect = q >= 0 && suspectFrom(url, q + 1, end);
  const fragmentSuspect = hash >= 0 && suspectFrom(url, hash + 1, url.length);
  if (!pathAt && !querySuspect && !fragmentSuspect) return url;

  let path = url.slice(0, pathEnd);
  if (pathAt) {
    const segments = path.slice(pathStart).split('/');
    let replaced = false;
    for (let i = 0; i < segments.length; i++) {
      if (!EMAIL_IN_TEXT.test(decode(segments[i]!))) continue;
      segments[i] = 'redacted';
      replaced = true;
    }
    if (replaced) {
      path = path.slice(0, pathStart) + segments.join('/');
      warnings.push(`${field}: a path segment carried an e-mail address, replaced by "redacted"`);
    }
  }
  let query = q < 0 ? '' : url.slice(q, end);
  if (querySuspect) query = withoutPersonalPairs(query.slice(1), field, 'query parameter', warnings);
  let fragment = hash < 0 ? '' : url.slice(hash);
  if (fragmentSuspect) {
    // Client-side state, never needed by Meta: dropped whole when any of it is contact information.
    const body = fragment.slice(1);
    const kind = personalDataKind('', decode(body)) ?? body.split('&').map(pairContact).find((c) => c !== undefined)?.kind;
    if (kind !== undefined) {
      fragment = '';
      warnings.push(`${field}: the fragment carried ${article(kind)}, removed`);
    }
  }
  return path + query + fragment;
}

/** The contact information in a `key=value` pair, found in its value or in its key. */
function pairContact(pair: string): { kind: PersonalKind; key: string; inKey: boolean } | undefined {
  const eq = pair.indexOf('=');
  const key = decode(eq < 0 ? pair : pair.slice(0, eq));
  const keyKind = personalDataKind('', key);
  if (keyKind !== undefined) return { kind: keyKind, key, inKey: true };
  const kind = personalDataKind(key, eq < 0 ? '' : decode(pair.slice(eq + 1)));
  return kind === undefined ? undefined : { kind, key, inKey: false };
}

const article = (kind: PersonalKind): string => (kind === 'e-mail address' ? 'an e-mail address' : 'a phone number');

/**
 * `?` + the `&`-separated pairs of `pairs` that carry no contact information ('' when none is left). A
 * warning per removed pair names it (`<label> "<key>"`, or `a <label>` when the key itself is contact
 * information or long), never the value.
 */
function withoutPersonalPairs(pairs: string, field: string, label: string, warnings: string[]): string {
  const kept: string[] = [];
  for (const pair of pairs.split('&')) {
    const contact = pairContact(pair);
    if (contact === undefined) {
      kept.push(pair);
      continue;
    }
    const name = contact.inKey || contact.key.length > 40 ? `a ${label}` : `${label} ${JSON.stringify(contact.key)}`;
    warnings.push(`${field}: ${name} carried ${article(contact.kind)}, removed`);
  }
  return kept.length === 0 ? '' : `?${kept.join('&')}`;
}

/** Whether url[from, to) holds an `@` or its encoding `%40`. */
function hasAt(url: string, from: number, to: number): boolean {
  const at = url.indexOf('@', from);
  if (at >= 0 && at < to) return true;
  const enc = url.indexOf('%40', from);
  return enc >= 0 && enc < to;
}

/**
 * One pass: whether `s` could hold contact information at all (an `@`, or 7 digits in a row, phone
 * separators aside). Nearly every string fails it, so the regexes above run only on the rest. (Written
 * out rather than `includes('@') || hasSevenDigits(s)`: every custom_data string passes here, and the
 * second scan measured 2–4 % of the mapping bench.)
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
