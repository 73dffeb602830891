/**
 * A full outbox storage — a size-capped SQLite file (OUTBOX_MAX_BYTES → PRAGMA max_page_count), a Redis at
 * maxmemory with noeviction — while Graph is down: ingestion answers 503 `storage_full`, /readyz is not ready,
 * and once Graph is back delivery still runs, frees the space, /readyz is ready again and ingestion resumes.
 * Every acknowledged event is delivered.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purchase } from '../support/events.js';
import { spawnSandbox, type Sandbox } from '../support/sandbox.js';
import { spawnServer, TEST_PIXEL, type CapiServer } from '../support/server.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';
import { waitFor } from '../support/wait.js';
import { checkConservation } from './harness.js';

type Variant = { name: string; backend: 'sqlite' | 'redis'; env: Record<string, string> };
const VARIANTS: Variant[] = [
  { name: 'sqlite on its worker thread, 1 MB cap', backend: 'sqlite', env: { OUTBOX_MAX_BYTES: String(1024 * 1024) } },
  { name: 'sqlite inline, 1 MB cap', backend: 'sqlite', env: { OUTBOX_MAX_BYTES: String(1024 * 1024), OUTBOX_THREAD: 'false' } },
  { name: 'redis at maxmemory (noeviction)', backend: 'redis', env: {} },
];

/** A legitimate purchase with ~1.5 KB of custom data (fills storage quickly, within the pass-through bounds). */
function bigPurchase(): Record<string, unknown> {
  const e = purchase();
  (e.integrations as { facebook: Record<string, unknown> }).facebook.custom_data = { note: 'n'.repeat(1500) };
  return e;
}

describe.each(VARIANTS)('full storage ($name)', (variant) => {
  let sandbox: Sandbox;
  let server: CapiServer;
  let redis: RedisServer | undefined;
  let admin: Redis | undefined;

  beforeAll(async () => {
    sandbox = await spawnSandbox();
    const env: Record<string, string> = { BATCH_SIZE: '100', ...variant.env };
    if (variant.backend === 'redis') {
      redis = await startRedisServer();
      env.OUTBOX = `${redis.url}?prefix=full:`;
      admin = new Redis(redis.url);
    }
    server = await spawnServer({ graphUrl: sandbox.url, env });
  }, 60_000);

  afterAll(async () => {
    await server?.kill();
    await sandbox?.stop();
    if (admin) {
      await admin.config('SET', 'maxmemory', '0').catch(() => undefined);
      admin.disconnect();
    }
    await redis?.stop();
  }, 30_000);

  it('ingestion 503 storage_full and /readyz not ready while full; delivery frees space; nothing acknowledged is lost', async () => {
    await sandbox.fault({ kind: 'outage', durationMs: 600_000 });
    if (admin) {
      const used = Number(/^used_memory:(\d+)/m.exec(await admin.info('memory'))?.[1]);
      await admin.config('SET', 'maxmemory', String(used + 3_000_000));
    }
    const acked = new Set<string>();
    let refusal: { status: number; code?: string } | undefined;
    for (let i = 0; i < 400 && refusal === undefined; i++) {
      const res = await server.request('/v1/events', { key: true, json: { batch: Array.from({ length: 10 }, bigPurchase) } });
      const body = (await res.json()) as { results?: Array<{ status: string; event_id?: string }>; error?: { code: string } };
      if (res.status === 200) {
        for (const r of body.results ?? []) if (r.status === 'accepted' && r.event_id) acked.add(r.event_id);
      } else {
        refusal = { status: res.status, ...(body.error ? { code: body.error.code } : {}) };
      }
    }
    expect(refusal).toEqual({ status: 503, code: 'storage_full' });
    expect(acked.size).toBeGreaterThan(0);
    const notReady = await server.request('/readyz');
    expect(notReady.status).toBe(503);
    expect(((await notReady.json()) as { error: { code: string } }).error.code).toBe('storage_full');
    expect((await server.metrics()).get('capi_bridge_outbox_storage_full')).toBe(1);

    // Graph is back: delivery runs on the full storage and frees it.
    await sandbox.clearFaults();
    await waitFor(async () => (await server.request('/readyz')).status === 200, { timeoutMs: 30_000, intervalMs: 200, message: '/readyz ready again' });
    const after = await server.request('/v1/events', { key: true, json: { batch: [bigPurchase()] } });
    expect(after.status).toBe(200);
    for (const r of ((await after.json()) as { results: Array<{ status: string; event_id?: string }> }).results) if (r.event_id) acked.add(r.event_id);

    const report = await waitFor(async () => {
      const r = checkConservation(acked, await sandbox.events({ source: 'server' }));
      return r.missing.length === 0 ? r : undefined;
    }, { timeoutMs: 30_000, intervalMs: 250, message: `all ${acked.size} acknowledged events delivered` });
    expect(report.missing).toEqual([]);
    await waitFor(async () => (await server.metrics()).get(`capi_bridge_outbox_depth{destination="${TEST_PIXEL}"}`) === 0, { timeoutMs: 20_000, message: 'outbox drained' });
    console.info(`[storage-full ${variant.name}] acked before full=${acked.size - 1}, refused with 503 storage_full, /readyz 503 → 200 after delivery, 0 lost`);
  }, 120_000);
});
