/**
 * Dead letters are bounded by count and bytes in every backend (oldest evicted, counted), and a full
 * storage (a size-capped SQLite file; Redis at maxmemory with noeviction) is reported by status(), refused
 * by enqueue as `storage_full`, and recovers once delivery frees space.
 */
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CapiServerEvent } from '../mapping/types.js';
import { testBackends } from '../../test/support/outbox-backends.js';
import type { EnqueueItem, Outbox, OutboxEntry } from './types.js';

const DEST = 'pixel-a';
let seq = 0;

function event(padding = 0): CapiServerEvent {
  seq += 1;
  return {
    event_name: 'Purchase', event_time: Math.floor(Date.now() / 1000), event_id: `ev-${seq}`, action_source: 'website',
    user_data: { em: ['a'.repeat(64)] }, custom_data: { value: 1, currency: 'EUR', ...(padding ? { note: 'p'.repeat(padding) } : {}) },
  };
}
const items = (n: number, padding = 0): EnqueueItem[] => Array.from({ length: n }, () => ({ destinationId: DEST, event: event(padding) }));

async function claimAll(outbox: Outbox, n: number): Promise<OutboxEntry[]> {
  const got: OutboxEntry[] = [];
  for (let i = 0; i < 100 && got.length < n; i++) {
    got.push(...(await outbox.claim(DEST, Math.min(1000, n - got.length), 60_000)));
    if (got.length < n) await new Promise((r) => setTimeout(r, 20));
  }
  return got;
}

async function deadLetterAll(outbox: Outbox, n: number, padding = 0): Promise<{ ids: string[]; evicted: number }> {
  const enq = items(n, padding);
  expect(await outbox.enqueue(enq)).toEqual({ ok: true });
  const claimed = await claimAll(outbox, n);
  let evicted = 0;
  // One call per entry, as delivery does for single rejected events.
  for (const e of claimed) {
    const r = await outbox.deadLetter(DEST, [{ id: e.id, error: { reason: 'meta_rejected' } }]);
    evicted += r ? r.evicted : 0;
  }
  return { ids: enq.map((i) => i.event.event_id), evicted };
}

describe.each(testBackends())('dead-letter bounds and full storage: $name', (backend) => {
  const opened: Outbox[] = [];
  const open = async (options: Parameters<typeof backend.open>[0] = {}) => {
    const o = await backend.open(options);
    opened.push(o);
    return o;
  };
  beforeAll(() => backend.start(), 30_000);
  afterAll(() => backend.stop());
  beforeEach(() => backend.fresh());
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((o) => o.close()));
  });

  it('keeps at most deadLetterMaxCount dead letters: the oldest are evicted and counted', async () => {
    const outbox = await open({ deadLetterMaxCount: 5 });
    const { ids, evicted } = await deadLetterAll(outbox, 8);
    expect(evicted).toBe(3);
    const kept = await outbox.listDeadLetters({ limit: 100 });
    expect(kept.map((d) => d.event.event_id)).toEqual(ids.slice(3));
    const st = await outbox.status!(DEST);
    expect(st.deadLetters).toBe(5);
    expect(st.deadLetterBytes).toBeGreaterThan(5 * 100);
    expect(await outbox.depth(DEST)).toBe(0);
    // Replay takes them out of the store (and its totals).
    expect(await outbox.replayDeadLetters({ destinationId: DEST })).toBe(5);
    expect(await outbox.status!(DEST)).toMatchObject({ deadLetters: 0, deadLetterBytes: 0 });
  });

  it('keeps at most deadLetterMaxBytes of dead letters', async () => {
    const outbox = await open({ deadLetterMaxBytes: 10_000 });
    const { ids, evicted } = await deadLetterAll(outbox, 10, 2000);
    const st = await outbox.status!(DEST);
    expect(st.deadLetterBytes).toBeLessThanOrEqual(10_000);
    expect(st.deadLetters).toBeGreaterThanOrEqual(3);
    expect(evicted).toBe(10 - st.deadLetters);
    const kept = await outbox.listDeadLetters({ limit: 100 });
    expect(kept.map((d) => d.event.event_id)).toEqual(ids.slice(evicted));
  });

  it('a full storage is refused as storage_full, reported by status, and recovers once delivery acks', async () => {
    const redisServer = backend.redis?.();
    const admin = redisServer ? new Redis(redisServer.url) : undefined;
    try {
      const outbox = await open({ maxBytes: 512 * 1024 });
      if (admin) {
        // Headroom for what is stored so far plus ~1 MB: the loop below fills it.
        const used = Number(/^used_memory:(\d+)/m.exec(await admin.info('memory'))?.[1]);
        await admin.config('SET', 'maxmemory', String(used + 1_000_000));
      }
      let accepted = 0;
      let refusal: unknown;
      for (let i = 0; i < 400 && refusal === undefined; i++) {
        const r = await outbox.enqueue(items(10, 1500));
        if (r.ok) accepted += 10;
        else refusal = r;
      }
      expect(refusal).toMatchObject({ ok: false, reason: 'storage_full' });
      expect(accepted).toBeGreaterThan(0);
      expect((await outbox.status!()).storageFull).toBe(true);
      // Delivery still runs while full: claims and acks free space.
      const claimed = await claimAll(outbox, accepted);
      expect(claimed).toHaveLength(accepted);
      await outbox.ack(DEST, claimed.map((e) => e.id));
      expect(await outbox.depth(DEST)).toBe(0);
      expect((await outbox.status!()).storageFull).toBe(false);
      expect(await outbox.enqueue(items(10, 1500))).toEqual({ ok: true });
    } finally {
      if (admin) {
        await admin.config('SET', 'maxmemory', '0');
        admin.disconnect();
      }
    }
  });
});

describe.each(testBackends().filter((b) => b.name !== 'redis'))('SQLITE_FULL: $name', (backend) => {
  const opened: Outbox[] = [];
  const open = async (options: Parameters<typeof backend.open>[0] = {}) => {
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

  it('SQLITE_FULL in a group commit answers storage_full, stores nothing of it, and is reported until a commit succeeds', async () => {
    const outbox = await open({ maxBytes: 256 * 1024 });
    // Far below the 95 % headroom, so the commit itself runs into the page cap.
    const huge = await outbox.enqueue(items(200, 1500));
    expect(huge).toMatchObject({ ok: false, reason: 'storage_full' });
    expect((huge as { detail: string }).detail).toMatch(/full/);
    expect((await outbox.status!()).storageFull).toBe(true);
    expect(await outbox.depth(DEST)).toBe(0);
    // A request that fits is stored (SQLite rolled the failed transaction back) and clears the state.
    expect(await outbox.enqueue(items(5))).toEqual({ ok: true });
    expect((await outbox.status!()).storageFull).toBe(false);
    expect(await outbox.depth(DEST)).toBe(5);
  });
});
