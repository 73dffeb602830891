import type { IncomingMessage, ServerResponse } from 'node:http';
import { graphBody } from '../../delivery/graph-client.js';
import { commit } from '../../ingest/commit.js';
import { eventsFromBody } from '../../ingest/events-input.js';
import { prepare, previewResults } from '../../ingest/prepare.js';
import type { Prepared } from '../../ingest/types.js';
import { apiKeyCheck } from '../auth.js';
import { mediaTypeError, parseJsonBody, readBody } from '../body.js';
import type { AppDeps } from '../deps.js';
import { createErrorReply } from '../error-reply.js';
import { errorJson, HttpError, refusalStatus, replyJson, shuttingDownError } from '../errors.js';
import { flatHeaders } from '../security-headers.js';

const MEDIA_TYPES = ['application/json'];

export interface Events {
  /** POST /v1/events: map and queue. */
  post: (req: IncomingMessage, res: ServerResponse) => void;
  /** POST /v1/preview: map only, send nothing. */
  preview: (req: IncomingMessage, res: ServerResponse) => void;
}

/**
 * POST /v1/events (queue) and POST /v1/preview (map only). Both need an API key. Each handler writes its
 * own answer (helmet's headers included), so the server's request listener can call it directly and
 * Express can mount it.
 */
export function createEvents(deps: AppDeps): Events {
  const { config, metrics } = deps;
  const base = flatHeaders();
  const authError = apiKeyCheck(config.apiKeys);
  const errorReply = createErrorReply(deps);
  const limit = config.limits.apiBodyBytes;
  const maxBatch = config.limits.apiMaxBatch;
  const pool = deps.mapPool;
  const minBytes = deps.mapMinBytes ?? 16 * 1024;

  /** API key, media type and body: `then(body)` once read, or the refusal is answered. */
  const receive = (req: IncomingMessage, res: ServerResponse, headers: string[], fail: (err: unknown) => void, onRefusedKey: () => void, then: (body: Buffer) => void): void => {
    const unauthorized = authError(req);
    if (unauthorized) {
      onRefusedKey();
      fail(unauthorized);
      return;
    }
    const badType = mediaTypeError(req, MEDIA_TYPES);
    if (badType) {
      fail(badType);
      return;
    }
    readBody(req, res, limit, (err, body) => (err ? fail(err) : then(body!)));
  };

  /** Queues a prepared request (mapped here or on a mapping worker) and answers once it is durable. */
  const settle = async (res: ServerResponse, headers: string[], p: Prepared): Promise<void> => {
    const r = await commit(deps, p);
    if (!r.ok) {
      replyJson(res, refusalStatus(r.reason), headers, errorJson(r.reason, `no event of this request was accepted: ${r.detail}${r.reason === 'invalid_event' ? '' : '; retry later'}`));
      return;
    }
    replyJson(res, 200, headers, `{"accepted":${p.accepted},"dropped":${p.count - p.accepted},"results":[${p.resultsJson}]}`);
  };

  const countRefusedKey = (): void => metrics.dropped.inc({ reason: 'unauthorized', source: 'api' });
  const post = (req: IncomingMessage, res: ServerResponse): void => {
    const headers = base.slice();
    const fail = (err: unknown): void => errorReply(req, res, headers, err, '/v1/events', 'api');
    const inline = (body: Buffer): void => {
      let p: Prepared;
      try {
        const parsed = parseJsonBody(body);
        if (deps.isShuttingDown()) throw shuttingDownError();
        p = prepare(deps, eventsFromBody(parsed, maxBatch), 'api', {});
      } catch (e) {
        fail(e);
        return;
      }
      settle(res, headers, p).catch(fail);
    };
    receive(req, res, headers, fail, countRefusedKey, (body) => {
      if (pool === undefined || body.length < minBytes) {
        inline(body);
        return;
      }
      // Large body: decode, parse and map on a worker thread; the same checks and answers as inline. A
      // busy, down, crashed or slow worker means this request is parsed and mapped here instead.
      pool.map(body, deps.now(), maxBatch).then((m) => {
        if ('fallback' in m) inline(body);
        else if ('httpError' in m) fail(new HttpError(m.httpError.status, m.httpError.code, m.httpError.message, m.httpError.field));
        else if (deps.isShuttingDown()) fail(shuttingDownError());
        else return settle(res, headers, m.prepared);
        return undefined;
      }).catch(fail);
    });
  };

  const preview = (req: IncomingMessage, res: ServerResponse): void => {
    const headers = base.slice();
    const fail = (err: unknown): void => errorReply(req, res, headers, err, '/v1/preview');
    receive(req, res, headers, fail, () => undefined, (body) => {
      let results: unknown[];
      try {
        results = previewResults(deps, eventsFromBody(parseJsonBody(body), maxBatch), 'api').map((perDestination, index) => ({
          index,
          destinations: perDestination.map(({ destination: d, result: r }) => (r.ok
            ? { destination: d.id, pixel_id: d.pixelId, status: 'would_send', match_keys: r.matchKeys, warnings: r.warnings, payload: graphBody(d, [r.event]) }
            : { destination: d.id, pixel_id: d.pixelId, status: 'dropped', reason: r.reason, detail: r.detail, ...(r.matchKeys ? { match_keys: r.matchKeys } : {}) })),
        }));
      } catch (e) {
        fail(e);
        return;
      }
      replyJson(res, 200, headers, JSON.stringify({ results }));
    });
  };

  return { post, preview };
}
