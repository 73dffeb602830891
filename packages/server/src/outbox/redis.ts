/**
 * Redis Streams outbox (`OUTBOX=redis://host:port[/db]`), shared by several server instances.
 *
 * Per destination: stream `{prefix}{dest}:events` with consumer group `delivery` (one consumer per
 * process), sorted set `{prefix}{dest}:delayed` (retries waiting for notBefore), stream
 * `{prefix}{dest}:dead` (dead letters). Every transition is one Lua script (see redis-scripts.ts).
 * Acked/dead-lettered entries are XDEL'd, so XLEN + ZCARD(delayed) is exactly the depth; the stream is
 * never MAXLEN-trimmed — when a destination reaches maxDepth, enqueue answers `outbox_full`.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { CapiServerEvent } from '../mapping/types.js';
import { MAX_EVENTS_PER_REQUEST } from '../meta/rules.js';
import type {
  DeadLetter,
  DeadLetterError,
  DeadLetterOutcome,
  EnqueueItem,
  EnqueueResult,
  Outbox,
  OutboxEntry,
  OutboxStatus,
} from './types.js';
import { destinationsKey, redisKeys, resolveRedisOutboxConfig, type RedisOutboxConfig, type RedisOutboxOptions } from './redis-config.js';
import { serialiseItems } from './serialise.js';
import { ACK, CLAIM, DEAD_LETTER, ENQUEUE, REPLAY, RETRY_LATER, SWEEP_CONSUMERS, type LuaScript } from './redis-scripts.js';

export type { RedisOutboxOptions } from './redis-config.js';

const GROUP = 'delivery';
/** Upper bound of one claim (one Graph request) and of ids per script call (keeps Lua's unpack far below its stack limit). */
const MAX_BATCH = MAX_EVENTS_PER_REQUEST;
const DEFAULT_DEAD_LETTER_LIMIT = 100;
/** Share of maxmemory from which status() reports the storage full (Redis refuses writes at 100 %). */
const STORAGE_HEADROOM = 0.95;
/**
 * Leases are encoded as PEL idle time (see CLAIM in redis-scripts.ts): an entry becomes reclaimable once
 * its idle time reaches this horizon. Also the longest lease honoured.
 */
const LEASE_HORIZON_MS = 30 * 24 * 3600 * 1000;
/** Consumers (one per process run) without pending entries are removed after this much inactivity… */
const CONSUMER_IDLE_MS = 3600 * 1000;
/** …checked at most this often per destination, from claim. */
const SWEEP_EVERY_MS = 10 * 60 * 1000;

type Fields = Record<string, string>;

function toFields(arr: unknown): Fields {
  const out: Fields = {};
  if (!Array.isArray(arr)) return out;
  for (let i = 0; i + 1 < arr.length; i += 2) out[String(arr[i])] = String(arr[i + 1]);
  return out;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class RedisOutbox implements Outbox {
  readonly consumer: string;
  private closed = false;
  /** The last enqueue hit Redis OOM and nothing freed memory since (see status). */
  private oomSeen = false;
  /** Destinations this instance claimed from, with the time of their last consumer sweep. */
  private readonly swept = new Map<string, number>();

  constructor(
    private readonly redis: Redis,
    private readonly config: RedisOutboxConfig,
  ) {
    this.consumer = config.consumerName ?? `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`;
  }

  private keys(destinationId: string) {
    return redisKeys(this.config.keyPrefix, destinationId);
  }

  /** EVALSHA, falling back to EVAL once when the script cache does not have it (restart, SCRIPT FLUSH). */
  private async run(s: LuaScript, keys: string[], args: Array<string | number>): Promise<unknown> {
    try {
      return await this.redis.evalsha(s.sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!errorMessage(err).includes('NOSCRIPT')) throw err;
      return await this.redis.eval(s.lua, keys.length, ...keys, ...args);
    }
  }

  async enqueue(items: readonly EnqueueItem[]): Promise<EnqueueResult> {
    if (items.length === 0) return { ok: true };
    if (this.closed) return { ok: false, reason: 'outbox_unavailable', detail: 'outbox closed' };
    const json = serialiseItems(items);
    if (!Array.isArray(json)) return json;
    const byDest = new Map<string, string[]>();
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      let list = byDest.get(item.destinationId);
      if (!list) byDest.set(item.destinationId, (list = []));
      list.push(json[i]!);
    }
    const keys = [destinationsKey(this.config.keyPrefix)];
    const args: Array<string | number> = [this.config.maxDepth, Date.now(), GROUP, byDest.size];
    for (const [dest, events] of byDest) {
      const k = this.keys(dest);
      keys.push(k.events, k.delayed);
      args.push(dest, events.length, ...events);
    }
    try {
      const reply = (await this.run(ENQUEUE, keys, args)) as unknown[];
      this.oomSeen = false;
      if (reply[0] === 'full') {
        return {
          ok: false,
          reason: 'outbox_full',
          detail: `destination ${String(reply[1])} holds ${String(reply[2])} entries (maxDepth ${this.config.maxDepth})`,
        };
      }
      return { ok: true };
    } catch (err) {
      const msg = errorMessage(err);
      // noeviction + maxmemory reached: Redis refuses writes. Nothing was written (OOM is checked first).
      if (msg.startsWith('OOM')) {
        this.oomSeen = true;
        return { ok: false, reason: 'storage_full', detail: 'redis maxmemory reached (noeviction); delivery frees memory' };
      }
      return { ok: false, reason: 'outbox_unavailable', detail: `redis: ${msg}` };
    }
  }

  async claim(destinationId: string, max: number, leaseMs: number): Promise<OutboxEntry[]> {
    const n = Math.min(Math.floor(max), MAX_BATCH);
    if (!(n >= 1)) return [];
    const k = this.keys(destinationId);
    await this.maybeSweep(destinationId, k.events);
    const lease = Math.min(LEASE_HORIZON_MS, Math.max(0, Math.floor(leaseMs)));
    const reply = (await this.run(
      CLAIM,
      [k.events, k.delayed],
      [GROUP, this.consumer, n, lease, Date.now(), LEASE_HORIZON_MS],
    )) as unknown[];
    const entries: OutboxEntry[] = [];
    for (let i = 0; i + 3 < reply.length; i += 4) {
      const e = String(reply[i + 3]);
      if (e === '') continue;
      entries.push({
        id: String(reply[i]),
        destinationId,
        event: JSON.parse(e) as CapiServerEvent,
        enqueuedAt: Number(reply[i + 2]),
        attempts: Number(reply[i + 1]),
      });
    }
    return entries;
  }

  private async maybeSweep(destinationId: string, eventsKey: string): Promise<void> {
    const now = Date.now();
    const last = this.swept.get(destinationId);
    if (last !== undefined && now - last < SWEEP_EVERY_MS) return;
    this.swept.set(destinationId, now);
    if (last === undefined) return; // first claim: nothing to tidy yet, keep start-up cheap
    await this.run(SWEEP_CONSUMERS, [eventsKey], [GROUP, CONSUMER_IDLE_MS, '']);
  }

  async ack(destinationId: string, ids: readonly string[]): Promise<void> {
    const k = this.keys(destinationId);
    for (const part of chunks(ids, MAX_BATCH)) await this.run(ACK, [k.events], [GROUP, ...part]);
    if (ids.length > 0) this.oomSeen = false;
  }

  async retryLater(destinationId: string, ids: readonly string[], notBefore: number): Promise<void> {
    const k = this.keys(destinationId);
    const nb = Math.floor(notBefore);
    for (const part of chunks(ids, MAX_BATCH)) {
      await this.run(RETRY_LATER, [k.events, k.delayed], [GROUP, this.consumer, nb, ...part]);
    }
  }

  async deadLetter(
    destinationId: string,
    entries: ReadonlyArray<{ id: string; error: DeadLetterError }>,
  ): Promise<DeadLetterOutcome> {
    const k = this.keys(destinationId);
    let evicted = 0;
    for (const part of chunks(entries, MAX_BATCH)) {
      const args: Array<string | number> = [GROUP, this.consumer, Date.now(), this.config.deadLetterMaxCount, this.config.deadLetterMaxBytes];
      for (const e of part) args.push(e.id, JSON.stringify(e.error));
      const reply = (await this.run(DEAD_LETTER, [k.events, k.dead, k.deadInfo], args)) as unknown[];
      evicted += Number(reply[1] ?? 0);
    }
    return { evicted };
  }

  async status(destinationId?: string): Promise<OutboxStatus> {
    const dests = await this.destinations(destinationId);
    const pipe = this.redis.pipeline();
    for (const d of dests) {
      const k = this.keys(d);
      pipe.xlen(k.dead).hget(k.deadInfo, 'bytes');
    }
    pipe.info('memory');
    const results = (await pipe.exec()) ?? [];
    let deadLetters = 0;
    let deadLetterBytes = 0;
    for (let i = 0; i < dests.length * 2; i++) {
      const [err, value] = results[i]!;
      if (err) throw err;
      if (i % 2 === 0) deadLetters += Number(value);
      else deadLetterBytes += Number(value ?? 0);
    }
    const info = String(results[results.length - 1]?.[1] ?? '');
    const used = Number(/^used_memory:(\d+)/m.exec(info)?.[1] ?? 0);
    const max = Number(/^maxmemory:(\d+)/m.exec(info)?.[1] ?? 0);
    const nearMax = max > 0 && used >= max * STORAGE_HEADROOM;
    return { deadLetters, deadLetterBytes, storageFull: nearMax || this.oomSeen };
  }

  private async destinations(destinationId?: string): Promise<string[]> {
    if (destinationId !== undefined) return [destinationId];
    const members = await this.redis.smembers(destinationsKey(this.config.keyPrefix));
    return members.sort();
  }

  async depth(destinationId?: string): Promise<number> {
    const dests = await this.destinations(destinationId);
    if (dests.length === 0) return 0;
    const pipe = this.redis.pipeline();
    for (const d of dests) {
      const k = this.keys(d);
      pipe.xlen(k.events).zcard(k.delayed);
    }
    const results = (await pipe.exec()) ?? [];
    let total = 0;
    for (const [err, value] of results) {
      if (err) throw err;
      total += Number(value);
    }
    return total;
  }

  async listDeadLetters(options: { destinationId?: string; limit?: number } = {}): Promise<DeadLetter[]> {
    const limit = Math.max(0, Math.floor(options.limit ?? DEFAULT_DEAD_LETTER_LIMIT));
    if (limit === 0) return [];
    const out: DeadLetter[] = [];
    for (const dest of await this.destinations(options.destinationId)) {
      const rows = (await this.redis.xrange(this.keys(dest).dead, '-', '+', 'COUNT', limit)) as Array<[string, string[]]>;
      for (const [id, raw] of rows) {
        const f = toFields(raw);
        if (f.e === undefined) continue;
        out.push({
          id,
          destinationId: dest,
          event: JSON.parse(f.e) as CapiServerEvent,
          error: JSON.parse(f.err ?? '{"reason":"unknown"}') as DeadLetterError,
          attempts: Number(f.a ?? 0),
          deadLetteredAt: Number(f.d ?? 0),
        });
      }
    }
    out.sort((a, b) => a.deadLetteredAt - b.deadLetteredAt);
    return out.slice(0, limit);
  }

  async replayDeadLetters(options: { destinationId?: string; ids?: readonly string[] } = {}): Promise<number> {
    let total = 0;
    const setKey = destinationsKey(this.config.keyPrefix);
    for (const dest of await this.destinations(options.destinationId)) {
      const k = this.keys(dest);
      const base = [k.dead, k.events, setKey, k.deadInfo];
      if (options.ids) {
        for (const part of chunks(options.ids, MAX_BATCH)) {
          total += Number(await this.run(REPLAY, base, [GROUP, dest, Date.now(), 'ids', ...part]));
        }
        continue;
      }
      // Bounded: replays what was there when we started, even if new dead letters keep arriving.
      let remaining = await this.redis.xlen(k.dead);
      while (remaining > 0) {
        const moved = Number(await this.run(REPLAY, base, [GROUP, dest, Date.now(), 'all', Math.min(remaining, MAX_BATCH)]));
        if (moved === 0) break;
        total += moved;
        remaining -= moved;
      }
    }
    return total;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      // Leave no empty consumer behind (one with pending entries stays, for others to reclaim from).
      for (const dest of this.swept.keys()) {
        await this.run(SWEEP_CONSUMERS, [this.keys(dest).events], [GROUP, 0, this.consumer]).catch(() => undefined);
      }
      await this.redis.quit();
    } catch {
      this.redis.disconnect();
    }
  }
}

/**
 * Connects and returns the outbox. Fails (rejects) with an error naming OUTBOX when the URL is invalid or
 * Redis cannot be reached within connectTimeoutMs; the password never appears in the message.
 */
export async function createRedisOutbox(url: string, options: RedisOutboxOptions = {}): Promise<Outbox> {
  const resolved = resolveRedisOutboxConfig(url, options);
  if (!resolved.ok) throw new Error(resolved.error);
  const config = resolved.config;
  const redis = new Redis(config.connectUrl, {
    lazyConnect: true,
    // Fail fast instead of queueing while disconnected: the request path answers 503 right away.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: config.commandTimeoutMs,
    connectTimeout: config.connectTimeoutMs,
    retryStrategy: (times: number) => Math.min(times * 100, 2000),
  });
  // Without a listener ioredis prints every reconnect error; the outbox reports failures through its results.
  redis.on('error', () => {});
  try {
    await withTimeout(redis.connect(), config.connectTimeoutMs);
  } catch (err) {
    redis.disconnect();
    throw new Error(`OUTBOX: cannot connect to ${config.safeUrl}: ${errorMessage(err)}`);
  }
  return new RedisOutbox(redis, config);
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
