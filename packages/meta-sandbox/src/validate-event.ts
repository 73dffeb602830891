import { KNOWN_ERRORS, SUBCODES } from './errors.js';

/**
 * Test rule, not Meta's: an event whose event_id starts with this prefix is refused as an invalid event (code
 * 100), with the index Meta names. It stands in for a rejection the sender could not foresee (a rule Meta adds
 * later, a check the sender does not make), now that the server validates everything Meta documents before
 * enqueue. No real event id uses it.
 */
export const REFUSED_EVENT_ID_PREFIX = 'sandbox-refuse-';
/** The same test rule answered as Meta answers 2804001/2804050: the message names no event, so the sender must search. */
export const REFUSED_UNNAMED_EVENT_ID_PREFIX = 'sandbox-refuse-unnamed-';

/** Meta: "Custom event names must be strings, and cannot exceed 50 characters". Standard names are shorter. */
export const MAX_CUSTOM_EVENT_NAME_LENGTH = 50;
const STANDARD_EVENTS: ReadonlySet<string> = new Set([
  'AddPaymentInfo', 'AddToCart', 'AddToWishlist', 'CompleteRegistration', 'Contact', 'CustomizeProduct', 'Donate', 'FindLocation',
  'InitiateCheckout', 'Lead', 'PageView', 'Purchase', 'Schedule', 'Search', 'StartTrial', 'SubmitApplication', 'Subscribe', 'ViewContent',
]);

export const ACTION_SOURCES: ReadonlySet<string> = new Set([
  'email', 'website', 'app', 'phone_call', 'chat', 'physical_store', 'system_generated', 'business_messaging', 'other',
]);

/** user_data keys Meta requires SHA-256 hashed. (`external_id`: Meta only recommends hashing it; see validateExternalId.) */
export const HASHED_USER_DATA_KEYS = ['em', 'ph', 'fn', 'ln', 'ge', 'db', 'ct', 'st', 'zp', 'country'] as const;

/** fb.<subdomainIndex>.<creation ms>.<payload>[.<param-builder appendix>] */
export const FBP_PATTERN = /^fb\.[0-9]\.\d{13}\.\d+(\.[A-Za-z0-9_-]{2,8})?$/;
// The fbclid is kept unmodified (Meta: "ClickID value is case sensitive - do not apply any modifications"), `=` padding included.
export const FBC_PATTERN = /^fb\.[0-9]\.\d{13}\.[A-Za-z0-9_=-]+(\.[A-Za-z0-9_-]{2,8})?$/;
const CURRENCY = /^[A-Za-z]{3}$/;

export const SEVEN_DAYS_S = 7 * 86_400;
export const SIXTY_TWO_DAYS_S = 62 * 86_400;
/** Meta documents no future limit; the sandbox allows 5 minutes of clock skew. */
export const FUTURE_TOLERANCE_S = 300;

/**
 * Meta's "baseline requirements for matching": an event whose only customer-information parameters are one
 * of these sets (or a subset of one) is invalid.
 */
const INSUFFICIENT_COMBINATIONS: ReadonlyArray<ReadonlySet<string>> = [
  new Set(['ct', 'country', 'st', 'zp', 'ge', 'client_user_agent']),
  new Set(['db', 'client_user_agent']),
  new Set(['fn', 'ge']),
  new Set(['ln', 'ge']),
];

export interface EventIssue {
  subcode: number;
  title: string;
  /** Names the event index and the field. */
  message: string;
  field: string;
}

export type EventCheck = { ok: true } | { ok: false; issue: EventIssue };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
/** Non-empty after trim; a printable non-space ASCII first character settles it without trim's copy. */
const nonEmptyString = (v: unknown): v is string => {
  if (typeof v !== 'string' || v.length === 0) return false;
  const c = v.charCodeAt(0);
  return (c > 32 && c < 127) || v.trim() !== '';
};

/**
 * The sandbox's wording, plus the event's position the way Meta names it in a CAPI parameter error
 * (`on param "$['data'][0]"`), so a client can isolate the event as it can with Meta.
 */
function fail(subcode: number, title: string, index: number, field: string, what: string): EventCheck {
  return { ok: false, issue: { subcode, title, field, message: `data[${index}].${field}: ${what} (on param "$['data'][${index}]")` } };
}

/** A refusal naming no event, as Meta's captured 2804xxx bodies. */
function unindexed(subcode: number, title: string, field: string, message: string): EventCheck {
  return { ok: false, issue: { subcode, title, field, message } };
}

/** Meta's own event subcodes (2804001, 2804003, 2804050) in Meta's wording (KNOWN_ERRORS), naming no event. */
function metaRefusal(subcode: number, field: string, message?: string): EventCheck {
  const known = KNOWN_ERRORS[`100/${subcode}`]!;
  return unindexed(subcode, known.title!, field, message ?? known.userMsg!);
}

/** 1 for the code units of [0-9a-f]; a table lookup per character is ~3x faster than /^[a-f0-9]{64}$/. */
const LOWER_HEX = new Uint8Array(0x10000);
for (const c of '0123456789abcdef') LOWER_HEX[c.charCodeAt(0)] = 1;

/** Same as /^[a-f0-9]{64}$/.test(v) for a string v. */
export function isSha256Hex(v: unknown): boolean {
  if (typeof v !== 'string' || v.length !== 64) return false;
  for (let i = 0; i < 64; i++) if (LOWER_HEX[v.charCodeAt(i)] !== 1) return false;
  return true;
}

function notHashed(index: number, key: string): EventCheck {
  return fail(SUBCODES.UNHASHED_USER_DATA, 'Customer Information Not Hashed', index, `user_data.${key}`,
    'must be a lowercase hex SHA-256 hash (64 characters) of the normalised value, or an array of them');
}

/**
 * A subset of the strings `new URL` accepts with protocol http(s): http(s)://, LDH labels (no "--", so no
 * xn-- punycode that could fail to decode), a last label starting with a letter (so never parsed as IPv4), a
 * port of at most 4 digits, then any path/query/fragment (those never make the URL parser fail). Whatever it
 * does not match goes to `new URL`, so the answer is the same; it only skips building a URL object per event.
 */
const PLAIN_HTTP_URL = /^https?:\/\/(?:[a-z0-9]+(?:-[a-z0-9]+)*\.)+[a-z][a-z0-9]*(?:-[a-z0-9]+)*(?::[0-9]{1,4})?(?:[/?#][^\s]*)?$/i;

/** Whether `new URL(s)` parses with protocol http: or https:. */
export function isHttpUrl(s: string): boolean {
  if (PLAIN_HTTP_URL.test(s)) return true;
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

/** Keys of user_data that carry a value (the server event's match keys). */
export function presentUserDataKeys(userData: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const k in userData) {
    if (!Object.hasOwn(userData, k)) continue;
    const v = userData[k];
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v) && v.length === 0) continue;
    out.push(k);
  }
  return out;
}

const REQUIRED_FIELDS = ['event_name', 'event_time', 'user_data', 'action_source'] as const;
const PLAIN_USER_DATA_KEYS = ['client_ip_address', 'client_user_agent'] as const;

/** user_data key → bit i set when INSUFFICIENT_COMBINATIONS[i] contains it. */
const COMBINATION_BITS: ReadonlyMap<string, number> = (() => {
  const m = new Map<string, number>();
  INSUFFICIENT_COMBINATIONS.forEach((combo, i) => {
    for (const k of combo) m.set(k, (m.get(k) ?? 0) | (1 << i));
  });
  return m;
})();
const ALL_COMBINATIONS = (1 << INSUFFICIENT_COMBINATIONS.length) - 1;

/**
 * Whether every present key of user_data (presentUserDataKeys) is in one of Meta's insufficient combinations
 * (no key at all is). Walks user_data without building the key list.
 */
function insufficient(userData: Record<string, unknown>): boolean {
  let combos = ALL_COMBINATIONS;
  for (const k in userData) {
    if (!Object.hasOwn(userData, k)) continue;
    const v = userData[k];
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v) && v.length === 0) continue;
    combos &= COMBINATION_BITS.get(k) ?? 0;
    if (combos === 0) return false;
  }
  return true;
}

/** Validates one element of `data[]` as Meta does. `nowS` is the receive time in Unix seconds. */
export function validateEvent(event: unknown, index: number, nowS: number): EventCheck {
  if (!isObject(event)) return fail(SUBCODES.INVALID_TYPE, 'Invalid Event', index, '', 'each event must be a JSON object');
  const T = SUBCODES;
  for (const field of REQUIRED_FIELDS) {
    const v = event[field];
    if (v === undefined || v === null || v === '') {
      return fail(T.MISSING_PARAMETER, 'Missing Required Parameter', index, field, `the parameter ${field} is required`);
    }
  }
  if (!nonEmptyString(event.event_name)) return fail(T.INVALID_TYPE, 'Invalid Event Name', index, 'event_name', 'must be a non-empty string');
  if (event.event_name.length > MAX_CUSTOM_EVENT_NAME_LENGTH && !STANDARD_EVENTS.has(event.event_name)) {
    return fail(T.INVALID_TYPE, 'Invalid Event Name', index, 'event_name', `custom event names cannot exceed ${MAX_CUSTOM_EVENT_NAME_LENGTH} characters`);
  }

  const t = event.event_time;
  if (typeof t !== 'number' || !Number.isInteger(t) || t <= 0) {
    return fail(T.EVENT_TIME_NOT_SECONDS, 'Invalid Event Time', index, 'event_time', 'must be an integer Unix timestamp in seconds');
  }
  if (t > 100_000_000_000) {
    return fail(T.EVENT_TIME_NOT_SECONDS, 'Invalid Event Time', index, 'event_time', `${t} looks like milliseconds; Meta expects seconds`);
  }
  if (!nonEmptyString(event.action_source) || !ACTION_SOURCES.has(event.action_source)) {
    return fail(T.INVALID_ACTION_SOURCE, 'Invalid Action Source', index, 'action_source',
      `${JSON.stringify(event.action_source)} is not one of ${[...ACTION_SOURCES].join(', ')}`);
  }
  const maxAge = event.action_source === 'physical_store' ? SIXTY_TWO_DAYS_S : SEVEN_DAYS_S;
  if (nowS - t > maxAge) {
    const days = maxAge === SEVEN_DAYS_S ? 7 : 62;
    return metaRefusal(T.TIMESTAMP_TOO_OLD, 'event_time',
      `The timestamp for this event is too far in the past. Events need to be sent from your server within ${days} days of when they occurred. Enter a timestamp that has occurred within the last ${days} days.`);
  }
  if (t - nowS > FUTURE_TOLERANCE_S) {
    return fail(T.EVENT_TIME_IN_FUTURE, 'Event Timestamp In Future', index, 'event_time', `${t} is ${t - nowS}s in the future`);
  }

  if (!isObject(event.user_data)) return fail(T.INVALID_TYPE, 'Invalid User Data', index, 'user_data', 'must be an object');
  const ud = event.user_data;
  if (event.action_source === 'website') {
    if (!nonEmptyString(event.event_source_url)) {
      return fail(T.WEBSITE_FIELDS_MISSING, 'Missing Event Source URL', index, 'event_source_url', 'is required for website events');
    }
    if (!nonEmptyString(ud.client_user_agent)) {
      return fail(T.WEBSITE_FIELDS_MISSING, 'Missing Client User Agent', index, 'user_data.client_user_agent', 'is required for website events');
    }
  }
  if (event.event_source_url !== undefined && !(typeof event.event_source_url === 'string' && isHttpUrl(event.event_source_url))) {
    return fail(T.INVALID_TYPE, 'Invalid Event Source URL', index, 'event_source_url', 'must be an absolute http(s) URL');
  }
  if (event.event_id !== undefined && !nonEmptyString(event.event_id)) {
    return fail(T.INVALID_TYPE, 'Invalid Event ID', index, 'event_id', 'must be a non-empty string');
  }

  for (const key of HASHED_USER_DATA_KEYS) {
    const v = ud[key];
    if (v === undefined) continue;
    if (Array.isArray(v)) {
      if (v.length === 0) return fail(T.UNHASHED_USER_DATA, 'Invalid Customer Information', index, `user_data.${key}`, 'is an empty array');
      for (const one of v) if (!isSha256Hex(one)) return notHashed(index, key);
    } else if (!isSha256Hex(v)) {
      return notHashed(index, key);
    }
  }
  // external_id: any non-empty string (hashed or not, as Meta accepts), or a non-empty array of them.
  const ext = ud.external_id;
  if (ext !== undefined && !(Array.isArray(ext) ? ext.length > 0 && ext.every(nonEmptyString) : nonEmptyString(ext))) {
    return fail(T.INVALID_TYPE, 'Invalid External ID', index, 'user_data.external_id', 'must be a non-empty string or a non-empty array of them');
  }
  if (ud.fbp !== undefined && !(typeof ud.fbp === 'string' && FBP_PATTERN.test(ud.fbp))) {
    return fail(T.MALFORMED_FBP, 'Invalid fbp', index, 'user_data.fbp', 'must look like fb.<subdomainIndex>.<creation time ms>.<random number>');
  }
  if (ud.fbc !== undefined && !(typeof ud.fbc === 'string' && FBC_PATTERN.test(ud.fbc))) {
    return metaRefusal(T.CLICK_ID_FORMAT, 'user_data.fbc');
  }
  for (const key of PLAIN_USER_DATA_KEYS) {
    if (ud[key] !== undefined && typeof ud[key] !== 'string') {
      return fail(T.INVALID_TYPE, 'Invalid Customer Information', index, `user_data.${key}`, 'must be a string (never hashed)');
    }
  }
  if (insufficient(ud)) {
    return metaRefusal(T.INSUFFICIENT_CUSTOMER_INFORMATION, 'user_data');
  }

  const cd = event.custom_data;
  if (cd !== undefined && !isObject(cd)) return fail(T.INVALID_TYPE, 'Invalid Custom Data', index, 'custom_data', 'must be an object');
  const custom = cd ?? {};
  if (event.event_name === 'Purchase') {
    if (typeof custom.value !== 'number' || !Number.isFinite(custom.value)) {
      return fail(T.PURCHASE_VALUE_CURRENCY, 'Missing Value For Purchase', index, 'custom_data.value', 'a Purchase event requires a numeric value');
    }
    if (custom.currency === undefined) {
      return fail(T.PURCHASE_VALUE_CURRENCY, 'Missing Currency For Purchase', index, 'custom_data.currency', 'a Purchase event requires currency');
    }
  }
  if (custom.value !== undefined && (typeof custom.value !== 'number' || !Number.isFinite(custom.value))) {
    return fail(T.INVALID_TYPE, 'Invalid Value', index, 'custom_data.value', 'must be a number');
  }
  if (custom.currency !== undefined && !(typeof custom.currency === 'string' && CURRENCY.test(custom.currency))) {
    return fail(T.PURCHASE_VALUE_CURRENCY, 'Invalid Currency', index, 'custom_data.currency', 'must be a 3-letter ISO 4217 code');
  }
  if (custom.contents !== undefined) {
    if (!Array.isArray(custom.contents)) return fail(T.INVALID_TYPE, 'Invalid Contents', index, 'custom_data.contents', 'must be an array');
    for (let i = 0; i < custom.contents.length; i++) {
      const item: unknown = custom.contents[i];
      const id = isObject(item) ? item.id : undefined;
      if (!(nonEmptyString(id) || (typeof id === 'number' && Number.isFinite(id)))) {
        return fail(T.CONTENTS_ITEM_ID, 'Missing Content ID', index, `custom_data.contents[${i}].id`, 'every contents item requires an id');
      }
      const quantity = isObject(item) ? item.quantity : undefined;
      if (typeof quantity !== 'number' || !Number.isFinite(quantity)) {
        return fail(T.CONTENTS_ITEM_ID, 'Missing Content Quantity', index, `custom_data.contents[${i}].quantity`, 'every contents item requires a numeric quantity');
      }
    }
  }
  if (typeof event.event_id === 'string' && event.event_id.startsWith(REFUSED_EVENT_ID_PREFIX)) {
    if (event.event_id.startsWith(REFUSED_UNNAMED_EVENT_ID_PREFIX)) {
      return unindexed(T.REFUSED_BY_TEST_RULE, 'Event Refused By Test Rule', 'event_id',
        `An event id starting with "${REFUSED_UNNAMED_EVENT_ID_PREFIX}" is refused without naming the event (the sandbox's stand-in for a refusal like Meta's 2804050).`);
    }
    return fail(T.REFUSED_BY_TEST_RULE, 'Event Refused By Test Rule', index, 'event_id', `event ids starting with "${REFUSED_EVENT_ID_PREFIX}" are refused (the sandbox's stand-in for an event Meta refuses)`);
  }
  return { ok: true };
}
