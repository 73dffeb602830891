/**
 * Shared machinery for the reliability proofs (tests in this folder and the soak in ../../soak):
 * outbox backends (SQLite file / real redis-server), a crash-tolerant load generator that records every
 * event id the server acknowledged, the conservation check against what the sandbox received, Graph
 * request counting, and RSS sampling from /proc.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { browserPurchase, purchase } from '../support/events.js';
import type { SandboxEvent } from '../support/sandbox.js';
import { spawnServer, TEST_API_KEY, TEST_ORIGIN, type CapiServer, type SpawnServerOptions } from '../support/server.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';

export type BackendName = 'sqlite' | 'redis';
export const BACKENDS: readonly BackendName[] = ['sqlite', 'redis'];

/** Where a server's outbox lives, so a restarted server opens the same queue. */
export interface Backend {
  name: BackendName;
  /** Options for spawnServer that point at this backend's outbox (same one on every call). */
  serverOptions(graphUrl: string, env?: Record<string, string>): SpawnServerOptions;
  /** Record the first server's data dir (SQLite file lives there). */
  adopt(server: CapiServer): void;
  close(): Promise<void>;
}

export async function openBackend(name: BackendName): Promise<Backend> {
  if (name === 'sqlite') {
    let outboxPath: string | undefined;
    let dataDir: string | undefined;
    return {
      name,
      serverOptions: (graphUrl, env = {}) => ({ graphUrl, env, ...(outboxPath && dataDir ? { outboxPath, dataDir } : {}) }),
      adopt(server) {
        outboxPath ??= server.outboxPath;
        dataDir ??= server.dataDir;
      },
      async close() {},
    };
  }
  const redis: RedisServer = await startRedisServer();
  const outbox = `${redis.url}?prefix=rel-${randomUUID().slice(0, 8)}:`;
  return {
    name,
    serverOptions: (graphUrl, env = {}) => ({ graphUrl, env: { OUTBOX: outbox, ...env } }),
    adopt() {},
    close: () => redis.stop(),
  };
}

/** Current-server holder: the load generator always targets the latest (re)started process. */
export class ServerSlot {
  current: CapiServer | undefined;
  readonly all: CapiServer[] = [];
  set(s: CapiServer): void {
    this.current = s;
    this.all.push(s);
  }
}

export interface LoadStats {
  requests: number;
  /** Requests that failed at the transport level (server dead) or got a non-2xx (e.g. 503 while draining). */
  refused: number;
  collectAcked: number;
  apiAcked: number;
}

/**
 * Fires /v1/events batches and /collect single events at whatever server is current until `stop()`.
 * An event id is recorded only when the server answered 2xx *and* listed it as accepted (202 for /collect):
 * that is the promise conservation checks.
 */
export function startLoad(slot: ServerSlot, options: { batchSize?: number; workers?: number; pauseMs?: number } = {}): {
  acked: Set<string>;
  stats: LoadStats;
  stop(): Promise<void>;
} {
  const acked = new Set<string>();
  const stats: LoadStats = { requests: 0, refused: 0, collectAcked: 0, apiAcked: 0 };
  let running = true;
  const batchSize = options.batchSize ?? 20;
  const pause = options.pauseMs ?? 5;
  const worker = async (kind: 'api' | 'collect'): Promise<void> => {
    while (running) {
      const s = slot.current;
      if (!s || s.proc.exitCode !== null || s.proc.signalCode !== null) {
        await sleep(20);
        continue;
      }
      stats.requests++;
      try {
        if (kind === 'api') {
          const batch = Array.from({ length: batchSize }, () => purchase());
          const res = await fetch(`${s.url}/v1/events`, {
            method: 'POST',
            headers: { authorization: `Bearer ${TEST_API_KEY}`, 'content-type': 'application/json' },
            body: JSON.stringify({ batch }),
          });
          const body = (await res.json()) as { results?: Array<{ status: string; event_id?: string }> };
          if (res.status === 200) {
            for (const r of body.results ?? []) {
              if (r.status === 'accepted' && r.event_id) {
                acked.add(r.event_id);
                stats.apiAcked++;
              }
            }
          } else stats.refused++;
        } else {
          const ev = browserPurchase();
          const res = await fetch(`${s.url}/collect`, {
            method: 'POST',
            headers: { origin: TEST_ORIGIN, 'content-type': 'text/plain;charset=UTF-8', 'user-agent': 'Mozilla/5.0 (reliability)' },
            body: JSON.stringify(ev),
          });
          const body = (await res.json()) as { results?: Array<{ status: string; event_id?: string }> };
          if (res.status === 202) {
            for (const r of body.results ?? []) {
              if (r.status === 'accepted' && r.event_id) {
                acked.add(r.event_id);
                stats.collectAcked++;
              }
            }
          } else stats.refused++;
        }
      } catch {
        stats.refused++; // connection refused/reset: the server died; nothing was acknowledged
      }
      if (pause > 0) await sleep(pause);
    }
  };
  const n = options.workers ?? 2;
  const all = [...Array.from({ length: n }, () => worker('api')), ...Array.from({ length: n }, () => worker('collect'))];
  return {
    acked,
    stats,
    async stop() {
      running = false;
      await Promise.all(all);
    },
  };
}

export interface ConservationReport {
  acked: number;
  delivered: number;
  missing: string[];
  /** Extra deliveries beyond the first, per event id (at-least-once). */
  duplicates: number;
  /** Event ids delivered more than once with a different payload (must be empty). */
  divergent: string[];
  /** Event ids Meta counted more than once (must be empty: a redelivery is deduplicated). */
  countedTwice: string[];
}

/**
 * Conservation (Vector's property): every acknowledged id reached "Meta" (counted or deduplicated, not
 * rejected); an id delivered twice must carry the same event both times.
 */
export function checkConservation(acked: ReadonlySet<string>, events: readonly SandboxEvent[]): ConservationReport {
  const byId = new Map<string, SandboxEvent[]>();
  for (const e of events) {
    if (e.status === 'rejected' || !e.eventId) continue;
    const list = byId.get(e.eventId);
    if (list) list.push(e);
    else byId.set(e.eventId, [e]);
  }
  const missing = [...acked].filter((id) => !byId.has(id));
  let duplicates = 0;
  const divergent: string[] = [];
  const countedTwice: string[] = [];
  for (const [id, list] of byId) {
    duplicates += list.length - 1;
    if (list.filter((e) => e.status === 'counted').length > 1) countedTwice.push(id);
    if (list.length > 1) {
      const first = JSON.stringify(list[0]!.payload);
      if (list.some((e) => JSON.stringify(e.payload) !== first)) divergent.push(id);
    }
  }
  return { acked: acked.size, delivered: byId.size, missing, duplicates, divergent, countedTwice };
}

export interface SandboxStats {
  graphRequests: number;
  accepted: number;
  rejected: number;
  faulted: number;
  eventsReceived: number;
}

export async function sandboxStats(sandbox: { url: string }): Promise<SandboxStats> {
  const res = await fetch(`${sandbox.url}/_sandbox/stats`);
  if (!res.ok) throw new Error(`GET /_sandbox/stats → ${res.status}`);
  return (await res.json()) as SandboxStats;
}

/** Resident set size of a process in MB (Linux /proc). */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) / 1024;
}

/** Peak RSS (VmHWM) in MB. */
export function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
  if (!m) throw new Error(`no VmHWM for pid ${pid}`);
  return Number(m[1]) / 1024;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Deterministic-enough PRNG for kill timings (seeded so a failing run can be replayed). */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 0x1_0000_0000;
  };
}

/** Starts a server on `backend` and registers it in `slot`. */
export async function startOn(backend: Backend, slot: ServerSlot, graphUrl: string, env: Record<string, string> = {}): Promise<CapiServer> {
  const s = await spawnServer(backend.serverOptions(graphUrl, env));
  backend.adopt(s);
  slot.set(s);
  return s;
}

export interface CrashRunOptions {
  kills: number;
  /** Random uptime before each SIGKILL, ms. */
  minUpMs: number;
  maxUpMs: number;
  seed: number;
  env?: Record<string, string>;
  onKill?: (n: number, upMs: number) => void;
}

/**
 * Crash loop: start a server, let the load run for a random time, SIGKILL it (no drain, no goodbye),
 * restart on the same outbox. Leaves the last server running. Returns how many kills happened.
 */
export async function crashLoop(backend: Backend, slot: ServerSlot, graphUrl: string, o: CrashRunOptions): Promise<number> {
  const random = rng(o.seed);
  if (!slot.current) await startOn(backend, slot, graphUrl, o.env);
  let kills = 0;
  for (let i = 0; i < o.kills; i++) {
    const up = o.minUpMs + Math.floor(random() * (o.maxUpMs - o.minUpMs));
    await sleep(up);
    await slot.current!.kill();
    kills++;
    o.onKill?.(kills, up);
    await startOn(backend, slot, graphUrl, o.env);
  }
  return kills;
}
