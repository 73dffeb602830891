/**
 * Three capi-bridge processes share one Redis outbox and deliver to the meta-sandbox. Events are posted
 * across all three; one instance is SIGKILLed while it holds leased (in-flight) entries — the sandbox makes
 * every Graph request slow so delivery is still running. Proof: every event a server acknowledged reaches
 * the sandbox, and an event delivered twice is always the same event (same event_id, same payload).
 * Needs: `npx tsc -b packages/server packages/meta-sandbox`; redis-server (Debian package).
 */
import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startRedisServer, type RedisServer } from './support/redis-server.js';
import {
  API_KEY,
  PIXEL,
  addSandboxFault,
  purchaseInput,
  postBatch,
  sandboxServerEvents,
  startSandboxProcess,
  startServerProcess,
  type Service,
} from './support/redis-stack.js';

const PREFIX = 'multi:';
const EVENTS_KEY = `${PREFIX}{${PIXEL}}:events`;
const LEASE_MS = 2000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let redis: RedisServer;
let admin: Redis;
let sandbox: Service;
const servers: Service[] = [];

beforeAll(async () => {
  redis = await startRedisServer();
  admin = new Redis(redis.url);
  sandbox = await startSandboxProcess();
  for (const name of ['a', 'b', 'c']) {
    servers.push(
      await startServerProcess({
        name: `capi-bridge-${name}`,
        outbox: `${redis.url}?prefix=${PREFIX}`,
        sandboxUrl: sandbox.url,
        env: { LEASE_MS: String(LEASE_MS), BATCH_SIZE: '50', FLUSH_INTERVAL_MS: '50', DELIVERY_CONCURRENCY: '2' },
      }),
    );
  }
}, 120_000);

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop('SIGTERM', 5000)));
  await sandbox?.stop('SIGTERM', 5000);
  admin?.disconnect();
  await redis?.stop();
});

/** Pending (leased) entries per consumer of the delivery group. */
async function pendingByConsumer(): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const exists = await admin.exists(EVENTS_KEY);
  if (!exists) return out;
  const summary = (await admin.xpending(EVENTS_KEY, 'delivery')) as [number, string | null, string | null, Array<[string, string]> | null];
  for (const [consumer, count] of summary[3] ?? []) out.set(consumer, Number(count));
  return out;
}

describe('three instances on one Redis outbox', () => {
  it('delivers every acknowledged event despite a SIGKILLed instance; duplicates only with the same event_id', async () => {
    // Every Graph request takes 700 ms for the next 6 s: batches stay leased (in flight) for a while.
    await addSandboxFault(sandbox.url, { kind: 'latency', latencyMs: 700, durationMs: 6000 });

    const accepted = new Set<string>();
    let n = 0;
    const post = async (server: Service, count: number) => {
      const ids = Array.from({ length: count }, () => `mi-${++n}`);
      const r = await postBatch(server.url, ids);
      expect(r.status).toBe(200);
      expect(r.accepted).toEqual(ids);
      for (const id of r.accepted) accepted.add(id);
    };

    // Phase 1: 1200 events spread over the three instances.
    for (let round = 0; round < 8; round++) {
      await Promise.all(servers.map((s) => post(s, 50)));
    }

    // Kill b while it holds leased entries (mid-delivery).
    const victim = servers[1]!;
    const victimPrefix = `${hostname()}-${victim.pid}-`;
    let victimPending = 0;
    for (let i = 0; i < 200 && victimPending === 0; i++) {
      for (const [consumer, count] of await pendingByConsumer()) {
        if (consumer.startsWith(victimPrefix)) victimPending = count;
      }
      if (victimPending === 0) await sleep(25);
    }
    expect(victimPending).toBeGreaterThan(0);
    const exit = await victim.stop('SIGKILL');
    expect(exit.signal ?? exit.code).toBeTruthy();

    // Phase 2: more events to the survivors while b's leases are still running.
    const survivors = [servers[0]!, servers[2]!];
    for (let round = 0; round < 4; round++) await Promise.all(survivors.map((s) => post(s, 50)));
    expect(accepted.size).toBe(1600);

    // Everything acknowledged arrives (b's leased batch after its lease expires), and the queue empties.
    // Requests the sandbox refused as a whole (recorded without an event) are not deliveries: left out.
    const delivered = async () => (await sandboxServerEvents(sandbox.url)).filter((e) => e.status !== 'rejected');
    const deadline = Date.now() + 90_000;
    let received = await delivered();
    const has = () => new Set(received.map((e) => e.eventId));
    while (Date.now() < deadline && [...accepted].some((id) => !has().has(id))) {
      await sleep(250);
      received = await delivered();
    }
    const receivedIds = has();
    expect([...accepted].filter((id) => !receivedIds.has(id))).toEqual([]);
    expect(received.filter((e) => !accepted.has(e.eventId ?? ''))).toEqual([]);

    // Duplicates (the killed instance may have reached Meta before dying) carry the same event_id and the
    // same event: Meta (the sandbox) deduplicates them.
    const byId = new Map<string, typeof received>();
    for (const e of received) byId.set(e.eventId!, [...(byId.get(e.eventId!) ?? []), e]);
    let duplicates = 0;
    for (const [, copies] of byId) {
      if (copies.length < 2) continue;
      duplicates += copies.length - 1;
      for (const c of copies.slice(1)) {
        expect(c.payload).toEqual(copies[0]!.payload);
        expect(c.status).toBe('deduplicated');
      }
    }
    expect(received.filter((e) => e.status === 'counted')).toHaveLength(1600);
    const refused = (await sandboxServerEvents(sandbox.url)).length - received.length;
    console.log(
      `multi-instance: ${accepted.size} acknowledged, ${received.length} delivered, ${duplicates} duplicate deliveries, ` +
        `${victimPending} leased by the killed instance, ${refused} requests refused by the sandbox`,
    );

    const end = Date.now() + 30_000;
    while (Date.now() < end && (await admin.xlen(EVENTS_KEY)) > 0) await sleep(100);
    expect(await admin.xlen(EVENTS_KEY)).toBe(0);
  }, 180_000);
});

describe('a server on Redis under Redis trouble', () => {
  it('answers 503 outbox_full at maxDepth and 503 outbox_unavailable while Redis is down, then recovers', async () => {
    const server = await startServerProcess({
      name: 'capi-bridge-bounded',
      // Delivery is paused by an auth fault below, so the queue only grows.
      outbox: `${redis.url}?prefix=bounded:&maxDepth=100`,
      sandboxUrl: sandbox.url,
      env: { FB_ACCESS_TOKEN: 'not-a-sandbox-token', AUTH_PROBE_INTERVAL_MS: '600000' },
    });
    servers.push(server);
    const ids = (p: string, n: number) => Array.from({ length: n }, (_, i) => `${p}-${i}`);
    try {
      expect((await postBatch(server.url, ids('full-a', 100))).status).toBe(200);
      const full = await fetch(`${server.url}/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ batch: ids('full-b', 5).map((id) => purchaseInput(id)) }),
      });
      expect(full.status).toBe(503);
      expect(JSON.stringify(await full.json())).toContain('outbox_full');
      expect(await admin.xlen(`bounded:{${PIXEL}}:events`)).toBe(100);

      admin.disconnect();
      await redis.kill({ crash: true });
      const down = await fetch(`${server.url}/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ batch: ids('down', 3).map((id) => purchaseInput(id)) }),
      });
      expect(down.status).toBe(503);
      expect(JSON.stringify(await down.json())).toContain('outbox_unavailable');
      const ready = await fetch(`${server.url}/readyz`);
      expect(ready.status).toBe(503);

      await redis.start();
      admin = new Redis(redis.url);
      let readyStatus = 0;
      for (let i = 0; i < 100 && readyStatus !== 200; i++) {
        await sleep(100);
        readyStatus = (await fetch(`${server.url}/readyz`)).status;
      }
      expect(readyStatus).toBe(200);
      // The queue is still full (nothing was lost across the Redis crash): the next event is refused too.
      expect(await admin.xlen(`bounded:{${PIXEL}}:events`)).toBe(100);
      const after = await fetch(`${server.url}/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify(purchaseInput('after-0')),
      });
      expect(after.status).toBe(503);
      expect(JSON.stringify(await after.json())).toContain('outbox_full');
    } finally {
      await server.stop('SIGTERM', 5000);
    }
  }, 120_000);
});
