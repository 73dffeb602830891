import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Express, Request, Response } from 'express';
import { sendError } from './errors.js';
import { applyFlatHeaders, securityHeaderList, sendJsonText } from './security-headers.js';

/** A route handler called without Express's router; `req`/`res` already have Express's prototypes. */
export type FastRoute = (req: Request, res: Response) => void;

/** The app's error handler, called directly by the fast routes. */
export type OnError = (err: unknown, req: Request, res: Response) => void;

/** An ingest route's result: its JSON reply, or the outbox's refusal (see refusalStatus). */
export type IngestOutcome = { ok: true; status: number; body: string } | { ok: false; code: string; message: string };

/** HTTP status of an outbox refusal: the caller's own bad event is 400, the rest are worth a retry (503). */
export function refusalStatus(code: string): number {
  return code === 'invalid_event' ? 400 : 503;
}

/** Router answer for an outcome. */
export function sendOutcome(res: Response, o: IngestOutcome): void {
  if (!o.ok) sendError(res, refusalStatus(o.code), o.code, o.message);
  else sendJsonText(res, o.status, o.body);
}

/**
 * Fast-path answer for an outcome, the same bytes as `sendOutcome` after the router's middlewares.
 * `headers` is this request's own flat list: the success path appends to it and writes it with one writeHead.
 */
export function sendOutcomeFast(res: Response, headers: string[], o: IngestOutcome): void {
  if (!o.ok) {
    applyFlatHeaders(res, headers);
    sendError(res, refusalStatus(o.code), o.code, o.message);
    return;
  }
  headers.push('Content-Type', 'application/json; charset=utf-8', 'Content-Length', String(Buffer.byteLength(o.body)));
  res.writeHead(o.status, headers);
  res.end(o.body);
}

/**
 * Fast-path failure (origin, rate limit, API key, body too large, content type, bad JSON or batch,
 * shutdown…): the headers collected so far are set as the router's middlewares would have, helmet's
 * removed headers removed, and the app's error handler answers, as it does for the router.
 */
export function failFast(onError: OnError, req: Request, res: Response, headers: readonly string[], err: unknown): void {
  applyFlatHeaders(res, headers);
  for (const r of securityHeaderList().removed) res.removeHeader(r);
  onError(err, req, res);
}

/**
 * The server's request listener: `POST /collect` and `POST /v1/events` (exact path, no query string) go
 * straight to their route's fast handler; everything else — other methods (CORS preflight), other paths,
 * `/collect/`, query strings — goes to the Express app. The fast handlers run the same checks in the same
 * order and answer with the same statuses, headers and JSON errors (via the app's error handler); what
 * they skip is the router's layer matching and the middleware-chain bookkeeping, per request.
 */
export function createRequestListener(app: Express, routes: ReadonlyMap<string, FastRoute>): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const route = req.method === 'POST' ? routes.get(req.url ?? '') : undefined;
    if (route === undefined) {
      app(req, res);
      return;
    }
    // What app.handle does before routing: Express's req/res prototypes (req.ip, req.hostname, req.secure
    // honour `trust proxy`; res.status().json() for errors), the circular references, locals.
    const r = req as Request;
    const s = res as Response;
    r.res = s;
    s.req = r;
    Object.setPrototypeOf(r, app.request);
    Object.setPrototypeOf(s, app.response);
    if (!s.locals) s.locals = Object.create(null) as Response['locals'];
    r.originalUrl = r.url;
    r.baseUrl = '';
    route(r, s);
  };
}
