import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * helmet's default headers, computed once: helmet() runs ~12 middlewares per request (each a closure call
 * and a setHeader), and its defaults do not depend on the request. Here they are captured by running
 * helmet once against a recording response, then set per request with one loop.
 */
export function securityHeaders(): RequestHandler {
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
  return (_req, res, next) => {
    for (let i = 0; i < headers.length; i++) res.setHeader(headers[i]![0], headers[i]![1]);
    for (const r of removed) res.removeHeader(r);
    next();
  };
}

/** JSON answer without express's res.json/res.send machinery (charset/etag/freshness checks). */
export function sendJson(res: import('express').Response, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}
