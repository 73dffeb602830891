import type { Request, RequestHandler, Response, Router } from 'express';
import express from 'express';
import { jsonBody } from '../body.js';
import { firstPartyCookieDomain, fbCookie, isCookieSafeFbValue } from '../cookies.js';
import { isOriginAllowed, originHost } from '../cors.js';
import type { AppDeps } from '../deps.js';
import { HttpError, sendError } from '../errors.js';
import { eventsFromBody } from '../events-input.js';
import { commit, prepare } from '../ingest.js';
import { RateLimiter } from '../rate-limit.js';
import { sendJson } from '../security-headers.js';
import { stripServerOnlyFields } from '../strip.js';

const PREFLIGHT_MAX_AGE = '600';

function clientIp(req: Request): string | undefined {
  const ip = req.ip;
  if (ip === undefined || ip === '') return undefined;
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
}

/**
 * POST /collect — the web tag's endpoint. CORS allow-list (same-origin always allowed), per-IP token
 * bucket, JSON or text/plain (sendBeacon), server-only fields stripped, IP/UA from the request,
 * 202 once durably queued, first-party `_fbp`/`_fbc` refresh when the page is on the server's site.
 */
export function collectRouter(deps: AppDeps): Router {
  const { config } = deps;
  const router = express.Router();
  const limiter = new RateLimiter(config.rateLimit, deps.now);

  const originCheck: RequestHandler = (req, res, next) => {
    const origin = req.headers.origin;
    res.setHeader('Vary', 'Origin');
    res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    if (origin === undefined) {
      next(new HttpError(403, 'origin_refused', 'Origin header missing: /collect serves browsers (servers use /v1/events with an API key)', 'origin'));
      return;
    }
    const host = req.headers.host;
    const sameOrigin = host !== undefined && (origin === `http://${host}` || origin === `https://${host}`);
    if (!sameOrigin && !isOriginAllowed(origin, config.allowedOrigins)) {
      next(new HttpError(403, 'origin_refused', `origin ${JSON.stringify(origin.slice(0, 200))} is not in ALLOWED_ORIGINS`, 'origin'));
      return;
    }
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Access-Control-Allow-Credentials', 'true');
    next();
  };

  router.options('/collect', originCheck, (_req, res) => {
    res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
    res.setHeader('Access-Control-Allow-Headers', 'Content-Type');
    res.setHeader('Access-Control-Max-Age', PREFLIGHT_MAX_AGE);
    res.status(204).end();
  });

  const rateLimit: RequestHandler = (req, _res, next) => {
    if (!limiter.take(clientIp(req) ?? 'unknown')) {
      next(new HttpError(429, 'rate_limited', `more than ${config.rateLimit.perSecond} requests/s (burst ${config.rateLimit.burst}) from this address`));
      return;
    }
    next();
  };

  router.post('/collect', originCheck, rateLimit, ...jsonBody({ limit: config.limits.collectBodyBytes, types: ['application/json', 'text/plain'] }),
    async (req: Request, res: Response) => {
      if (deps.isShuttingDown()) throw new HttpError(503, 'shutting_down', 'server is shutting down; retry');
      const inputs = eventsFromBody(req.body, config.limits.collectMaxBatch);
      for (const e of inputs) if (typeof e === 'object' && e !== null && !Array.isArray(e)) stripServerOnlyFields(e as Record<string, unknown>);
      const ua = req.headers['user-agent'];
      const ip = clientIp(req);
      const p = prepare(deps, inputs, 'browser', { ...(ip !== undefined ? { ip } : {}), ...(ua !== undefined ? { userAgent: ua.slice(0, 1000) } : {}) });
      const r = await commit(deps, p);
      if (!r.ok) {
        sendError(res, 503, r.reason, `events not accepted: ${r.detail}; retry later`);
        return;
      }
      refreshCookies(req, res, deps, p.firstEvents.find((e) => e !== undefined)?.user_data);
      const accepted = p.results.some((x) => x.status === 'accepted');
      sendJson(res, accepted ? 202 : 200, { results: p.results });
    });

  return router;
}

function refreshCookies(req: Request, res: Response, deps: AppDeps, ud: { fbp?: string; fbc?: string } | undefined): void {
  if (!ud) return;
  const oh = originHost(req.headers.origin ?? '');
  if (oh === undefined) return;
  const domain = firstPartyCookieDomain(oh, req.hostname, deps.config.cookieDomain);
  if (domain === null) return;
  const cookies: string[] = [];
  if (isCookieSafeFbValue(ud.fbp)) cookies.push(fbCookie('_fbp', ud.fbp, domain, req.secure));
  if (isCookieSafeFbValue(ud.fbc)) cookies.push(fbCookie('_fbc', ud.fbc, domain, req.secure));
  if (cookies.length) res.setHeader('Set-Cookie', cookies);
}
