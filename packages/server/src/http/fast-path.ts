import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Express, Request, Response } from 'express';

/** A route handler called without Express's router; `req`/`res` already have Express's prototypes. */
export type FastRoute = (req: Request, res: Response) => void;

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
