import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ErrorRequestHandler, Express, Request } from 'express';
import express from 'express';
import type { EventSource } from '../mapping/types.js';
import type { HttpDropReason } from '../metrics.js';
import type { AppDeps } from './deps.js';
import { HttpError, sendError } from './errors.js';
import { createRequestListener, type FastRoute } from './fast-path.js';
import { createCollect } from './routes/collect.js';
import { csvRouter } from './routes/csv.js';
import { createEvents } from './routes/events.js';
import { opsRouter } from './routes/ops.js';
import { sentRouter } from './routes/sent.js';
import { statusRouter } from './routes/status.js';
import { securityHeaders } from './security-headers.js';

const SOURCE_BY_PATH: Record<string, EventSource> = { '/collect': 'browser', '/v1/events': 'api', '/v1/events/csv': 'csv' };
const COUNTED: ReadonlySet<string> = new Set<HttpDropReason>([
  'invalid_json', 'invalid_utf8', 'invalid_body', 'body_too_large', 'batch_too_large', 'unsupported_media_type',
  'origin_refused', 'rate_limited', 'shutting_down', 'invalid_csv',
]);

/**
 * The Express app (every route, helmet, JSON errors; no listening, no IO of its own) plus the server's
 * request listener, which sends `POST /collect` and `POST /v1/events` to their
 * fast handlers (see fast-path.ts) and everything else to the app.
 */
export function createHttpHandler(deps: AppDeps): { app: Express; listener: (req: IncomingMessage, res: ServerResponse) => void } {
  const app = express();
  const onError = errorHandler(deps);
  const handleError = (err: unknown, req: Request, res: import('express').Response)=> { onError(err, req, res, () => undefined); };
  const collect = createCollect(deps, handleError);
  const events = createEvents(deps, handleError);
  app.set('trust proxy', deps.config.trustProxy);
  app.set('etag', false);
  app.disable('x-powered-by');
  app.use(securityHeaders());
  app.use(collect.router);
  app.use(events.router);
  app.use(csvRouter(deps));
  app.use(sentRouter(deps));
  app.use(opsRouter(deps));
  app.use(statusRouter(deps));
  app.use((req, res) => sendError(res, 404, 'not_found', `no route ${req.method} ${req.path.slice(0, 200)}`));
  app.use(onError);
  const fast = new Map<string, FastRoute>([['/collect', collect.fast], ['/v1/events', events.fast]]);
  return { app, listener: createRequestListener(app, fast) };
}

function count(deps: AppDeps, req: Request, code: string): void {
  const source = SOURCE_BY_PATH[req.path];
  if (source && COUNTED.has(code)) deps.metrics.dropped.inc({ reason: code, source });
  if (code === 'unauthorized' || (source && COUNTED.has(code))) logRefusal(deps, req, code);
}

/** A refused request in the server log (rate-limited per code): what was refused and what to change. */
function logRefusal(deps: AppDeps, req: Request, code: string): void {
  const dropLog = deps.dropLog;
  if (dropLog === undefined) return;
  const path = req.path.slice(0, 100);
  switch (code) {
    case 'origin_refused': {
      const origin = req.headers.origin;
      dropLog.note(`http:${code}`, 'request refused: Origin not allowed', () => ({
        path, origin: origin === undefined ? '(none)' : origin.slice(0, 200),
        hint: origin === undefined
          ? '/collect serves browsers (an Origin header); servers use /v1/events with an API key'
          : `add ${JSON.stringify(origin.slice(0, 200))} to ALLOWED_ORIGINS (comma-separated list, or https://*.domain for subdomains)`,
      }));
      return;
    }
    case 'unauthorized': {
      const h = req.headers.authorization;
      dropLog.note(`http:${code}`, 'request refused: API key missing or not recognised', () => ({
        path, api_key: h === undefined ? 'missing' : /^Bearer\s+\S+\s*$/i.test(h) ? 'not recognised' : 'not sent as "Bearer <key>"',
        hint: deps.config.apiKeys.length === 0 ? 'API_KEYS is not set: every key is refused' : 'send Authorization: Bearer <one of API_KEYS>',
      }));
      return;
    }
    default:
      dropLog.note(`http:${code}`, 'request refused', () => ({ path, code }));
  }
}

/** Every failure → `{error:{code,message,field?}}`; never a stack trace, never a secret. */
function errorHandler(deps: AppDeps): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (err instanceof HttpError) {
      count(deps, req, err.code);
      sendError(res, err.status, err.code, err.message, err.field);
      return;
    }
    const e = err as { type?: string; status?: number; statusCode?: number; message?: string; limit?: number };
    switch (e.type) {
      case 'entity.too.large':
        count(deps, req, 'body_too_large');
        sendError(res, 413, 'body_too_large', `request body exceeds ${e.limit ?? 'the'} bytes limit`);
        return;
      case 'entity.parse.failed':
        count(deps, req, 'invalid_json');
        sendError(res, 400, 'invalid_json', 'request body is not valid JSON');
        return;
      case 'encoding.unsupported':
      case 'charset.unsupported':
        count(deps, req, 'unsupported_media_type');
        sendError(res, 415, 'unsupported_media_type', e.message ?? 'unsupported encoding');
        return;
      case 'request.aborted':
      case 'request.size.invalid':
        sendError(res, 400, 'request_aborted', 'request body ended early');
        return;
      default:
        break;
    }
    const status = e.status ?? e.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      sendError(res, status, 'bad_request', (e.message ?? 'bad request').slice(0, 200));
      return;
    }
    deps.logger.error({ err: e.message, path: req.path }, 'unhandled error');
    sendError(res, 500, 'internal_error', 'internal error');
  };
}
