/** Redis-only behaviour: redis-server crashes, outages, maxmemory, prefixes, connection errors. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import type { CapiServerEvent } from '../mapping/types.js';
import type { Outbox } from './types.js';
import { createRedisOutbox } from './redis.js';
import { startRedisServer, type RedisServer } from '../../test/support/redis-server.js';

let server: RedisServer;
beforeAll(async () => {
  server = await startRedisServer();
});
afterAll(async () => {
  await server?.stop();
});

let seq = 0;
const ev = (): CapiServerEvent => ({
  event_name: 'Lead',
  event_time: Math.floor(Date.now() / 1000),
  event_id: `f-${++seq}`,
  action_source: 'website',
  user_data: { em: ['b'.repeat(64)] },
});
const batch = (n: number, dest = 'd1') => Array.from({ length: n }, () => ({ destinationId: dest, event: ev() }));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  let v = await fn();
  while (!ok(v) && Date.now() < end) {
    await sleep(100);
    v = await fn();
  }
  return v;
}

describe('redis outbox failure behaviour', () => {
  it('keeps every acknowledged enqueue across a redis-server crash (SIGKILL) and restart (AOF)', async () => {
    const outbox = await createRedisOutbox(server.url, { keyPrefix: 'crash:' });
    const sent = batch(200);
    for (let i = 0; i < sent.length; i += 50) expect(await outbox.enqueue(sent.slice(i, i + 50))).toEqual({ ok: true });
    const leased = await outbox.claim('d1', 20, 200);
    await outbox.ack('d1', leased.slice(0, 10).map((e) => e.id));
    await outbox.close();

    await server.restart({ crash: true });

    const reopened = await createRedisOutbox(server.url, { keyPrefix: 'crash:' });
    try {
      expect(await reopened.depth('d1')).toBe(190);
      await sleep(300);
      const got = [];
      for (let i = 0; i < 20 && got.length < 190; i++) got.push(...(await reopened.claim('d1', 1000, 60_000)));
      const acked = new Set(leased.slice(0, 10).map((e) => e.event.event_id));
      expect(got.map((e) => e.event.event_id).sort()).toEqual(
        sent.map((s) => s.event.event_id).filter((id) => !acked.has(id)).sort(),
      );
    } finally {
      await reopened.close();
    }
  });

  it('answers outbox_unavailable (never throws) while Redis is down, and recovers after it is back', async () => {
    const outbox = await createRedisOutbox(server.url, { keyPrefix: 'down:', commandTimeoutMs: 1000 });
    try {
      expect(await outbox.enqueue(batch(1))).toEqual({ ok: true });
      await server.kill({ crash: true });
      const down = await waitFor(
        () => outbox.enqueue(batch(1)),
        (r) => !r.ok,
      );
      expect(down).toMatchObject({ ok: false, reason: 'outbox_unavailable' });
      expect(down.ok ? '' : down.detail).toMatch(/^redis: /);

      await server.start();
      const up = await waitFor(
        () => outbox.enqueue(batch(1)),
        (r) => r.ok,
      );
      expect(up).toEqual({ ok: true });
      expect(await outbox.depth('d1')).toBe(2); // the first event (before the crash) and the one after
    } finally {
      await outbox.close();
    }
  });

  it('maps Redis OOM (maxmemory reached, noeviction) to storage_full and writes nothing', async () => {
    const outbox = await createRedisOutbox(server.url, { keyPrefix: 'oom:' });
    const admin = new Redis(server.url);
    try {
      expect(await outbox.enqueue(batch(3))).toEqual({ ok: true });
      await admin.config('SET', 'maxmemory', '1');
      const r = await outbox.enqueue(batch(5));
      expect(r).toMatchObject({ ok: false, reason: 'storage_full' });
      await admin.config('SET', 'maxmemory', '0');
      expect(await outbox.depth('d1')).toBe(3);
    } finally {
      await admin.config('SET', 'maxmemory', '0');
      admin.disconnect();
      await outbox.close();
    }
  });

  it('bounds depth per destination: a full destination does not block another', async () => {
    const outbox = await createRedisOutbox(server.url, { keyPrefix: 'bound:', maxDepth: 3 });
    try {
      expect(await outbox.enqueue(batch(3, 'full'))).toEqual({ ok: true });
      expect(await outbox.enqueue(batch(1, 'full'))).toMatchObject({ ok: false, reason: 'outbox_full' });
      expect(await outbox.enqueue(batch(3, 'free'))).toEqual({ ok: true });
      expect(await outbox.depth()).toBe(6);
    } finally {
      await outbox.close();
    }
  });

  it('isolates deployments by key prefix and uses the documented key layout', async () => {
    const a = await createRedisOutbox(server.url, { keyPrefix: 'shopA:' });
    const b = await createRedisOutbox(server.url, { keyPrefix: 'shopB:' });
    const admin = new Redis(server.url);
    try {
      await a.enqueue(batch(4, 'px'));
      expect(await b.depth()).toBe(0);
      expect(await b.claim('px', 10, 1000)).toEqual([]);
      expect(await a.depth('px')).toBe(4);
      expect(await admin.xlen('shopA:{px}:events')).toBe(4);
      expect(await admin.smembers('shopA:destinations')).toEqual(['px']);
      const groups = (await admin.xinfo('GROUPS', 'shopA:{px}:events')) as unknown[][];
      expect(groups[0]).toContain('delivery');
      // A retry parks the entry in the delayed sorted set, scored by notBefore.
      const [e] = await a.claim('px', 1, 60_000);
      const notBefore = Date.now() + 60_000;
      await a.retryLater('px', [e!.id], notBefore);
      expect(await admin.zcard('shopA:{px}:delayed')).toBe(1);
      expect(Number((await admin.zrange('shopA:{px}:delayed', '0', '0', 'WITHSCORES'))[1])).toBe(notBefore);
      expect(await admin.xlen('shopA:{px}:events')).toBe(3);
    } finally {
      admin.disconnect();
      await a.close();
      await b.close();
    }
  });

  it('an instance whose lease was taken over cannot retry or dead-letter the entry it lost', async () => {
    const slow = await createRedisOutbox(server.url, { keyPrefix: 'lease:' });
    const other = await createRedisOutbox(server.url, { keyPrefix: 'lease:' });
    try {
      await slow.enqueue(batch(1));
      const [mine] = await slow.claim('d1', 1, 100);
      await sleep(250);
      const [taken] = await other.claim('d1', 1, 60_000);
      expect(taken?.event).toEqual(mine?.event);
      await slow.retryLater('d1', [mine!.id], Date.now());
      await slow.deadLetter('d1', [{ id: mine!.id, error: { reason: 'meta_rejected' } }]);
      expect(await other.listDeadLetters()).toEqual([]);
      expect(await other.depth('d1')).toBe(1);
      await other.ack('d1', [taken!.id]);
      expect(await other.depth('d1')).toBe(0);
    } finally {
      await slow.close();
      await other.close();
    }
  });

  it('close() removes its consumer from the group unless it still holds leased entries', async () => {
    const admin = new Redis(server.url);
    const consumers = async () =>
      ((await admin.xinfo('CONSUMERS', 'sweep:{d1}:events', 'delivery')) as unknown[][]).map((c) => String(c[1]));
    const tidy = (await createRedisOutbox(server.url, { keyPrefix: 'sweep:', consumerName: 'tidy' })) as Outbox;
    const holder = (await createRedisOutbox(server.url, { keyPrefix: 'sweep:', consumerName: 'holder' })) as Outbox;
    try {
      await tidy.enqueue(batch(2));
      const [one] = await tidy.claim('d1', 1, 60_000);
      await tidy.ack('d1', [one!.id]);
      expect(await holder.claim('d1', 1, 60_000)).toHaveLength(1);
      expect((await consumers()).sort()).toEqual(['holder', 'tidy']);
      await tidy.close();
      await holder.close();
      expect(await consumers()).toEqual(['holder']); // its leased entry stays reclaimable by others
    } finally {
      admin.disconnect();
    }
  });

  it('fails to start with an error naming OUTBOX and without the password when Redis is unreachable', async () => {
    const err = await createRedisOutbox('redis://user:hunter2@127.0.0.1:1/0', { connectTimeoutMs: 1000 }).then(
      () => new Error('connected?'),
      (e: unknown) => e as Error,
    );
    expect(err.message).toMatch(/^OUTBOX: cannot connect to redis:\/\/user:\*\*\*@127\.0\.0\.1:1\/0/);
    expect(err.message).not.toContain('hunter2');
    await expect(createRedisOutbox('redis://h:1/x')).rejects.toThrow(/OUTBOX: redis database must be a number/);
  });
});
