import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Router } from 'express';
import express from 'express';
import { requireApiKey } from '../auth.js';
import type { DestinationPause } from '../../delivery/dispatcher.js';
import type { AppDeps } from '../deps.js';
import { sendError } from '../errors.js';

const READY_TIMEOUT_MS = 2000;

/** Where the built web tag lives: TAG_JS_PATH, else `@capi-bridge/web-tag/tag.js`, else the monorepo path. */
export function resolveTagPath(configured?: string): string {
  if (configured !== undefined) return configured;
  try {
    return createRequire(import.meta.url).resolve('@capi-bridge/web-tag/tag.js');
  } catch {
    return fileURLToPath(new URL('../../../../web-tag/dist/tag.js', import.meta.url));
  }
}

interface TagCache {
  mtimeMs: number;
  size: number;
  body: Buffer;
  etag: string;
}

/** A pause as the HTTP API shows it (snake_case, ISO time). */
export function pauseJson(p: DestinationPause): Record<string, unknown> {
  return {
    destination: p.destination, cause: p.cause, since: new Date(p.since).toISOString(), http_status: p.httpStatus,
    ...(p.code !== undefined ? { code: p.code } : {}), ...(p.errorSubcode !== undefined ? { error_subcode: p.errorSubcode } : {}),
    message: p.message,
  };
}

/** /healthz, /readyz, /metrics, /tag.js, /tag-debug.js. */
export function opsRouter(deps: AppDeps): Router {
  const router = express.Router();

  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/readyz', async (_req, res) => {
    if (deps.isShuttingDown()) {
      sendError(res, 503, 'shutting_down', 'server is shutting down');
      return;
    }
    try {
      const outbox = deps.outbox;
      const [depth, st] = await Promise.race([
        Promise.all([outbox.depth(), outbox.status ? outbox.status() : undefined]),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS).unref()),
      ]);
      if (st?.storageFull) {
        sendError(res, 503, 'storage_full', 'outbox storage is full (disk, OUTBOX_MAX_BYTES or Redis maxmemory): ingestion refused until delivery frees space');
        return;
      }
      // Ingestion still works while a destination is paused (its events are kept): ready, with the why.
      const pauses = deps.pauses?.() ?? [];
      res.json({
        status: 'ready', outbox_depth: depth, paused_destinations: pauses.map((p) => p.destination), paused: pauses.map(pauseJson),
        ...(st ? { dead_letters: st.deadLetters, dead_letter_bytes: st.deadLetterBytes } : {}),
      });
    } catch (e) {
      sendError(res, 503, 'outbox_unavailable', `outbox not reachable: ${(e as Error).message.slice(0, 200)}`);
    }
  });

  const metricsHandler: express.RequestHandler = async (_req, res) => {
    res.setHeader('Content-Type', deps.metrics.registry.contentType);
    res.send(await deps.metrics.registry.metrics());
  };
  if (deps.config.metricsRequireKey) router.get('/metrics', requireApiKey(deps.config.apiKeys), metricsHandler);
  else router.get('/metrics', metricsHandler);

  const tagPath = resolveTagPath(deps.config.tagJsPath);
  // What tag.js imports (with `debug` only) from the server that answered a forward: the file next to it. Any site
  // may load both (the tag runs on other origins), so the module import is allowed from everywhere.
  for (const [route, path] of [['/tag.js', tagPath], ['/tag-debug.js', join(dirname(tagPath), 'tag-debug.js')]] as const) {
    let cache: TagCache | undefined;
    router.get(route, (req, res) => {
      let st;
      try {
        st = statSync(path);
      } catch {
        sendError(res, 503, 'tag_not_built', `the web tag is not built: no ${route.slice(1)} (run \`npm run build -w @capi-bridge/web-tag\`; with TAG_JS_PATH, keep tag-debug.js next to tag.js)`);
        return;
      }
      if (!cache || cache.mtimeMs !== st.mtimeMs || cache.size !== st.size) {
        const body = readFileSync(path);
        cache = { mtimeMs: st.mtimeMs, size: st.size, body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
      }
      res.setHeader('Cache-Control', 'public, max-age=300');
      res.setHeader('ETag', cache.etag);
      res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
      res.setHeader('Access-Control-Allow-Origin', '*');
      if (req.headers['if-none-match'] === cache.etag) {
        res.status(304).end();
        return;
      }
      res.type('application/javascript; charset=utf-8').send(cache.body);
    });
  }

  return router;
}
