import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { DestinationConfig } from '../mapping/types.js';
import { lazyEvent } from '../outbox/lazy-entry.js';
import type { EnqueueItem } from '../outbox/types.js';
import type { Prepared } from './ingest.js';
import { startWorker } from '../worker-thread.js';

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
  | { id: 0; ready: true }
  | { id: 0; fatal: string };

/** Why a request was mapped inline although the pool is on. */
export type MapFallbackReason = 'queue_full' | 'unavailable' | 'timeout' | 'worker_exit' | 'worker_error';

export type MapOutcome = { prepared: Prepared } | { httpError: MapHttpError } | { fallback: MapFallbackReason };

export interface MapPoolOptions {
  /** Worker threads (≥ 1). */
  size: number;
  destinations: readonly DestinationConfig[];
  buildModule?: string;
  /** Requests queued or in flight per worker before further ones are mapped inline (default 16: measured on 2 cores, handing every large batch to the worker beat sharing them with the main thread). */
  maxPending?: number;
  /** A request not answered within this is mapped inline and its worker restarted (default 10 s). */
  timeoutMs?: number;
  /** First restart delay after a worker exit (doubles up to 30 s; reset once a worker is ready). */
  restartDelayMs?: number;
  onFallback?: (reason: MapFallbackReason) => void;
  logger?: { error(obj: Record<string, unknown>, msg: string): void; info(obj: Record<string, unknown>, msg: string): void };
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
    items, count: c.count, accepted: c.accepted, results: [], resultsJson: c.resultsJson, firstEvents: [], source: 'api', drops: c.drops, keyMasks: c.keyMasks,
    itemFb: { fbp: c.fbp, fbc: c.fbc },
  };
}

/** The `map-worker` entry next to this file (built or from TS sources: see startWorker). */
function newWorker(init: MapWorkerInit): Worker {
  return startWorker(import.meta.url, 'map-worker', init);
}

interface Pending {
  resolve: (o: MapOutcome) => void;
  timer: NodeJS.Timeout;
}

class Slot {
  worker: Worker | undefined;
  ready = false;
  pending = new Map<number, Pending>();
  restartDelay: number;
  restartTimer: NodeJS.Timeout | undefined;
  constructor(delay: number) {
    this.restartDelay = delay;
  }
}

/**
 * Mapping worker threads for large `/v1/events` batches. `map` hands the raw body to the least busy
 * worker; the answer is either the prepared batch, the request error the inline parser would give, or a
 * fallback (pool busy, worker down, crashed or too slow): then the caller maps inline, so no request is
 * lost or left hanging by a worker. A crashed or timed-out worker is restarted.
 */
export class MapPool {
  readonly #opts: MapPoolOptions;
  readonly #init: MapWorkerInit;
  readonly #slots: Slot[];
  readonly #maxPending: number;
  readonly #timeoutMs: number;
  readonly #baseDelay: number;
  #seq = 0;
  #closed = false;
  /** Requests answered by a worker (prepared or a request error), for tests and diagnostics. */
  readonly stats = { mapped: 0 };

  constructor(opts: MapPoolOptions) {
    this.#opts = opts;
    // Only DestinationConfig fields (the mapping's input): no access tokens or app secrets in the workers.
    this.#init = {
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
    this.#timeoutMs = opts.timeoutMs ?? 10_000;
    this.#baseDelay = opts.restartDelayMs ?? 100;
    this.#slots = Array.from({ length: Math.max(1, opts.size) }, () => new Slot(this.#baseDelay));
  }

  /** Starts every worker; resolves once all are ready (a worker that fails to start is retried later). */
  async start(): Promise<void> {
    await Promise.all(this.#slots.map((s) => this.#start(s).catch((e: Error) => {
      this.#opts.logger?.error({ err: e.message }, 'map worker failed to start; mapping inline until it restarts');
      this.#scheduleRestart(s);
    })));
  }

  #start(s: Slot): Promise<void> {
    const w = newWorker(this.#init);
    w.unref();
    s.worker = w;
    s.ready = false;
    return new Promise<void>((resolve, reject) => {
      let started = false;
      w.on('message', (m: MapReply) => {
        if (m.id === 0) {
          if ('ready' in m) {
            started = true;
            if (s.worker === w) {
              s.ready = true;
              s.restartDelay = this.#baseDelay;
            }
            resolve();
          } else if ('fatal' in m) {
            reject(new Error(m.fatal));
            void w.terminate();
          }
          return;
        }
        const p = s.pending.get(m.id);
        if (!p) return;
        s.pending.delete(m.id);
        clearTimeout(p.timer);
        if (s.pending.size === 0) w.unref();
        if ('ok' in m) {
          this.stats.mapped++;
          p.resolve({ prepared: preparedFromColumns(m.ok) });
        } else if ('httpError' in m) {
          this.stats.mapped++;
          p.resolve({ httpError: m.httpError });
        }
        else {
          this.#opts.logger?.error({ err: 'fail' in m ? m.fail : 'unknown' }, 'map worker failed on a request; mapped inline');
          this.#fallback(p, 'worker_error');
        }
      });
      w.on('error', (e) => {
        if (!started) reject(new Error(`map worker failed to start: ${e.message}`));
        else this.#opts.logger?.error({ err: e.message }, 'map worker error');
      });
      w.on('exit', (code) => {
        if (!started) reject(new Error(`map worker exited during start (code ${code})`));
        if (s.worker !== w) return;
        this.#down(s, 'worker_exit');
        if (this.#closed) return;
        if (started) this.#opts.logger?.error({ code, restartInMs: s.restartDelay }, 'map worker exited unexpectedly; restarting');
        this.#scheduleRestart(s);
      });
    });
  }

  /** The slot's worker is gone (exit or terminated): its requests are mapped inline. */
  #down(s: Slot, reason: MapFallbackReason): void {
    s.worker = undefined;
    s.ready = false;
    const pending = s.pending;
    s.pending = new Map();
    for (const p of pending.values()) {
      clearTimeout(p.timer);
      this.#fallback(p, reason);
    }
  }

  #fallback(p: Pending, reason: MapFallbackReason): void {
    this.#opts.onFallback?.(reason);
    p.resolve({ fallback: reason });
  }

  #scheduleRestart(s: Slot): void {
    if (this.#closed || s.restartTimer) return;
    const delay = s.restartDelay;
    s.restartDelay = Math.min(30_000, s.restartDelay * 2);
    s.restartTimer = setTimeout(() => {
      s.restartTimer = undefined;
      if (this.#closed) return;
      this.#start(s).then(
        () => this.#opts.logger?.info({}, 'map worker restarted'),
        (e: Error) => {
          this.#opts.logger?.error({ err: e.message }, 'map worker restart failed');
          if (s.worker) void s.worker.terminate();
          s.worker = undefined;
          this.#scheduleRestart(s);
        },
      );
    }, delay);
    s.restartTimer.unref();
  }

  /** Maps one request body on a worker, or says why the caller must map it inline. */
  map(body: Uint8Array, now: number, maxBatch: number): Promise<MapOutcome> {
    let best: Slot | undefined;
    let any = false;
    for (const s of this.#slots) {
      if (!s.ready || !s.worker) continue;
      any = true;
      if (s.pending.size < this.#maxPending && (best === undefined || s.pending.size < best.pending.size)) best = s;
    }
    if (best === undefined) {
      const reason: MapFallbackReason = this.#closed || !any ? 'unavailable' : 'queue_full';
      this.#opts.onFallback?.(reason);
      return Promise.resolve({ fallback: reason });
    }
    const s = best;
    const w = s.worker!;
    this.#seq = this.#seq >= 0x3fffffff ? 1 : this.#seq + 1;
    const id = this.#seq;
    return new Promise<MapOutcome>((resolve) => {
      const timer = setTimeout(() => {
        if (!s.pending.has(id)) return;
        this.#opts.logger?.error({ timeoutMs: this.#timeoutMs }, 'map worker timed out; mapping inline and restarting it');
        s.pending.delete(id);
        this.#fallback({ resolve, timer }, 'timeout');
        if (s.worker === w) {
          this.#down(s, 'worker_exit');
          void w.terminate();
          this.#scheduleRestart(s);
        }
      }, this.#timeoutMs);
      if (s.pending.size === 0) w.ref();
      s.pending.set(id, { resolve, timer });
      const req: MapRequest = { id, body, now, maxBatch };
      w.postMessage(req);
    });
  }

  /** Test hook: terminates the workers as a crash would (their requests fall back; they restart). */
  async killWorkersForTest(): Promise<void> {
    await Promise.all(this.#slots.map((s) => s.worker?.terminate()));
  }

  /** Workers ready now (tests, readiness). */
  readyWorkers(): number {
    return this.#slots.filter((s) => s.ready).length;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all(this.#slots.map(async (s) => {
      if (s.restartTimer) clearTimeout(s.restartTimer);
      const w = s.worker;
      this.#down(s, 'unavailable');
      if (w) await w.terminate();
    }));
  }
}
