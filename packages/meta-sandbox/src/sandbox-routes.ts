import express, { type Request, type Response, type Router } from 'express';
import { readFileSync } from 'node:fs';
import { companionRoute } from './companion.js';
import type { SandboxContext } from './context.js';
import { parseFaultSpec } from './faults.js';
import type { EventFilter } from './store.js';

const PAGE_PATH = new URL('../static/sandbox.html', import.meta.url);
export const DEFAULT_LIST_LIMIT = 1000;

type FilterParse = { ok: true; filter: EventFilter } | { ok: false; reason: string };

function one(v: unknown): string | undefined {
  const s = Array.isArray(v) ? v[0] : v;
  return typeof s === 'string' && s !== '' ? s : undefined;
}

export function parseEventFilter(q: Record<string, unknown>): FilterParse {
  const filter: EventFilter = { limit: DEFAULT_LIST_LIMIT };
  const pixel = one(q.pixel);
  const eventId = one(q.event_id);
  const eventName = one(q.event_name);
  const testEventCode = one(q.test_event_code);
  const source = one(q.source);
  const status = one(q.status);
  const since = one(q.since);
  const limit = one(q.limit);
  if (pixel !== undefined) filter.pixel = pixel;
  if (eventId !== undefined) filter.eventId = eventId;
  if (eventName !== undefined) filter.eventName = eventName;
  if (testEventCode !== undefined) filter.testEventCode = testEventCode;
  if (source !== undefined) {
    if (source !== 'browser' && source !== 'server') return { ok: false, reason: 'source must be browser or server' };
    filter.source = source;
  }
  if (status !== undefined) {
    if (status !== 'counted' && status !== 'deduplicated' && status !== 'rejected') {
      return { ok: false, reason: 'status must be counted, deduplicated or rejected' };
    }
    filter.status = status;
  }
  if (since !== undefined) {
    if (!/^\d+$/.test(since)) return { ok: false, reason: 'since must be a seq number' };
    filter.sinceSeq = Number(since);
  }
  if (limit !== undefined) {
    if (!/^\d+$/.test(limit) || Number(limit) < 1) return { ok: false, reason: 'limit must be a positive integer' };
    filter.limit = Number(limit);
  }
  return { ok: true, filter };
}

export function sandboxRouter(ctx: SandboxContext): Router {
  const router = express.Router();
  const json = express.json({ limit: '16kb' });

  router.get('/_sandbox/events', (req: Request, res: Response) => {
    const parsed = parseEventFilter(req.query as Record<string, unknown>);
    res.set('Access-Control-Allow-Origin', '*').set('Cache-Control', 'no-store');
    if (!parsed.ok) {
      res.status(400).json({ error: parsed.reason });
      return;
    }
    res.json({ events: ctx.store.list(parsed.filter), counters: ctx.store.counters() });
  });
  router.delete('/_sandbox/events', (_req: Request, res: Response) => {
    const deleted = ctx.store.counters().stored;
    ctx.store.clear();
    res.json({ ok: true, deleted });
  });

  router.get('/_sandbox/faults', (_req: Request, res: Response) => {
    res.json({ faults: ctx.faults.list() });
  });
  router.post('/_sandbox/faults', json, (req: Request, res: Response) => {
    const parsed = parseFaultSpec(req.body);
    if (!parsed.ok) {
      res.status(400).json({ error: parsed.reason });
      return;
    }
    res.status(201).json({ fault: ctx.faults.add(parsed.spec) });
  });
  router.delete('/_sandbox/faults', (_req: Request, res: Response) => {
    ctx.faults.clear();
    res.json({ ok: true });
  });

  router.get('/_sandbox/companion', companionRoute(ctx.companion));

  router.get('/_sandbox/stats', (_req: Request, res: Response) => {
    const c = ctx.store.counters();
    res.json({ ...ctx.stats, store: c });
  });

  let page: string | undefined;
  router.get(['/_sandbox', '/_sandbox/'], (_req: Request, res: Response) => {
    page ??= readFileSync(PAGE_PATH, 'utf8');
    res.type('html').set('Cache-Control', 'no-store').send(page);
  });
  return router;
}
