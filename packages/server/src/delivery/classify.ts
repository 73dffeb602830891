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
}

export type Classification =
  | { kind: 'ok' }
  | { kind: 'retry'; retryAfterMs?: number; error: GraphErrorInfo }
  | { kind: 'throttled'; retryAfterMs?: number; error: GraphErrorInfo }
  | { kind: 'auth'; error: GraphErrorInfo }
  | { kind: 'reject'; error: GraphErrorInfo };

/** What the Graph client observed; `status` 0 = network error or timeout. */
export interface GraphOutcome {
  status: number;
  body: unknown;
  retryAfterMs?: number;
  networkError?: string;
}

/** Graph codes meaning "slow down" (Rudder's table + Graph docs: 4 app, 17 user, 32 page, 613 call rate, 80003+ CAPI/ads). */
const THROTTLE_CODES = new Set([4, 17, 32, 613, 80000, 80001, 80003, 80004, 80014]);
/** Transient: unknown/service errors, app limit, temporary policy block, 5000 (Rudder). */
const TRANSIENT_CODES = new Set([1, 2, 341, 368, 5000]);
/** Token invalid/expired/revoked; session subcodes 458–467. */
const AUTH_CODES = new Set([102, 190, 463, 467]);
const AUTH_SUBCODES = new Set([458, 459, 460, 463, 464, 467]);

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
  return info;
}

/**
 * Pure: an HTTP outcome → what delivery does with the batch.
 * - throttled: 429, codes 4/17/32/613/8000x → wait (Retry-After when given), keep the events;
 * - retry: network errors, timeouts, 5xx, 408, codes 1/2/341/368/5000, or `is_transient: true`;
 * - auth: 401, code 190/102/463/467 (+ session subcodes), permission codes 10 and 200–299, and code 100
 *   subcode 33 (pixel missing or not accessible) → pause the destination, keep its events;
 * - reject: any other 4xx (e.g. code 100 with a 2804xxx subcode) → the batch is invalid; bisect.
 */
export function classify(outcome: GraphOutcome): Classification {
  const { status, body } = outcome;
  if (status >= 200 && status < 300) return { kind: 'ok' };
  const error = parseGraphError(status, body);
  if (status === 0) return withRetryAfter('retry', outcome, { ...error, message: outcome.networkError ?? 'network error' });
  const code = error.code;
  if (status === 429 || (code !== undefined && THROTTLE_CODES.has(code))) return withRetryAfter('throttled', outcome, error);
  if (code !== undefined && (AUTH_CODES.has(code) || code === 10 || (code >= 200 && code <= 299))) return { kind: 'auth', error };
  if (error.errorSubcode !== undefined && AUTH_SUBCODES.has(error.errorSubcode)) return { kind: 'auth', error };
  if (code === 100 && error.errorSubcode === 33) return { kind: 'auth', error };
  if (status === 401) return { kind: 'auth', error };
  if (status >= 500 || status === 408 || (code !== undefined && TRANSIENT_CODES.has(code)) || error.isTransient === true) {
    return withRetryAfter('retry', outcome, error);
  }
  if (status >= 400 && status < 500) return { kind: 'reject', error };
  // 1xx/3xx: not something Graph answers; treat as transient.
  return withRetryAfter('retry', outcome, error);
}

function withRetryAfter(kind: 'retry' | 'throttled', outcome: GraphOutcome, error: GraphErrorInfo): Classification {
  return outcome.retryAfterMs === undefined ? { kind, error } : { kind, error, retryAfterMs: outcome.retryAfterMs };
}
