import type { NextFunction, Request, RequestHandler, Response, Router } from 'express';
import express from 'express';
import { graphBody } from '../../delivery/graph-client.js';
import { EventIdDeriver } from '../../mapping/derived-event-id.js';
import { requireApiKey } from '../auth.js';
import { jsonBody } from '../body.js';
import type { AppDeps } from '../deps.js';
import { HttpError, shuttingDownError } from '../errors.js';
import { eventsFromBody } from '../events-input.js';
import { buildSafely, commit, prepare, type Prepared } from '../ingest.js';
import { failFast, sendOutcome, sendOutcomeFast, type FastRoute, type IngestOutcome, type OnError } from '../fast-path.js';
import { flatHeaders } from '../security-headers.js';

export interface Events {
  router: Router;
  /** `POST /v1/events` without Express's router (same checks, same headers, same answers). */
  fast: FastRoute;
}

/** POST /v1/events (queue) and POST /v1/preview (map only, send nothing). Both need an API key. */
export function createEvents(deps: AppDeps, onError: OnError): Events {
  const { config, metrics } = deps;
  const router = express.Router();
  const body = jsonBody({ limit: config.limits.apiBodyBytes, types: ['application/json'] });
  const auth = requireApiKey(config.apiKeys, () => metrics.dropped.inc({ reason: 'unauthorized', source: 'api' }));

  const run = async (req: Request): Promise<IngestOutcome> => {
    if (deps.isShuttingDown()) throw shuttingDownError();
    const inputs = eventsFromBody(req.body, config.limits.apiMaxBatch);
    // The reply is spliced from per-event JSON fragments (same bytes as stringifying result objects).
    return settle(prepare(deps, inputs, 'api', {}, { replyJson: true }));
  };
  /** Queues a prepared request (inline or from a mapping worker) and builds the reply once durable. */
  const settle = async (p: Prepared): Promise<IngestOutcome> => {
    const r = await commit(deps, p);
    if (!r.ok) return { ok: false, code: r.reason, message: `no event of this request was accepted: ${r.detail}${r.reason === 'invalid_event' ? '' : '; retry later'}` };
    return { ok: true, status: 200, body: `{"accepted":${p.accepted},"dropped":${p.count - p.accepted},"results":[${p.resultsJson}]}` };
  };

  router.post('/v1/events', auth, ...body, async (req: Request, res: Response) => {
    sendOutcome(res, await run(req));
  });

  const pool = deps.mapPool;
  const minBytes = deps.mapMinBytes ?? 16 * 1024;
  const base = flatHeaders();
  const [check, read, parse] = body as [RequestHandler, RequestHandler, RequestHandler];
  const fast: FastRoute = (req, res) => {
    const fail = (err: unknown): void => failFast(onError, req, res, base, err);
    // A copy per reply: the success path appends Content-Type/Length to it.
    const done = (o: IngestOutcome): void => sendOutcomeFast(res, base.slice(), o);
    const afterParse: NextFunction = (err?: unknown) => {
      if (err) fail(err);
      else run(req).then(done, fail);
    };
    const afterRead: NextFunction = (err?: unknown) => {
      if (err) {
        fail(err);
        return;
      }
      const buf = req.body as unknown;
      if (pool === undefined || !Buffer.isBuffer(buf) || buf.length < minBytes) {
        parse(req, res, afterParse);
        return;
      }
      // Large body: decode, parse and map on a worker thread; the same checks and answers as inline. A
      // busy, down, crashed or slow worker means this request is parsed and mapped here instead.
      pool.map(buf, deps.now(), config.limits.apiMaxBatch).then((m) => {
        if ('fallback' in m) {
          parse(req, res, afterParse);
        } else if ('httpError' in m) {
          const e = m.httpError;
          fail(new HttpError(e.status, e.code, e.message, e.field));
        } else if (deps.isShuttingDown()) {
          fail(shuttingDownError());
        } else {
          settle(m.prepared).then(done, fail);
        }
      }, fail);
    };
    const afterCheck: NextFunction = (err?: unknown) => (err ? fail(err) : read(req, res, afterRead));
    auth(req, res, (err?: unknown) => (err ? fail(err) : check(req, res, afterCheck)));
  };

  router.post('/v1/preview', requireApiKey(config.apiKeys), ...body, (req: Request, res: Response) => {
    const inputs = eventsFromBody(req.body, config.limits.apiMaxBatch);
    const now = deps.now();
    const ids = new EventIdDeriver('api');
    const results = inputs.map((input, index) => {
      const eventId = ids.derive(input);
      return {
      index,
      destinations: config.destinations.map((d) => {
        const r = buildSafely(deps.build, input, d, eventId === undefined ? { now, source: 'api' } : { now, source: 'api', eventId });
        return r.ok
          ? { destination: d.id, pixel_id: d.pixelId, status: 'would_send', match_keys: r.matchKeys, warnings: r.warnings, payload: graphBody(d, [r.event]) }
          : { destination: d.id, pixel_id: d.pixelId, status: 'dropped', reason: r.reason, detail: r.detail, ...(r.matchKeys ? { match_keys: r.matchKeys } : {}) };
      }),
      };
    });
    res.json({ results });
  });

  return { router, fast };
}
