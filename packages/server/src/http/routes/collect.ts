import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CapiUserData } from '../../mapping/types.js';
import { commit } from '../../ingest/commit.js';
import { eventsFromBody } from '../../ingest/events-input.js';
import { prepare } from '../../ingest/prepare.js';
import { mediaTypeError, parseJsonBody, readBody } from '../body.js';
import { clientReader, forwardedHeaderWarning, rateLimitKey, type Client } from '../client-address.js';
import { firstPartyCookieDomain, fbCookie, isCookieSafeFbValue } from '../cookies.js';
import { isOriginAllowed, originHost } from '../cors.js';
import type { AppDeps } from '../deps.js';
import { createErrorReply } from '../error-reply.js';
import { errorJson, HttpError, refusalStatus, replyJson, shuttingDownError } from '../errors.js';
import { RateLimiter } from '../rate-limit.js';
import { flatHeaders } from '../security-headers.js';
import { stripServerOnlyFields } from '../strip.js';

const PATH = '/collect';
const PREFLIGHT_MAX_AGE = '600';
const MEDIA_TYPES = ['application/json', 'text/plain'];

export interface Collect {
  /** POST /collect. */
  post: (req: IncomingMessage, res: ServerResponse) => void;
  /** OPTIONS /collect (CORS preflight). */
  preflight: (req: IncomingMessage, res: ServerResponse) => void;
}

/** The allowed Origin (same-origin always allowed), or the 403 refusal. */
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

/**
 * POST /collect — the web tag's endpoint. CORS allow-list (same-origin always allowed), per-IP token
 * bucket, JSON or text/plain (sendBeacon), server-only fields stripped, IP/UA from the request,
 * 202 once durably queued, first-party `_fbp`/`_fbc` refresh when the page is on the server's site.
 * Each handler writes its own answer (helmet's headers included), so the server's request listener can
 * call it directly and Express can mount it.
 */
export function createCollect(deps: AppDeps): Collect {
  const { config } = deps;
  const limiter = new RateLimiter(config.rateLimit, deps.now);
  const rateLimited = (): HttpError =>
    new HttpError(429, 'rate_limited', `more than ${config.rateLimit.perSecond} events/s (burst ${config.rateLimit.burst}) from this address`);
  const warnForwarded = forwardedHeaderWarning(config.trustProxy, deps.logger);
  const clientOf = clientReader(config.trustProxy);
  const errorReply = createErrorReply(deps);
  const base = flatHeaders([['Vary', 'Origin'], ['Cross-Origin-Resource-Policy', 'cross-origin']]);
  const limit = config.limits.collectBodyBytes;

  /** Helmet's and the CORS headers of an allowed origin, or undefined once the refusal is answered. */
  const corsHeaders = (req: IncomingMessage, res: ServerResponse): string[] | undefined => {
    const headers = base.slice();
    const origin = checkOrigin(req, config.allowedOrigins);
    if (typeof origin !== 'string') {
      errorReply(req, res, headers, origin, PATH, 'browser');
      return undefined;
    }
    headers.push('Access-Control-Allow-Origin', origin, 'Access-Control-Allow-Credentials', 'true');
    return headers;
  };

  const preflight = (req: IncomingMessage, res: ServerResponse): void => {
    const headers = corsHeaders(req, res);
    if (headers === undefined) return;
    headers.push('Access-Control-Allow-Methods', 'POST, OPTIONS', 'Access-Control-Allow-Headers', 'Content-Type', 'Access-Control-Max-Age', PREFLIGHT_MAX_AGE);
    res.writeHead(204, headers);
    res.end();
  };

  const post = (req: IncomingMessage, res: ServerResponse): void => {
    const headers = corsHeaders(req, res);
    if (headers === undefined) return;
    const fail = (err: unknown): void => errorReply(req, res, headers, err, PATH, 'browser');
    warnForwarded(req);
    const client = clientOf(req);
    // One token when the request arrives (refuses a flood before its body is read), one more per further event below.
    const bucket = client.ip === undefined ? 'unknown' : rateLimitKey(client.ip);
    if (!limiter.take(bucket)) {
      fail(rateLimited());
      return;
    }
    const badType = mediaTypeError(req, MEDIA_TYPES);
    if (badType) {
      fail(badType);
      return;
    }
    readBody(req, res, limit, (err, body) => {
      if (err) {
        fail(err);
        return;
      }
      let queued: Promise<void>;
      try {
        queued = ingest(req, res, headers, client, bucket, parseJsonBody(body!));
      } catch (e) {
        fail(e);
        return;
      }
      queued.catch(fail);
    });
  };

  /** Maps the parsed body, queues it durably and answers (202 when an event was accepted, else 200). */
  const ingest = async (req: IncomingMessage, res: ServerResponse, headers: string[], client: Client, bucket: string, body: unknown): Promise<void> => {
    if (deps.isShuttingDown()) throw shuttingDownError();
    const inputs = eventsFromBody(body, config.limits.collectMaxBatch);
    // One token per further event of the batch (at most the burst, so a full batch can always pass).
    const extra = Math.min(inputs.length, config.rateLimit.burst) - 1;
    if (extra > 0 && !limiter.take(bucket, extra)) throw rateLimited();
    for (const e of inputs) if (typeof e === 'object' && e !== null && !Array.isArray(e)) stripServerOnlyFields(e as Record<string, unknown>);
    const ua = req.headers['user-agent'];
    const ip = client.ip;
    const p = prepare(deps, inputs, 'browser', { ...(ip !== undefined ? { ip } : {}), ...(ua !== undefined ? { userAgent: ua.slice(0, 1000) } : {}) });
    const r = await commit(deps, p);
    if (!r.ok) {
      replyJson(res, refusalStatus(r.reason), headers, errorJson(r.reason, `events not accepted: ${r.detail}${r.reason === 'invalid_event' ? '' : '; retry later'}`));
      return;
    }
    // items[0] is the first accepted input's event for its first accepting destination.
    const cookies = refreshCookies(req, client, deps.config.cookieDomain, p.items[0]?.event.user_data);
    for (const c of cookies) headers.push('Set-Cookie', c);
    replyJson(res, p.accepted > 0 ? 202 : 200, headers, `{"results":[${p.resultsJson}]}`);
  };

  return { post, preflight };
}

function refreshCookies(req: IncomingMessage, client: Client, configured: string | undefined, ud: CapiUserData | undefined): string[] {
  if (!ud || (!isCookieSafeFbValue(ud.fbp) && !isCookieSafeFbValue(ud.fbc))) return [];
  const oh = originHost(req.headers.origin ?? '');
  if (oh === undefined) return [];
  const domain = firstPartyCookieDomain(oh, client.hostname() as string, configured);
  if (domain === null) return [];
  const secure = client.secure();
  const cookies: string[] = [];
  if (isCookieSafeFbValue(ud.fbp)) cookies.push(fbCookie('_fbp', ud.fbp, domain, secure));
  if (isCookieSafeFbValue(ud.fbc)) cookies.push(fbCookie('_fbc', ud.fbc, domain, secure));
  return cookies;
}
