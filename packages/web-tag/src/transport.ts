import type { Win } from './types.js';

/** Keepalive bodies are capped at 64 KiB in flight; stay under with margin (Sentry uses 60 000). */
export const MAX_BODY = 60000;
export const RETRIES = 2;

/**
 * POSTs `body` to `url`: `navigator.sendBeacon` with a `text/plain` Blob (CORS-safelisted, so no
 * preflight; survives `pagehide`), else `fetch` with `keepalive` and up to RETRIES retries (1 s, 2 s
 * backoff) on network errors (a browser without fetch counts as one), 429 and 5xx. Bodies over MAX_BODY skip the beacon and keepalive (both
 * would refuse them) and go by plain fetch. `done(ok)` is called once.
 * fetch uses `credentials: 'include'` so a companion server on a sibling subdomain (same site, other
 * origin) can set its first-party `_fbp`/`_fbc` cookies, as it can with sendBeacon; the server then
 * answers with `Access-Control-Allow-Credentials: true` and the exact origin.
 */
export function send(w: Win, url: string, body: string, done: (ok: boolean) => void, delay = 1000): void {
  const small = body.length <= MAX_BODY;
  try {
    if (small && w.navigator.sendBeacon(url, new Blob([body], { type: 'text/plain' }))) return done(true);
  } catch {
    // sendBeacon missing or throwing: fall back to fetch
  }
  const attempt = (left: number) => {
    const retry = () => (left ? setTimeout(attempt, delay * (RETRIES + 1 - left), left - 1) : done(false));
    // The executor runs synchronously (the request leaves now); a missing or throwing fetch becomes a rejection.
    new Promise<Response>((resolve) =>
      resolve(
        w.fetch(url, {
          method: 'POST',
          body,
          keepalive: small,
          mode: 'cors',
          credentials: 'include',
          headers: { 'Content-Type': 'text/plain' },
        }),
      ),
    ).then((r) => (r.status > 499 || r.status == 429 ? retry() : done(r.ok)), retry);
  };
  attempt(RETRIES);
}
