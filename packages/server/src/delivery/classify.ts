/** Meta's error envelope fields we keep (dead letters, logs). */
export interface GraphErrorInfo {
  httpStatus: number;
  code?: number;
  errorSubcode?: number;
  type?: string;
  message?: string;
  errorUserTitle?: string;
  errorUserMsg?: string;
  fbtraceId?: string;
  isTransient?: boolean;
  /** Position in the request's `data` of the event the error names (`$['data'][N]`, `error_data.event_index`). */
  eventIndex?: number;
}

/** Why a destination is paused (every cause keeps the events; a probe batch ends the pause). */
export type PauseCause = 'auth' | 'permission' | 'config' | 'unrecognised';

export type Classification =
  | { kind: 'ok' }
  | { kind: 'retry'; retryAfterMs?: number; error: GraphErrorInfo }
  | { kind: 'throttled'; retryAfterMs?: number; error: GraphErrorInfo }
  | { kind: 'pause'; cause: PauseCause; error: GraphErrorInfo }
  /** Meta refused the batch because of one or more of its events; `error.eventIndex` names one when Meta did. */
  | { kind: 'reject'; error: GraphErrorInfo }
  /** The body was too large (413): split it, nothing is wrong with the events. */
  | { kind: 'split'; error: GraphErrorInfo };

export type ClassificationKind = Classification['kind'];

/** What the Graph client observed; `status` 0 = network error or timeout. */
export interface GraphOutcome {
  status: number;
  body: unknown;
  retryAfterMs?: number;
  networkError?: string;
}

/** "Slow down": 4 app, 17 user, 32 page, 613 call rate, 80000–80014 business-use-case limits. */
const THROTTLE_CODES = new Set([4, 17, 32, 613]);
const isBucThrottle = (code: number): boolean => code >= 80000 && code <= 80014;
/** Temporary: unknown/service errors, app limit, temporary policy block, 5000 (RudderStack retries it). */
const TRANSIENT_CODES = new Set([1, 2, 341, 368, 5000]);
/** Token missing, invalid, expired or revoked. */
const AUTH_CODES = new Set([102, 104, 190]);
/** Session subcodes of code 190 (also seen under other codes). */
const AUTH_SUBCODES = new Set([458, 459, 460, 463, 464, 467, 492]);
/** Wrong version, path or object: nothing to do with any event, and no retry will change it. */
const CONFIG_CODES = new Set([803, 2500, 2635]);
/**
 * Code-100 subcodes Meta's CAPI answers for a problem in an event (click id format, timestamp too old, lead
 * id, limited data use, insufficient customer information, and those RudderStack aborts on). Any other
 * code-100 answer is per-event only when it names the event (`$['data'][N]`).
 */
export const EVENT_SUBCODES: ReadonlySet<number> = new Set([2804001, 2804003, 2804007, 2804016, 2804017, 2804019, 2804030, 2804036, 2804048, 2804050]);

/** `$['data'][N]` (Meta's param path) in a message. */
const DATA_PATH = /\$\[['"]data['"]\]\[(\d{1,4})\]/;

function indexIn(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const m = DATA_PATH.exec(text);
  return m ? Number(m[1]) : undefined;
}

/** `error_data` is an object or a JSON string; the legacy offline API put `event_index` there. */
function indexInErrorData(v: unknown): number | undefined {
  let data = v;
  if (typeof data === 'string') {
    if (data.length > 10_000) return undefined;
    try {
      data = JSON.parse(data);
    } catch {
      return undefined;
    }
  }
  if (typeof data !== 'object' || data === null) return undefined;
  const idx = (data as { event_index?: unknown }).event_index;
  return typeof idx === 'number' && Number.isInteger(idx) && idx >= 0 ? idx : undefined;
}

export function parseGraphError(status: number, body: unknown): GraphErrorInfo {
  const info: GraphErrorInfo = { httpStatus: status };
  const err = typeof body === 'object' && body !== null ? (body as { error?: unknown }).error : undefined;
  if (typeof err !== 'object' || err === null) return info;
  const e = err as Record<string, unknown>;
  if (typeof e.code === 'number') info.code = e.code;
  if (typeof e.error_subcode === 'number') info.errorSubcode = e.error_subcode;
  if (typeof e.type === 'string') info.type = e.type;
  if (typeof e.message === 'string') info.message = e.message.slice(0, 1000);
  if (typeof e.error_user_title === 'string') info.errorUserTitle = e.error_user_title.slice(0, 500);
  if (typeof e.error_user_msg === 'string') info.errorUserMsg = e.error_user_msg.slice(0, 2000);
  if (typeof e.fbtrace_id === 'string') info.fbtraceId = e.fbtrace_id.slice(0, 100);
  if (typeof e.is_transient === 'boolean') info.isTransient = e.is_transient;
  const index = indexInErrorData(e.error_data) ?? indexIn(info.message) ?? indexIn(info.errorUserMsg) ?? indexIn(info.errorUserTitle);
  if (index !== undefined) info.eventIndex = index;
  return info;
}

/** Whether the body is Graph's error envelope (a proxy's HTML page or an empty body is not). */
function isGraphEnvelope(body: unknown): boolean {
  const err = typeof body === 'object' && body !== null ? (body as { error?: unknown }).error : undefined;
  return typeof err === 'object' && err !== null;
}

/**
 * Pure: an HTTP outcome → what delivery does with the batch. Classified on Graph's `code`/`error_subcode`
 * (the HTTP status does not identify the class; messages are localised). Only an answer that names an
 * event problem is per-event; every other refusal keeps all events (docs/reliability.md has the table).
 * - throttled: 429, codes 4/17/32/613/80000–80014 → the destination waits (Retry-After when given);
 * - retry: network errors, timeouts, 5xx, 408, codes 1/2/341/368/5000, `is_transient: true`;
 * - pause: token (102/104/190, session subcodes), permission (3, 10, 200–299), config (100/33 object
 *   missing or not accessible, 803, 2500, 2635), any other code, and a non-Graph 4xx body (a proxy);
 * - reject: code 100 with a CAPI event subcode, or any code-100 answer naming `$['data'][N]` → isolate;
 *   any other code-100 answer is a pause here, which the dispatcher first tests on parts of the batch
 *   (an accepted part shows it was about events: see Dispatcher #splitTest);
 * - split: 413 → the batch is halved and resent.
 */
export function classify(outcome: GraphOutcome): Classification {
  const { status, body } = outcome;
  if (status >= 200 && status < 300) return { kind: 'ok' };
  const error = parseGraphError(status, body);
  if (status === 0) return withRetryAfter('retry', outcome, { ...error, message: outcome.networkError ?? 'network error' });
  if (status === 413) return { kind: 'split', error };
  const code = error.code;
  if (status === 429 || (code !== undefined && (THROTTLE_CODES.has(code) || isBucThrottle(code)))) return withRetryAfter('throttled', outcome, error);
  if (status >= 500 || status === 408 || (code !== undefined && TRANSIENT_CODES.has(code)) || error.isTransient === true) {
    return withRetryAfter('retry', outcome, error);
  }
  if (!isGraphEnvelope(body) || code === undefined) {
    // Not Graph speaking (a proxy, a wrong FB_GRAPH_URL): 401/403 are about access, the rest about the URL.
    return { kind: 'pause', cause: status === 401 || status === 403 || status === 407 ? 'auth' : 'config', error };
  }
  if (AUTH_CODES.has(code) || (error.errorSubcode !== undefined && AUTH_SUBCODES.has(error.errorSubcode))) return { kind: 'pause', cause: 'auth', error };
  if (code === 3 || code === 10 || (code >= 200 && code <= 299)) return { kind: 'pause', cause: 'permission', error };
  if (CONFIG_CODES.has(code)) return { kind: 'pause', cause: 'config', error };
  if (code === 100) {
    if (error.errorSubcode === 33) return { kind: 'pause', cause: 'config', error };
    if (error.eventIndex !== undefined || (error.errorSubcode !== undefined && EVENT_SUBCODES.has(error.errorSubcode))) return { kind: 'reject', error };
    return { kind: 'pause', cause: 'unrecognised', error };
  }
  return { kind: 'pause', cause: 'unrecognised', error };
}

function withRetryAfter(kind: 'retry' | 'throttled', outcome: GraphOutcome, error: GraphErrorInfo): Classification {
  return outcome.retryAfterMs === undefined ? { kind, error } : { kind, error, retryAfterMs: outcome.retryAfterMs };
}
