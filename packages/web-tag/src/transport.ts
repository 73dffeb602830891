import type { Win } from './types.js';

export const RETRIES = 2;

/**
 * POSTs `body` to `url`: `navigator.sendBeacon` with the string body (sent as `text/plain;charset=UTF-8`,
 * CORS-safelisted, so no preflight; survives `pagehide`), else `fetch` with `keepalive` (same content type)
 * and up to RETRIES retries (1 s, 2 s backoff) on network errors (a browser without fetch counts as one),
 * 429 and 5xx; other answers are final. `done(answer)` is called once, when the request has left or failed for
 * good: with the last fetch Response or error, nothing after a beacon. `read` skips the beacon (whose answer
 * no page can read) so that `done` gets the server's reply.
 */
export function send(w: Win, url: string, body: string, done: (answer?: unknown) => void, read?: unknown): void {
  try {
    if (!read && w.navigator.sendBeacon(url, body)) return done();
  } catch {
    // sendBeacon missing or throwing: fall back to fetch
  }
  // Attempt n (1, 2, 3) waits n seconds before the next.
  const attempt = (n: number) => {
    const retry = (x: unknown) => (n > RETRIES ? done(x) : setTimeout(attempt, 1000 * n, n + 1));
    // The async body runs synchronously (the request leaves now); a missing or throwing fetch becomes a rejection.
    (async () => w.fetch(url, { method: 'POST', body, keepalive: true }))().then(
      (r) => (r.status > 499 || r.status == 429 ? retry(r) : done(r)),
      retry,
    );
  };
  attempt(1);
}
