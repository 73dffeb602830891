/**
 * The outbox contract, run against every backend: SQLite (temp file; inline and on a worker thread) and Redis Streams (a real
 * redis-server). Each test gets fresh storage (its own SQLite file / its own Redis key prefix);
 * `open()` opens another instance on that same storage (reopen, several claimers).
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CapiServerEvent } from '../mapping/types.js';
import type { DeadLetterError, Outbox, OutboxEntry } from './types.js';
import { createRedisOutbox } from './redis.js';
import { SqliteOutbox } from './sqlite.js';
import { ThreadedSqliteOutbox } from './sqlite-thread.js';
import { startRedisServer, type RedisServer } from '../../test/support/redis-server.js';

interface Backend {
  name: string;
  /** Separate instances on one storage behave like separate processes (claim leases are shared). */
  multiInstance: boolean;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** New, empty storage for the next test. */
  fresh(): void;
  open(options?: { maxDepth?: number }): Promise<Outbox>;
}

let redis: RedisServer | undefined;
let redisPrefixSeq = 0;
let redisPrefix = '';

const redisBackend: Backend = {
  name: 'redis',
  multiInstance: true,
  async start() {
    redis = await startRedisServer();
  },
  async stop() {
    await redis?.stop();
  },
  fresh() {
    redisPrefix = `contract${++redisPrefixSeq}:`;
  },
  open(options = {}) {
    if (!redis) throw new Error('redis-server not started');
    return createRedisOutbox(redis.url, { keyPrefix: redisPrefix, ...options });
  },
};

let sqliteDir = '';
let sqliteFileSeq = 0;
let sqlitePath = '';

const sqliteBackend: Backend = {
  name: 'sqlite-inline',
  multiInstance: true,
  async start() {
    sqliteDir = mkdtempSync(join(tmpdir(), 'capi-outbox-contract-'));
  },
  async stop() {
    rmSync(sqliteDir, { recursive: true, force: true });
  },
  fresh() {
    sqlitePath = join(sqliteDir, `outbox-${++sqliteFileSeq}.db`);
  },
  async open(options = {}) {
    return new SqliteOutbox(sqlitePath, options);
  },
};

/** Same storage as sqlite-inline, the database on a worker thread (the default of createOutbox). */
const sqliteThreadBackend: Backend = {
  ...sqliteBackend,
  name: 'sqlite-thread',
  async open(options = {}) {
    return ThreadedSqliteOutbox.open(sqlitePath, options);
  },
};

const backends: Backend[] = [sqliteBackend, sqliteThreadBackend, redisBackend];

const DEST = 'pixel-a';
const OTHER = 'pixel-b';
const LONG_LEASE = 60_000;

let seq = 0;
function makeEvent(tag = ''): CapiServerEvent {
  seq += 1;
  return {
    event_name: 'Purchase',
    event_time: Math.floor(Date.now() / 1000),
    event_id: `ev-${seq}${tag}`,
    action_source: 'website',
    event_source_url: 'https://shop.example/checkout?a=1|2',
    user_data: { em: ['a'.repeat(64)], client_user_agent: 'Mozilla/5.0 (X11) «ünï|cødé»', fbp: 'fb.1.1.1' },
    custom_data: { value: 12.5, currency: 'EUR', contents: [{ id: 'sku|1', quantity: 2 }] },
  };
}

function items(dest: string, n: number, tag = '') {
  return Array.from({ length: n }, () => ({ destinationId: dest, event: makeEvent(tag) }));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const eventIds = (entries: readonly OutboxEntry[]) => entries.map((e) => e.event.event_id).sort();

/** Claims until `n` entries came back or the deadline passes (no timing asserts: just bounded polling). */
async function claimUntil(outbox: Outbox, dest: string, n: number, leaseMs: number, deadlineMs = 10_000) {
  const got: OutboxEntry[] = [];
  const end = Date.now() + deadlineMs;
  while (got.length < n && Date.now() < end) {
    got.push(...(await outbox.claim(dest, n - got.length, leaseMs)));
    if (got.length < n) await sleep(25);
  }
  return got;
}

describe.each(backends)('outbox contract: $name', (backend) => {
  const opened: Outbox[] = [];
  const open = async (options?: { maxDepth?: number }) => {
    const o = await backend.open(options);
    opened.push(o);
    return o;
  };

  beforeAll(() => backend.start());
  afterAll(() => backend.stop());
  beforeEach(() => backend.fresh());
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((o) => o.close()));
  });

  it('enqueue → claim → ack round-trips events and removes them', async () => {
    const outbox = await open();
    const a = items(DEST, 3);
    const b = items(OTHER, 2);
    const before = Date.now();
    expect(await outbox.enqueue([...a, ...b])).toEqual({ ok: true });
    expect(await outbox.enqueue([])).toEqual({ ok: true });
    expect(await outbox.depth(DEST)).toBe(3);
    expect(await outbox.depth(OTHER)).toBe(2);
    expect(await outbox.depth()).toBe(5);

    const claimed = await outbox.claim(DEST, 10, LONG_LEASE);
    expect(claimed.map((e) => e.event)).toEqual(a.map((i) => i.event));
    for (const e of claimed) {
      expect(e.destinationId).toBe(DEST);
      expect(e.attempts).toBe(0);
      expect(e.enqueuedAt).toBeGreaterThanOrEqual(before - 1000);
      expect(e.enqueuedAt).toBeLessThanOrEqual(Date.now() + 1000);
    }
    expect(new Set(claimed.map((e) => e.id)).size).toBe(3);
    expect(await outbox.claim(DEST, 10, LONG_LEASE)).toEqual([]); // leased: invisible
    expect(await outbox.depth(DEST)).toBe(3); // leased entries still count

    await outbox.ack(DEST, claimed.map((e) => e.id));
    expect(await outbox.depth(DEST)).toBe(0);
    expect(await outbox.depth()).toBe(2);
    expect(await outbox.claim(DEST, 10, 0)).toEqual([]); // gone for good, even with a zero lease
    expect(eventIds(await outbox.claim(OTHER, 10, LONG_LEASE))).toEqual(b.map((i) => i.event.event_id).sort());
  });

  it('an expired lease makes the entries claimable again', async () => {
    const outbox = await open();
    await outbox.enqueue(items(DEST, 4));
    const first = await outbox.claim(DEST, 10, 300);
    expect(first).toHaveLength(4);
    expect(await outbox.claim(DEST, 10, 300)).toEqual([]);
    await sleep(600);
    const again = await claimUntil(outbox, DEST, 4, 300);
    expect(eventIds(again)).toEqual(eventIds(first));
    expect(again.every((e) => e.attempts === 0)).toBe(true);
    await outbox.ack(DEST, again.map((e) => e.id));
    expect(await outbox.depth(DEST)).toBe(0);
  });

  it('retryLater hides entries until notBefore, then returns them with attempts + 1', async () => {
    const outbox = await open();
    await outbox.enqueue(items(DEST, 2, '|retry'));
    const [x, y] = await outbox.claim(DEST, 10, LONG_LEASE);
    if (!x || !y) throw new Error('expected two entries');
    const notBefore = Date.now() + 700;
    await outbox.retryLater(DEST, [x.id], notBefore);
    expect(await outbox.depth(DEST)).toBe(2);
    expect(await outbox.claim(DEST, 10, LONG_LEASE)).toEqual([]); // not due yet (y is still leased)

    const [due] = await claimUntil(outbox, DEST, 1, LONG_LEASE);
    expect(Date.now()).toBeGreaterThanOrEqual(notBefore);
    expect(due?.event).toEqual(x.event);
    expect(due?.attempts).toBe(1);
    expect(due?.enqueuedAt).toBe(x.enqueuedAt);

    await outbox.retryLater(DEST, [due!.id], Date.now() + 50);
    const [again] = await claimUntil(outbox, DEST, 1, LONG_LEASE);
    expect(again?.attempts).toBe(2);
    expect(again?.event).toEqual(x.event);

    await outbox.ack(DEST, [again!.id, y.id]);
    expect(await outbox.depth(DEST)).toBe(0);
  });

  it('dead-letters keep the event and Meta’s reason; list filters; replay re-queues', async () => {
    const outbox = await open();
    const its = items(DEST, 3);
    await outbox.enqueue([...its, ...items(OTHER, 1)]);
    const claimed = await outbox.claim(DEST, 10, LONG_LEASE);
    const [bad, bad2, good] = claimed;
    if (!bad || !bad2 || !good) throw new Error('expected three entries');
    const error: DeadLetterError = {
      reason: 'meta_rejected',
      httpStatus: 400,
      code: 100,
      errorSubcode: 2804003,
      errorUserTitle: 'Invalid parameter',
      errorUserMsg: 'event_time is too old | «détail»',
      fbtraceId: 'AbC123',
    };
    await outbox.deadLetter(DEST, [
      { id: bad.id, error },
      { id: bad2.id, error: { reason: 'too_old' } },
    ]);
    await outbox.ack(DEST, [good.id]);
    expect(await outbox.depth(DEST)).toBe(0);

    const all = await outbox.listDeadLetters();
    expect(all).toHaveLength(2);
    const first = all.find((d) => d.event.event_id === bad.event.event_id);
    expect(first).toMatchObject({ destinationId: DEST, event: bad.event, error, attempts: 0 });
    expect(first!.deadLetteredAt).toBeGreaterThan(0);
    expect(await outbox.listDeadLetters({ destinationId: OTHER })).toEqual([]);
    expect(await outbox.listDeadLetters({ destinationId: DEST, limit: 1 })).toHaveLength(1);

    // Replay one by id, then the rest.
    expect(await outbox.replayDeadLetters({ destinationId: DEST, ids: [first!.id] })).toBe(1);
    expect(await outbox.depth(DEST)).toBe(1);
    expect((await outbox.listDeadLetters()).map((d) => d.event.event_id)).toEqual([bad2.event.event_id]);
    expect(await outbox.replayDeadLetters()).toBe(1);
    expect(await outbox.listDeadLetters()).toEqual([]);
    expect(await outbox.depth(DEST)).toBe(2);
    const back = await outbox.claim(DEST, 10, LONG_LEASE);
    expect(eventIds(back)).toEqual([bad.event.event_id, bad2.event.event_id].sort());
    expect(await outbox.replayDeadLetters()).toBe(0);
  });

  it('depth counts queued, leased and delayed entries, per destination and in total', async () => {
    const outbox = await open();
    expect(await outbox.depth()).toBe(0);
    expect(await outbox.depth(DEST)).toBe(0);
    await outbox.enqueue([...items(DEST, 5), ...items(OTHER, 7)]);
    const leased = await outbox.claim(DEST, 2, LONG_LEASE);
    await outbox.retryLater(DEST, [leased[0]!.id], Date.now() + 60_000);
    expect(await outbox.depth(DEST)).toBe(5);
    expect(await outbox.depth(OTHER)).toBe(7);
    expect(await outbox.depth()).toBe(12);
    await outbox.ack(DEST, [leased[1]!.id]);
    expect(await outbox.depth(DEST)).toBe(4);
    expect(await outbox.depth()).toBe(11);
  });

  it('a bounded outbox refuses with outbox_full, all or nothing, and accepts again after acks', async () => {
    const outbox = await open({ maxDepth: 5 });
    expect(await outbox.enqueue(items(DEST, 3))).toEqual({ ok: true });
    const over = await outbox.enqueue([...items(OTHER, 1), ...items(DEST, 3)]);
    expect(over).toMatchObject({ ok: false, reason: 'outbox_full' });
    expect(await outbox.depth(DEST)).toBe(3);
    expect(await outbox.depth(OTHER)).toBe(0); // the batch was refused as a whole
    expect(await outbox.enqueue(items(DEST, 2))).toEqual({ ok: true });
    expect(await outbox.enqueue(items(DEST, 1))).toMatchObject({ ok: false, reason: 'outbox_full' });
    // Whether the bound is per destination (Redis) or in total (SQLite) is backend-specific: not asserted.

    const claimed = await outbox.claim(DEST, 2, LONG_LEASE);
    await outbox.ack(DEST, claimed.map((e) => e.id));
    expect(await outbox.enqueue(items(DEST, 2))).toEqual({ ok: true });
    expect(await outbox.depth(DEST)).toBe(5);
  });

  it('nothing is lost across close and reopen', async () => {
    const first = await open();
    const queued = items(DEST, 40);
    await first.enqueue(queued);
    const leased = await first.claim(DEST, 10, 300);
    const [retried, dead, acked] = leased;
    if (!retried || !dead || !acked) throw new Error('expected leased entries');
    await first.retryLater(DEST, [retried.id], Date.now() + 200);
    await first.deadLetter(DEST, [{ id: dead.id, error: { reason: 'meta_rejected', errorUserMsg: 'bad' } }]);
    await first.ack(DEST, [acked.id]);
    await first.close();
    opened.splice(opened.indexOf(first), 1);

    const second = await open();
    expect(await second.depth(DEST)).toBe(38);
    expect((await second.listDeadLetters()).map((d) => d.event.event_id)).toEqual([dead.event.event_id]);
    await sleep(400); // the first instance's leases (300 ms) have expired
    const drained = await claimUntil(second, DEST, 38, LONG_LEASE);
    const expected = queued
      .map((i) => i.event.event_id)
      .filter((id) => id !== dead.event.event_id && id !== acked.event.event_id)
      .sort();
    expect(eventIds(drained)).toEqual(expected);
    expect(drained.find((e) => e.event.event_id === retried.event.event_id)?.attempts).toBe(1);
  });

  it('concurrent claimers never hold the same entry at once', async () => {
    const total = 300;
    await (await open()).enqueue(items(DEST, total));
    const claimers = backend.multiInstance ? await Promise.all([open(), open(), open()]) : [await open()];
    const seen: OutboxEntry[] = [];
    let rounds = 0;
    while (seen.length < total && rounds < 200) {
      rounds += 1;
      const batches = await Promise.all(
        [0, 1, 2, 3, 4, 5].map((i) => claimers[i % claimers.length]!.claim(DEST, 17, LONG_LEASE)),
      );
      for (const b of batches) seen.push(...b);
    }
    expect(seen).toHaveLength(total);
    expect(new Set(seen.map((e) => e.event.event_id)).size).toBe(total);
    expect(new Set(seen.map((e) => e.id)).size).toBe(total);
  });

  it('claims at most 1000 entries per call', async () => {
    const outbox = await open();
    await outbox.enqueue(items(DEST, 1500));
    const big = await outbox.claim(DEST, 5000, LONG_LEASE);
    expect(big.length).toBeGreaterThan(0);
    expect(big.length).toBeLessThanOrEqual(1000);
    const rest = await claimUntil(outbox, DEST, 1500 - big.length, LONG_LEASE);
    expect(new Set([...big, ...rest].map((e) => e.event.event_id)).size).toBe(1500);
    await outbox.ack(DEST, [...big, ...rest].map((e) => e.id));
    expect(await outbox.depth(DEST)).toBe(0);
  });
});
