import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * helmet's default headers, computed once: helmet() runs ~12 middlewares per request (each a closure call
 * and a setHeader), and its defaults do not depend on the request. Here they are captured by running
 * helmet once against a recording response, then set per request with one loop.
 */
let computed: { headers: ReadonlyArray<readonly [string, string]>; removed: readonly string[] } | undefined;

/** helmet's default headers (name, value) and the headers it removes, computed once per process. */
export function securityHeaderList(): { headers: ReadonlyArray<readonly [string, string]>; removed: readonly string[] } {
  if (computed) return computed;
  const headers: Array<[string, string]> = [];
  const removed: string[] = [];
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers.push([name, Array.isArray(value) ? value.join(', ') : String(value)]);
    },
    removeHeader(name: string) {
      removed.push(name);
    },
  };
  let done = false;
  helmet()({} as never, recorder as never, (err?: unknown) => {
    if (err) throw err as Error;
    done = true;
  });
  if (!done || headers.length === 0) throw new Error('helmet did not produce its headers synchronously');
  computed = { headers, removed };
  return computed;
}

/**
 * Flat `[name, value, name, value, …]` list for `res.writeHead(status, list)`: helmet's headers with
 * `overrides` replacing same-named ones (case-insensitive) and appended. One writeHead with a flat list
 * skips the per-header setHeader bookkeeping (validation, lower-casing, a map entry each).
 */
export function flatHeaders(overrides: ReadonlyArray<readonly [string, string]> = []): string[] {
  const over = new Set(overrides.map(([k]) => k.toLowerCase()));
  const out: string[] = [];
  for (const [k, v] of securityHeaderList().headers) if (!over.has(k.toLowerCase())) out.push(k, v);
  for (const [k, v] of overrides) out.push(k, v);
  return out;
}

export function securityHeaders(): RequestHandler {
  const { headers, removed } = securityHeaderList();
  return (_req, res, next) => {
    for (let i = 0; i < headers.length; i++) res.setHeader(headers[i]![0], headers[i]![1]);
    for (const r of removed) res.removeHeader(r);
    next();
  };
}
