import type { RequestHandler, Router } from 'express';
import express from 'express';
import { bearerKey, createKeyCheck } from '../auth.js';
import type { AppDeps } from '../deps.js';
import { HttpError } from '../errors.js';
import { renderStatusHtml } from '../../status/html.js';

/**
 * The key a request presents: `Authorization: Bearer <key>`, or Basic with the key as password (what a
 * browser sends after its login prompt; the user name is ignored).
 */
function presentedKey(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const bearer = bearerKey(header);
  if (bearer !== undefined) return bearer;
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!basic) return undefined;
  const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon >= 0 ? decoded.slice(colon + 1) : undefined;
}

/**
 * GET /status (HTML) and /status.json: per destination delivery, drops, match-key coverage. Requires one
 * of API_KEYS or STATUS_KEYS (Bearer, or Basic with the key as password so a browser can open the page).
 */
export function statusRouter(deps: AppDeps): Router {
  const router = express.Router();
  const status = deps.status;
  if (status === undefined) return router;
  const keys = [...deps.config.apiKeys, ...(deps.config.statusKeys ?? [])];
  const check = createKeyCheck(keys);
  const auth: RequestHandler = (req, res, next) => {
    if (check(presentedKey(req.headers.authorization))) {
      next();
      return;
    }
    // The HTML page gets the browser's login prompt; scripts read the JSON error.
    if (req.path === '/status') res.setHeader('WWW-Authenticate', 'Basic realm="capi-bridge status", charset="UTF-8"');
    next(new HttpError(401, 'unauthorized', keys.length === 0
      ? 'no keys are configured for /status (API_KEYS or STATUS_KEYS)'
      : 'send one of API_KEYS or STATUS_KEYS as Authorization: Bearer <key> (or Basic, the key as password)', 'authorization'));
  };
  router.get('/status.json', auth, async (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json(await status.snapshot());
  });
  router.get('/status', auth, async (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
    res.type('text/html; charset=utf-8').send(renderStatusHtml(await status.snapshot()));
  });
  return router;
}
