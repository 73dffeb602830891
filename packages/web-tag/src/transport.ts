import type { Win } from './types.js';

export const RETRIES = 2;

/**
 * POSTs `body` to `url`: `navigator.sendBeacon` with the string body (sent as `text/plain;charset=UTF-8`,
 * CORS-safelisted, so no preflight; survives `pagehide`), else `fetch` with `keepalive` (same content type)
 * and up to RETRIES retries (1 s, 2 s backoff) on network errors (a browser without fetch counts as one),
 * 429 and 5xx; other answers are final. `done()` is called once, when the request has left or failed for good.
 */
export function send(w: Win, url: string, body: string, done: () => void): void {
  try {
    if (w.navigator.sendBeacon(url, body)) return done();
  } catch {
    // sendBeacon missing or throwing: fall back to fetch
  }
  const attempt = (left: number) => {
    const retry = () => (left ? setTimeout(attempt, 1000 * (RETRIES + 1 - left), left - 1) : done());
    // The async body runs synchronously (the request leaves now); a missing or throwing fetch becomes a rejection.
    (async () => w.fetch(url, { method: 'POST', body, keepalive: true }))().then(
      (r) => (r.status > 499 || r.status == 429 ? retry() : done()),
      retry,
    );
  };
  attempt(RETRIES);
}
