import type { Request, Response, Router } from 'express';
import express from 'express';
import { graphBody } from '../../delivery/graph-client.js';
import type { BuildResult } from '../../mapping/types.js';
import { requireApiKey } from '../auth.js';
import { jsonBody } from '../body.js';
import type { AppDeps } from '../deps.js';
import { HttpError, sendError } from '../errors.js';
import { eventsFromBody } from '../events-input.js';
import { commit, prepare } from '../ingest.js';
import { sendJson } from '../security-headers.js';

/** POST /v1/events (queue) and POST /v1/preview (map only, send nothing). Both need an API key. */
export function eventsRouter(deps: AppDeps): Router {
  const { config, metrics } = deps;
  const router = express.Router();
  const body = jsonBody({ limit: config.limits.apiBodyBytes, types: ['application/json'] });

  router.post('/v1/events', requireApiKey(config.apiKeys, () => metrics.dropped.inc({ reason: 'unauthorized', source: 'api' })), ...body,
    async (req: Request, res: Response) => {
      if (deps.isShuttingDown()) throw new HttpError(503, 'shutting_down', 'server is shutting down; retry');
      const inputs = eventsFromBody(req.body, config.limits.apiMaxBatch);
      const p = prepare(deps, inputs, 'api', {});
      const r = await commit(deps, p);
      if (!r.ok) {
        sendError(res, 503, r.reason, `no event of this request was accepted: ${r.detail}; retry later`);
        return;
      }
      const accepted = p.results.filter((x) => x.status === 'accepted').length;
      sendJson(res, 200, { accepted, dropped: p.results.length - accepted, results: p.results });
    });

  router.post('/v1/preview', requireApiKey(config.apiKeys), ...body, (req: Request, res: Response) => {
    const inputs = eventsFromBody(req.body, config.limits.apiMaxBatch);
    const now = deps.now();
    const results = inputs.map((input, index) => ({
      index,
      destinations: config.destinations.map((d) => {
        let r: BuildResult;
        try {
          r = deps.build(input, d, { now, source: 'api' });
        } catch (e) {
          r = { ok: false, reason: 'invalid_input', detail: `input: ${(e as Error).message.slice(0, 200)}` };
        }
        return r.ok
          ? { destination: d.id, pixel_id: d.pixelId, status: 'would_send', match_keys: r.matchKeys, warnings: r.warnings, payload: graphBody(d, [r.event]) }
          : { destination: d.id, pixel_id: d.pixelId, status: 'dropped', reason: r.reason, detail: r.detail };
      }),
    }));
    res.json({ results });
  });

  return router;
}
