import express, { type Request, type Response, type Router } from 'express';
import { readFileSync } from 'node:fs';
import type { SandboxContext } from './context.js';
import type { RecordedError } from './types.js';

/** The 43-byte transparent 1x1 GIF the pixel endpoint answers GET hits with. */
export const GIF_1X1 = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

const FBEVENTS_PATH = new URL('../static/fbevents.js', import.meta.url);

/** Flattens the query string and (form or text) body of a hit, keeping `cd[x]`/`ud[x]` keys literal. */
function hitParams(req: Request): URLSearchParams {
  const q = req.originalUrl.indexOf('?');
  const params = new URLSearchParams(q >= 0 ? req.originalUrl.slice(q + 1) : '');
  const body: unknown = req.body;
  if (typeof body === 'string') {
    for (const [k, v] of new URLSearchParams(body)) params.append(k, v);
  } else if (typeof body === 'object' && body !== null) {
    for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
      for (const one of Array.isArray(v) ? v : [v]) if (typeof one === 'string') params.append(k, one);
    }
  }
  return params;
}

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

function bracketed(params: URLSearchParams, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of params) {
    if (k.startsWith(`${prefix}[`) && k.endsWith(']')) out[k.slice(prefix.length + 1, -1)] = v;
  }
  return out;
}

function recordHit(ctx: SandboxContext, req: Request): void {
  ctx.stats.pixelHits++;
  const p = hitParams(req);
  const get = (k: string): string | undefined => {
    const v = p.get(k);
    return v === null || v === '' ? undefined : v;
  };
  const pixelId = get('id') ?? '';
  const ev = get('ev') ?? '';
  const ud = bracketed(p, 'ud');
  let rejected: RecordedError | undefined;
  if (pixelId === '') rejected = { message: 'Missing pixel id (id)', code: 100 };
  else if (ctx.auth.pixels === null ? !/^\d+$/.test(pixelId) : !ctx.auth.pixels.has(pixelId)) {
    rejected = { message: `Unknown pixel id '${pixelId.slice(0, 64)}'`, code: 100, error_subcode: 33 };
  } else if (ev === '') rejected = { message: 'Missing event name (ev)', code: 100 };

  const eid = get('eid');
  const fbp = get('fbp');
  const fbc = get('fbc');
  const testEventCode = get('test_event_code');
  const extIds = ud.external_id ? ud.external_id.split(',').filter((s) => s !== '') : [];
  const payload = {
    id: pixelId, ev, eid, fbp, fbc, dl: get('dl'), rl: get('rl'),
    cd: bracketed(p, 'cd'), ud, other: Object.fromEntries([...p].filter(([k]) => !/^(id|ev|eid|fbp|fbc|dl|rl)$|^(cd|ud)\[/.test(k))),
  };
  ctx.store.add({
    source: 'browser', pixelId, eventName: ev, receivedAt: ctx.now(),
    ...(eid !== undefined ? { eventId: eid } : {}),
    ...(fbp !== undefined ? { fbp } : {}),
    ...(fbc !== undefined ? { fbc } : {}),
    ...(extIds.length > 0 ? { externalIds: extIds } : {}),
    ...(testEventCode !== undefined ? { testEventCode } : {}),
    payload,
    ...(rejected ? { rejected } : {}),
  });
}

export function pixelRouter(ctx: SandboxContext): Router {
  const router = express.Router();
  const parsers = [
    express.urlencoded({ extended: false, limit: '256kb', parameterLimit: 1000 }),
    express.text({ type: ['text/plain'], limit: '256kb' }),
  ];
  const hit = (req: Request, res: Response): void => {
    recordHit(ctx, req);
    res.set('Access-Control-Allow-Origin', '*').set('Cache-Control', 'no-store');
    if (req.method === 'GET') res.type('image/gif').send(GIF_1X1);
    else res.status(200).end();
  };
  router.get(['/tr', '/tr/'], hit);
  router.post(['/tr', '/tr/'], ...parsers, hit);

  let template: string | undefined;
  const serveScript = (req: Request, res: Response): void => {
    template ??= readFileSync(FBEVENTS_PATH, 'utf8');
    const trUrl = typeof req.query.tr_url === 'string' ? req.query.tr_url : undefined;
    if (trUrl !== undefined && !isHttpUrl(trUrl)) {
      res.status(400).type('text/plain').send('tr_url must be an absolute http(s) URL');
      return;
    }
    // The tr_url is baked into the script, so it survives being re-served from another URL (e2e routing).
    const literal = JSON.stringify(trUrl ?? null).replace(/</g, '\\u003c');
    res.type('application/javascript').set('Cache-Control', 'no-store').set('Access-Control-Allow-Origin', '*')
      .send(template.replace('__SANDBOX_TR_URL__', literal));
  };
  router.get(['/fbevents.js', '/en_US/fbevents.js'], serveScript);
  return router;
}
