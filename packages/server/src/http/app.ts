import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ErrorRequestHandler, Express } from 'express';
import express from 'express';
import type { AppDeps } from './deps.js';
import { createErrorReply } from './error-reply.js';
import { sendError } from './errors.js';
import { createCollect } from './routes/collect.js';
import { csvRouter } from './routes/csv.js';
import { createEvents } from './routes/events.js';
import { opsRouter } from './routes/ops.js';
import { sentRouter } from './routes/sent.js';
import { statusRouter } from './routes/status.js';
import { securityHeaders } from './security-headers.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * The Express app (every route, helmet, JSON errors; no listening, no IO of its own) plus the server's
 * request listener. `POST /collect` and `POST /v1/events` (exact path, no query string) skip Express:
 * the listener calls their handler directly (Express's router and middleware chain cost about a quarter
 * of a single-event request; see docs/architecture.md). Express mounts the same handlers for every
 * other form of those requests (`/collect/`, query strings), and serves everything else.
 */
export function createHttpHandler(deps: AppDeps): { app: Express; listener: Handler } {
  const collect = createCollect(deps);
  const events = createEvents(deps);
  const app = express();
  app.set('etag', false);
  app.disable('x-powered-by');
  app.use(securityHeaders());
  app.options('/collect', collect.preflight);
  app.post('/collect', collect.post);
  app.post('/v1/events', events.post);
  app.post('/v1/preview', events.preview);
  app.use(csvRouter(deps));
  app.use(sentRouter(deps));
  app.use(opsRouter(deps));
  app.use(statusRouter(deps));
  app.use((req, res) => sendError(res, 404, 'not_found', `no route ${req.method} ${req.path.slice(0, 200)}`));
  app.use(errorHandler(deps));
  const direct = new Map<string, Handler>([['/collect', collect.post], ['/v1/events', events.post]]);
  const listener: Handler = (req, res) => {
    const handler = req.method === 'POST' ? direct.get(req.url ?? '') : undefined;
    if (handler !== undefined) handler(req, res);
    else app(req, res);
  };
  return { app, listener };
}

/** Errors of the Express routes (the ingest handlers answer their own): the same answers and counters. */
function errorHandler(deps: AppDeps): ErrorRequestHandler {
  const reply = createErrorReply(deps);
  return (err: unknown, req, res, _next) => {
    reply(req, res, [], err, req.path, req.path === '/v1/events/csv' ? 'csv' : undefined);
  };
}
