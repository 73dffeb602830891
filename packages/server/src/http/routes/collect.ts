import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, RequestHandler, Response, Router } from 'express';
import express from 'express';
import { jsonBody } from '../body.js';
import { firstPartyCookieDomain, fbCookie, isCookieSafeFbValue } from '../cookies.js';
import { isOriginAllowed, originHost } from '../cors.js';
import type { AppDeps } from '../deps.js';
import { HttpError, shuttingDownError } from '../errors.js';
import { eventsFromBody } from '../events-input.js';
import { failFast, sendOutcome, sendOutcomeFast, type FastRoute, type IngestOutcome, type OnError } from '../fast-path.js';
import { commit, prepare } from '../ingest.js';
import { forwardedHeaderWarning, rateLimitKey } from '../client-address.js';
import { RateLimiter } from '../rate-limit.js';
import { flatHeaders } from '../security-headers.js';
import { stripServerOnlyFields } from '../strip.js';

const PREFLIGHT_MAX_AGE = '600';

function clientIp(req: Request): string | undefined {
  const ip = req.ip;
  if (ip === undefined || ip === '') return undefined;
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
}

/** Origin check: the refusal, or the allowed origin (same-origin always allowed). */
function checkOrigin(req: IncomingMessage, allowed: readonly string[]): HttpError | string {
  const origin = req.headers.origin;
  if (origin === undefined) {
    return new HttpError(403, 'origin_refused', 'Origin header missing: /collect serves browsers (servers use /v1/events with an API key)', 'origin');
  }
  const host = req.headers.host;
  const sameOrigin = host !== undefined && (origin === `http://${host}` || origin === `https://${host}`);
  if (!sameOrigin && !isOriginAllowed(origin, allowed)) {
    return new HttpError(403, 'origin_refused', `origin ${JSON.stringify(origin.slice(0, 200))} is not in ALLOWED_ORIGINS`, 'origin');
  }
  return origin;
}

type Outcome = IngestOutcome & { cookies?: string[] | undefined };

export interface Collect {
  router: Router;
  /** `POST /collect` without Express's router (same checks, same headers, same answers). */
  fast: FastRoute;
}

/**
 * POST /collect — the web tag's endpoint. CORS allow-list (same-origin always allowed), per-IP token
 * bucket, JSON or text/plain (sendBeacon), server-only fields stripped, IP/UA from the request,
 * 202 once durably queued, first-party `_fbp`/`_fbc` refresh when the page is on the server's site.
 */
export function createCollect(deps: AppDeps, onError: OnError): Collect {
  const { config } = deps;
  const router = express.Router();
  const limiter = new RateLimiter(config.rateLimit, deps.now);
  const rateLimited = (): HttpError =>
    new HttpError(429, 'rate_limited', `more than ${config.rateLimit.perSecond} events/s (burst ${config.rateLimit.burst}) from this address`);
  const warnForwarded = forwardedHeaderWarning(config.trustProxy, deps.logger);
  /** One token when the request arrives (refuses a flood before its body is read)… */
  const admit = (req: Request): boolean => {
    warnForwarded(req);
    const ip = clientIp(req);
    return limiter.take(ip === undefined ? 'unknown' : rateLimitKey(ip));
  };
  /** …and one more per further event of its batch (at most the burst, so a full batch can always pass). */
  const chargeBatch = (req: Request, events: number): boolean => {
    const extra = Math.min(events, config.rateLimit.burst) - 1;
    if (extra <= 0) return true;
    const ip = clientIp(req);
    return limiter.take(ip === undefined ? 'unknown' : rateLimitKey(ip), extra);
  };
  const body = jsonBody({ limit: config.limits.collectBodyBytes, types: ['application/json', 'text/plain'] });

  const originCheck: RequestHandler = (req, res, next) => {
    res.setHeader('Vary', 'Origin');
    res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    const o = checkOrigin(req, config.allowedOrigins);
    if (typeof o !== 'string') {
      next(o);
      return;
    }
    res.setHeader('Access-Control-Allow-Origin', o);
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
    next(admit(req) ? undefined : rateLimited());
  };

  /** The route itself, once the body is parsed (shared by the router and the fast path). */
  const run = async (req: Request): Promise<Outcome> => {
    if (deps.isShuttingDown()) throw shuttingDownError();
    const inputs = eventsFromBody(req.body, config.limits.collectMaxBatch);
    if (!chargeBatch(req, inputs.length)) throw rateLimited();
    for (const e of inputs) if (typeof e === 'object' && e !== null && !Array.isArray(e)) stripServerOnlyFields(e as Record<string, unknown>);
    const ua = req.headers['user-agent'];
    const ip = clientIp(req);
    const p = prepare(deps, inputs, 'browser', { ...(ip !== undefined ? { ip } : {}), ...(ua !== undefined ? { userAgent: ua.slice(0, 1000) } : {}) });
    const r = await commit(deps, p);
    if (!r.ok) return { ok: false, code: r.reason, message: `events not accepted: ${r.detail}${r.reason === 'invalid_event' ? '' : '; retry later'}` };
    const cookies = refreshCookies(req, deps, p.firstEvents.find((e) => e !== undefined)?.user_data);
    return { ok: true, status: p.accepted > 0 ? 202 : 200, body: JSON.stringify({ results: p.results }), cookies };
  };

  router.post('/collect', originCheck, rateLimit, ...body, async (req: Request, res: Response) => {
    const o = await run(req);
    if (o.ok && o.cookies) res.setHeader('Set-Cookie', o.cookies);
    sendOutcome(res, o);
  });

  // Fast path: every header is collected in one flat list and written with one writeHead on success;
  // on any error the list is applied with setHeader and the app's error handler answers, as in the router.
  const base = flatHeaders([['Vary', 'Origin'], ['Cross-Origin-Resource-Policy', 'cross-origin']]);
  const [check, read, parse] = body as [RequestHandler, RequestHandler, RequestHandler];
  const fast: FastRoute = (req, res) => {
    const headers = base.slice();
    const fail = (err: unknown): void => failFast(onError, req, res, headers, err);
    const o = checkOrigin(req, config.allowedOrigins);
    if (typeof o !== 'string') {
      fail(o);
      return;
    }
    headers.push('Access-Control-Allow-Origin', o, 'Access-Control-Allow-Credentials', 'true');
    if (!admit(req as Request)) {
      fail(rateLimited());
      return;
    }
    const done = (o: Outcome): void => {
      if (o.ok && o.cookies) for (const c of o.cookies) headers.push('Set-Cookie', c);
      sendOutcomeFast(res, headers, o);
    };
    const afterParse: NextFunction = (err?: unknown) => {
      if (err) fail(err);
      else run(req).then(done, fail);
    };
    const afterRead: NextFunction = (err?: unknown) => (err ? fail(err) : parse(req, res, afterParse));
    check(req, res, (err?: unknown) => (err ? fail(err) : read(req, res, afterRead)));
  };

  return { router, fast };
}

function refreshCookies(req: Request, deps: AppDeps, ud: { fbp?: string; fbc?: string } | undefined): string[] | undefined {
  if (!ud) return undefined;
  const oh = originHost(req.headers.origin ?? '');
  if (oh === undefined) return undefined;
  const domain = firstPartyCookieDomain(oh, req.hostname, deps.config.cookieDomain);
  if (domain === null) return undefined;
  const cookies: string[] = [];
  if (isCookieSafeFbValue(ud.fbp)) cookies.push(fbCookie('_fbp', ud.fbp, domain, req.secure));
  if (isCookieSafeFbValue(ud.fbc)) cookies.push(fbCookie('_fbc', ud.fbc, domain, req.secure));
  return cookies.length ? cookies : undefined;
}
