import { maxEventAgeS } from '../meta/rules.js';
import type { ActionSource, DropReason } from './types.js';
import { describe, own, type Obj } from './util.js';

/**
 * Tolerated clock skew into the future. Meta documents no future limit (fact sheet A3: UNVERIFIED);
 * 5 minutes absorbs normal client clock drift while catching ms/s mix-ups and bogus dates.
 */
export const MAX_FUTURE_SKEW_S = 5 * 60;

/** Anything ≥ this is read as milliseconds (1e11 s is year 5138; 1e11 ms is 1973). */
const MS_THRESHOLD = 1e11;
const ISO_RE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;
const NUMERIC_RE = /^\d+(?:\.\d+)?$/;

export type EventTimeResult = { ok: true; seconds: number } | { ok: false; reason: DropReason; detail: string };

/** Parses ms, s (number or numeric string) or ISO 8601 to integer Unix seconds; undefined if unusable. */
export function parseTimestamp(v: unknown): number | undefined {
  let n: number;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string') {
    const s = v.trim();
    if (NUMERIC_RE.test(s)) n = Number(s);
    else {
      const iso = ISO_RE.exec(s);
      if (iso === null) return undefined;
      // Meta: event_time is GMT. A date-time without an offset is read as UTC, never as the host's local
      // time (Date.parse would use the process TZ for it).
      const t = s.includes(' ') ? s.replace(' ', 'T') : s;
      const ms = Date.parse(iso[1] === undefined && t.length > 10 ? `${t}Z` : t);
      if (!Number.isFinite(ms)) return undefined;
      return Math.floor(ms / 1000);
    }
  } else return undefined;
  if (!Number.isFinite(n) || n <= 0) return undefined;
  return Math.floor(n >= MS_THRESHOLD ? n / 1000 : n);
}

/** undefined = absent, a string = why it is unusable, else Unix seconds. */
function readTime(raw: unknown, field: string): number | string | undefined {
  if (raw === undefined || raw === null) return undefined;
  return parseTimestamp(raw) ?? `${field}: not a timestamp (${describe(raw)})`;
}

/** event_time from context.event_timestamp / event_timestamp / timestamp; default now. `context` = input.context. */
export function resolveEventTime(input: Obj, context: unknown, nowMs: number): EventTimeResult {
  const s = readTime(own(context, 'event_timestamp'), 'context.event_timestamp') ?? readTime(own(input, 'event_timestamp'), 'event_timestamp')
    ?? readTime(own(input, 'timestamp'), 'timestamp');
  if (s === undefined) return { ok: true, seconds: Math.floor(nowMs / 1000) };
  if (typeof s === 'string') return { ok: false, reason: 'invalid_event_time', detail: s };
  return { ok: true, seconds: s };
}

/**
 * The window check, separate so the sender can re-run it right before delivery: one stale event must
 * never make Meta reject a whole batch ("we return an error for the entire request").
 */
export function eventTimeViolation(
  eventTime: number,
  actionSource: ActionSource,
  nowMs: number,
): { reason: 'too_old' | 'in_future'; detail: string } | undefined {
  const now = Math.floor(nowMs / 1000);
  const maxAge = maxEventAgeS(actionSource);
  if (now - eventTime > maxAge) {
    return { reason: 'too_old', detail: `event_time: ${eventTime} is more than ${maxAge / 86400} days old` };
  }
  if (eventTime - now > MAX_FUTURE_SKEW_S) {
    return { reason: 'in_future', detail: `event_time: ${eventTime} is more than ${MAX_FUTURE_SKEW_S} s in the future` };
  }
  return undefined;
}
