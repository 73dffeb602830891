import { availableParallelism } from 'node:os';
import type { DestinationConfig } from '../mapping/types.js';
import { lazyEvent } from '../outbox/lazy-entry.js';
import type { EnqueueItem } from '../outbox/types.js';
import type { Prepared } from './types.js';
import { SupervisedWorker, WorkerCallError, type SupervisedWorkerOptions, type WorkerControl } from '../workers/supervised-worker.js';

/** What a mapping worker is started with (plain data: no secrets, no functions). */
export interface MapWorkerInit {
  destinations: DestinationConfig[];
  /** Module URL exporting `build` (tests); default: the mapping core's `buildCapiEvent`. */
  buildModule?: string;
}

export interface MapRequest {
  id: number;
  body: Uint8Array;
  now: number;
  maxBatch: number;
}

export interface MapResultColumns {
  count: number;
  accepted: number;
  resultsJson: string;
  dest: string[];
  json: string[];
  eventId: string[];
  eventName: string[];
  eventTime: number[];
  actionSource: string[];
  fbp: Array<string | null>;
  fbc: Array<string | null>;
  drops: Prepared['drops'];
  keyMasks: number[];
}

export interface MapHttpError { status: number; code: string; message: string; field?: string }

export type MapReply =
  | { id: number; ok: MapResultColumns }
  | { id: number; httpError: MapHttpError }
  | { id: number; fail: string }
  | WorkerControl;

/** Why a request was mapped inline although the pool is on. */
export type MapFallbackReason = 'queue_full' | 'unavailable' | 'timeout' | 'worker_exit' | 'worker_error';

export type MapOutcome = { prepared: Prepared } | { httpError: MapHttpError } | { fallback: MapFallbackReason };

export interface MapPoolOptions extends Pick<SupervisedWorkerOptions, 'logger' | 'restartDelayMs'> {
  /** Worker threads (≥ 1). */
  size: number;
  destinations: readonly DestinationConfig[];
  buildModule?: string;
  /** Requests queued or in flight per worker before further ones are mapped inline (default 16: measured on 2 cores, handing every large batch to the worker beat sharing them with the main thread). */
  maxPending?: number;
  /** A request not answered within this is mapped inline and its worker restarted (default 10 s). */
  timeoutMs?: number;
  onFallback?: (reason: MapFallbackReason) => void;
}

/** Default pool size: one worker per spare core, at most 2, at least 1. */
export function defaultMapWorkers(): number {
  return Math.max(1, Math.min(2, availableParallelism() - 1));
}

/** The worker's columns → the `Prepared` the inline path would have built (with `replyJson`). */
export function preparedFromColumns(c: MapResultColumns): Prepared {
  const n = c.json.length;
  const items = new Array<EnqueueItem>(n);
  for (let i = 0; i < n; i++) {
    const json = c.json[i]!;
    const event = lazyEvent(json, c.eventId[i]!, c.eventTime[i]!, c.actionSource[i]!, c.eventName[i]!);
    items[i] = { destinationId: c.dest[i]!, event, json };
  }
  return {
    items, count: c.count, accepted: c.accepted, resultsJson: c.resultsJson, source: 'api', drops: c.drops, keyMasks: c.keyMasks,
    itemFb: { fbp: c.fbp, fbc: c.fbc },
  };
}

type MapWorker = SupervisedWorker<MapRequest, MapReply>;

/**
 * Mapping worker threads for large `/v1/events` batches. `map` hands the raw body to the least busy
 * worker; the answer is either the prepared batch, the request error the inline parser would give, or a
 * fallback (pool busy, worker down, crashed or too slow): then the caller maps inline, so no request is
 * lost or left hanging by a worker. A crashed or timed-out worker is restarted.
 */
export class MapPool {
  readonly #opts: MapPoolOptions;
  readonly #workers: MapWorker[];
  readonly #maxPending: number;
  #closed = false;
  /** Requests answered by a worker (prepared or a request error), for tests and diagnostics. */
  readonly stats = { mapped: 0 };

  constructor(opts: MapPoolOptions) {
    this.#opts = opts;
    // Only DestinationConfig fields (the mapping's input): no access tokens or app secrets in the workers.
    const init: MapWorkerInit = {
      destinations: opts.destinations.map((d) => {
        const c: DestinationConfig = {
          id: d.id, pixelId: d.pixelId, matchPolicy: d.matchPolicy, contentType: d.contentType,
          defaultActionSource: d.defaultActionSource, sendAllProperties: d.sendAllProperties,
        };
        if (d.consentCategory !== undefined) c.consentCategory = d.consentCategory;
        if (d.defaultPhoneCountry !== undefined) c.defaultPhoneCountry = d.defaultPhoneCountry;
        return c;
      }),
      ...(opts.buildModule !== undefined ? { buildModule: opts.buildModule } : {}),
    };
    this.#maxPending = Math.max(1, opts.maxPending ?? 16);
    this.#workers = Array.from({ length: Math.max(1, opts.size) }, () => new SupervisedWorker<MapRequest, MapReply>({
      callerUrl: import.meta.url, entry: 'map-worker', name: 'map worker', workerData: init,
      logger: opts.logger, restartDelayMs: opts.restartDelayMs, callTimeoutMs: opts.timeoutMs ?? 10_000,
    }));
  }

  /** Starts every worker; resolves once all are ready (a worker that fails to start is retried later). */
  async start(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.start().catch((e: Error) => {
      this.#opts.logger?.error({ err: e.message }, 'map worker failed to start; mapping inline until it restarts');
      w.restartLater();
    })));
  }

  /** Maps one request body on a worker, or says why the caller must map it inline. */
  async map(body: Uint8Array, now: number, maxBatch: number): Promise<MapOutcome> {
    let best: MapWorker | undefined;
    let any = false;
    for (const w of this.#workers) {
      if (!w.ready) continue;
      any = true;
      if (w.inFlight < this.#maxPending && (best === undefined || w.inFlight < best.inFlight)) best = w;
    }
    if (best === undefined) return this.#fallback(this.#closed || !any ? 'unavailable' : 'queue_full');
    let m: MapReply;
    try {
      m = await best.call({ body, now, maxBatch });
    } catch (e) {
      const loss = e instanceof WorkerCallError ? e.loss : 'worker_exit';
      return this.#fallback(loss === 'closed' ? 'unavailable' : loss);
    }
    if ('ok' in m) {
      this.stats.mapped++;
      return { prepared: preparedFromColumns(m.ok) };
    }
    if ('httpError' in m) {
      this.stats.mapped++;
      return { httpError: m.httpError };
    }
    this.#opts.logger?.error({ err: 'fail' in m ? m.fail : 'unknown' }, 'map worker failed on a request; mapped inline');
    return this.#fallback('worker_error');
  }

  #fallback(reason: MapFallbackReason): MapOutcome {
    this.#opts.onFallback?.(reason);
    return { fallback: reason };
  }

  /** Test hook: terminates the workers as a crash would (their requests fall back; they restart). */
  async killWorkersForTest(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.kill()));
  }

  /** Workers ready now (tests, readiness). */
  readyWorkers(): number {
    return this.#workers.filter((w) => w.ready).length;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all(this.#workers.map((w) => w.close()));
  }
}
