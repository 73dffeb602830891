import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EventSource } from '../mapping/types.js';
import type { HttpDropReason } from '../metrics.js';
import type { AppDeps } from './deps.js';
import { asHttpError, errorJson, replyJson } from './errors.js';

const COUNTED: ReadonlySet<string> = new Set<HttpDropReason>([
  'invalid_json', 'invalid_utf8', 'invalid_body', 'body_too_large', 'batch_too_large', 'unsupported_media_type',
  'origin_refused', 'rate_limited', 'shutting_down', 'invalid_csv',
]);

/**
 * Answers a failed request: `{error:{code,message,field?}}` with its status and `headers` (the request's
 * flat list), never a stack trace or a secret. A refusal of an ingest route (`source`) is counted as a
 * drop; refusals are noted in the server log (rate-limited per code); anything unexpected is a logged 500.
 */
export type ErrorReply = (req: IncomingMessage, res: ServerResponse, headers: string[], err: unknown, path: string, source?: EventSource) => void;

export function createErrorReply(deps: AppDeps): ErrorReply {
  return (req, res, headers, err, path, source) => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const e = asHttpError(err);
    if (e === undefined) {
      deps.logger.error({ err: (err as Error | undefined)?.message, path }, 'unhandled error');
      replyJson(res, 500, headers, errorJson('internal_error', 'internal error'));
      return;
    }
    const counted = source !== undefined && COUNTED.has(e.code);
    if (counted) deps.metrics.dropped.inc({ reason: e.code, source });
    if (counted || e.code === 'unauthorized') logRefusal(deps, req, path, e.code);
    replyJson(res, e.status, headers, errorJson(e.code, e.message, e.field));
  };
}

/** A refused request in the server log (rate-limited per code): what was refused and what to change. */
function logRefusal(deps: AppDeps, req: IncomingMessage, fullPath: string, code: string): void {
  const dropLog = deps.dropLog;
  if (dropLog === undefined) return;
  const path = fullPath.slice(0, 100);
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
