import type { Router } from 'express';
import express from 'express';
import { requireApiKey } from '../auth.js';
import type { AppDeps } from '../deps.js';
import { HttpError } from '../errors.js';

const MAX_IDS = 200;

/** GET /v1/sent?event_id=a[&event_id=b | ,b] — what this instance recently did with those events. */
export function sentRouter(deps: AppDeps): Router {
  const router = express.Router();
  router.get('/v1/sent', requireApiKey(deps.config.apiKeys), (req, res) => {
    const raw = req.query.event_id;
    const values = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).filter((v): v is string => typeof v === 'string');
    const ids = values.flatMap((v) => v.split(',')).map((s) => s.trim()).filter(Boolean);
    if (ids.length === 0) throw new HttpError(400, 'invalid_query', 'event_id is required (repeat it or comma-separate several)', 'event_id');
    if (ids.length > MAX_IDS) throw new HttpError(400, 'invalid_query', `at most ${MAX_IDS} event ids per request, got ${ids.length}`, 'event_id');
    const pauses = deps.pauses?.() ?? [];
    const events = ids.flatMap((id) => deps.sentLog.get(id));
    if (pauses.length > 0) {
      // A queued event of a paused destination waits for the pause to end, not for its turn: say so, and why.
      for (const e of events) {
        if (e.status !== 'queued') continue;
        const p = pauses.find((x) => x.destination === e.destination);
        if (p === undefined) continue;
        e.status = 'paused';
        e.reason = `${p.cause}: ${p.message}`;
      }
    }
    res.json({ events });
  });
  return router;
}
