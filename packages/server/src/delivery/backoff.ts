export interface BackoffParams {
  /** Attempts already made (0 before the first retry). */
  attempt: number;
  /** First delay. */
  baseMs: number;
  /** Longest delay, also the cap on an honoured Retry-After. */
  maxMs: number;
  /** Server-requested delay (Retry-After); wins over the computed one, capped at maxMs. */
  retryAfterMs?: number;
  /** ±fraction of random spread (default 0.2). */
  jitter?: number;
  random?: () => number;
}

/** Exponential backoff (base·2^attempt) with ±jitter, capped; Retry-After honoured. Pure given `random`. */
export function backoffMs(p: BackoffParams): number {
  const random = p.random ?? Math.random;
  if (p.retryAfterMs !== undefined && p.retryAfterMs >= 0) return Math.min(p.retryAfterMs, p.maxMs);
  const exp = Math.min(p.maxMs, p.baseMs * 2 ** Math.min(p.attempt, 40));
  const jitter = p.jitter ?? 0.2;
  const spread = exp * jitter * (random() * 2 - 1);
  return Math.max(0, Math.min(p.maxMs, Math.round(exp + spread)));
}

/** `Retry-After: <seconds>` or `<HTTP date>` → ms from now; undefined when absent or unparsable. */
export function parseRetryAfter(header: string | null | undefined, now: number): number | undefined {
  if (header === null || header === undefined) return undefined;
  const h = header.trim();
  if (/^\d+(\.\d+)?$/.test(h)) return Math.round(Number(h) * 1000);
  const t = Date.parse(h);
  if (Number.isNaN(t)) return undefined;
  return Math.max(0, t - now);
}
