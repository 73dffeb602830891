import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/config/resolve.js';
import { MapPool, type MapFallbackReason } from '../src/ingest/map-pool.js';
import type { EnqueueItem, EnqueueResult } from '../src/outbox/types.js';
import { NullOutbox } from './support/null-outbox.js';
import { startServer, type RunningServer } from '../src/server.js';
import { build } from './support/map-build.js';
import { purchase } from './support/events.js';

const API_KEY = 'map-worker-test-key-0123456789';
const NOW = 1_760_000_000_000;
const buildModule = new URL('./support/map-build.ts', import.meta.url).href;

/** Records what is enqueued (the stored JSON text and the event as JSON.stringify sees it). */
class RecordingOutbox extends NullOutbox {
  stored: Array<{ dest: string; json: string; stringified: string; head: [string, number, string, string] }> = [];
  override async enqueue(items: readonly EnqueueItem[]): Promise<EnqueueResult> {
    for (const it of items) {
      const e = it.event;
      this.stored.push({ dest: it.destinationId, json: it.json ?? JSON.stringify(e), stringified: JSON.stringify(e), head: [e.event_id, e.event_time, e.action_source, e.event_name] });
    }
    return { ok: true };
  }
}

const config = () => resolveConfig({
  env: { PORT: '0', HOST: '127.0.0.1', API_KEYS: API_KEY, LOG_LEVEL: 'silent' },
  file: {
    destinations: [
      { id: 'main', pixelId: '1234567890', accessToken: 'sandbox-token', matchPolicy: 'commanders-act' },
      { id: 'consented', pixelId: '1234567891', accessToken: 'sandbox-token', consentCategory: 'marketing' },
    ],
  },
});

const ev = (i: number, over: Record<string, unknown> = {}) => {
  const e = purchase(over, `evt-${i}`);
  (e.context as Record<string, unknown>).event_timestamp = NOW - 60_000;
  return e;
};

/** Good events, every kind of drop, non-objects and a throwing build, interleaved. */
function mixedBatch(): unknown[] {
  const out: unknown[] = [];
  for (let i = 0; i < 60; i++) {
    switch (i % 10) {
      case 0: out.push(ev(i, { consent_categories: ['marketing'] })); break;
      case 1: out.push(ev(i, { user: {} })); break;
      case 2: { const e = ev(i); (e.context as Record<string, unknown>).event_timestamp = NOW - 9 * 86_400_000; out.push(e); break; }
      case 3: { const e = ev(i); (e.context as Record<string, unknown>).event_timestamp = NOW + 86_400_000; out.push(e); break; }
      case 4: out.push(ev(i, { event_name: '' })); break;
      case 5: out.push(ev(i, { explode: true })); break;
      case 6: out.push([42, null, 'str', true][i % 4]); break;
      case 7: out.push(ev(i, { integrations: { facebook: { event_id: `evt-${i}`, fbp: 'fb.1.1.2', fbc: 'fb.1.1.abc' } } })); break;
      default: out.push(ev(i)); break;
    }
  }
  return out;
}

async function post(s: RunningServer, body: string): Promise<{ status: number; text: string; type: string | null }> {
  const r = await fetch(`${s.url}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' }, body });
  return { status: r.status, text: await r.text(), type: r.headers.get('content-type') };
}

async function sent(s: RunningServer, id: string): Promise<string> {
  const r = await fetch(`${s.url}/v1/sent?event_id=${encodeURIComponent(id)}`, { headers: { authorization: `Bearer ${API_KEY}` } });
  return r.text();
}

async function eventMetrics(s: RunningServer): Promise<string[]> {
  const text = await s.metrics.registry.metrics();
  return text.split('\n').filter((l) => /^capi_bridge_events_(received|dropped|enqueued)_total\{/.test(l) && !/ 0$/.test(l)).sort();
}

describe('mapping worker pool (POST /v1/events)', () => {
  let inline: RunningServer;
  let pooled: RunningServer;
  let inlineOutbox: RecordingOutbox;
  let pooledOutbox: RecordingOutbox;
  beforeAll(async () => {
    inlineOutbox = new RecordingOutbox();
    pooledOutbox = new RecordingOutbox();
    inline = await startServer(config(), { outbox: inlineOutbox, delivery: false, now: () => NOW, build, mapWorkers: 0 });
    pooled = await startServer(config(), { outbox: pooledOutbox, delivery: false, now: () => NOW, build, mapWorkers: 1, mapBuildModule: buildModule, mapMinBytes: 1 });
  });
  afterAll(async () => {
    await inline?.close();
    await pooled?.close();
  });

  it('gives the same reply bytes, enqueued JSON, /v1/sent records and metrics as the inline path', async () => {
    expect(inline.mapPool).toBeUndefined();
    expect(pooled.mapPool?.readyWorkers()).toBe(1);
    const batch = mixedBatch();
    const bodies = [JSON.stringify({ batch }), JSON.stringify(batch[0]), JSON.stringify({ batch: batch.slice(5, 9) })];
    for (const body of bodies) {
      const a = await post(inline, body);
      const b = await post(pooled, body);
      expect(b).toEqual(a);
      expect(a.status).toBe(200);
    }
    const reply = JSON.parse((await post(inline, bodies[0]!)).text) as { accepted: number; dropped: number; results: Array<{ destinations: Array<{ reason?: string }> }> };
    const reasons = new Set(reply.results.flatMap((r) => r.destinations.map((d) => d.reason)).filter(Boolean));
    for (const r of ['no_consent', 'insufficient_match_keys', 'too_old', 'in_future', 'missing_event_name', 'invalid_input']) expect(reasons).toContain(r);
    expect(reply.accepted).toBeGreaterThan(0);
    await post(pooled, bodies[0]!);

    expect(pooledOutbox.stored.length).toBe(inlineOutbox.stored.length);
    expect(pooledOutbox.stored).toEqual(inlineOutbox.stored);
    for (const s of pooledOutbox.stored) expect(s.stringified).toBe(s.json);
    for (let i = 0; i < 60; i++) expect(await sent(pooled, `evt-${i}`)).toBe(await sent(inline, `evt-${i}`));
    expect(await eventMetrics(pooled)).toEqual(await eventMetrics(inline));
    expect(await pooled.metrics.mapFallbacks.get()).toMatchObject({ values: [] });
    expect(pooled.mapPool!.stats.mapped).toBeGreaterThanOrEqual(4);
  });

  it('answers request errors exactly like the inline parser', async () => {
    const batch = mixedBatch();
    const cases = ['{"batch":[', '[]', '{"batch":[]}', '{"batch":{}}', 'null', JSON.stringify({ batch: Array.from({ length: 1001 }, (_, i) => batch[i % 60]) })];
    for (const body of cases) {
      const a = await post(inline, body);
      const b = await post(pooled, body);
      expect(b).toEqual(a);
      expect(a.status).toBeGreaterThanOrEqual(400);
    }
    const bad = Buffer.from([0x7b, 0xff, 0x7d]);
    const r = async (s: RunningServer) => {
      const res = await fetch(`${s.url}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' }, body: bad });
      return [res.status, await res.text()];
    };
    expect(await r(pooled)).toEqual(await r(inline));
  });

  it('a crashed worker: the request is mapped inline (counted), the worker restarts', async () => {
    const body = JSON.stringify({ batch: mixedBatch() });
    const expected = await post(inline, body);
    await pooled.mapPool!.killWorkersForTest();
    expect(await post(pooled, body)).toEqual(expected);
    const fallbacks = await pooled.metrics.mapFallbacks.get();
    expect(fallbacks.values.reduce((n, v) => n + v.value, 0)).toBeGreaterThanOrEqual(1);
    for (let i = 0; i < 100 && pooled.mapPool!.readyWorkers() === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(pooled.mapPool!.readyWorkers()).toBe(1);
    const before = pooled.mapPool!.stats.mapped;
    expect(await post(pooled, body)).toEqual(expected);
    expect(pooled.mapPool!.stats.mapped).toBe(before + 1);
  });
});

describe('MapPool', () => {
  const destinations = config().destinations;
  const body = (v: unknown) => Buffer.from(JSON.stringify(v));

  it('falls back on timeout and on a crash mid-request, restarts the worker, bounds its queue', async () => {
    const reasons: MapFallbackReason[] = [];
    const pool = new MapPool({ size: 1, destinations, buildModule, timeoutMs: 200, maxPending: 1, restartDelayMs: 10, onFallback: (r) => reasons.push(r) });
    try {
      await pool.start();
      expect(pool.readyWorkers()).toBe(1);
      const slow = pool.map(body({ batch: [ev(1, { spin: 2000 })] }), NOW, 1000);
      // One in flight is the bound: the next request is refused to inline at once.
      expect(await pool.map(body(ev(2)), NOW, 1000)).toEqual({ fallback: 'queue_full' });
      expect(await slow).toEqual({ fallback: 'timeout' });
      for (let i = 0; i < 100 && pool.readyWorkers() === 0; i++) await new Promise((r) => setTimeout(r, 50));
      expect(pool.readyWorkers()).toBe(1);
      const ok = await pool.map(body(ev(3)), NOW, 1000);
      expect('prepared' in ok && ok.prepared.accepted).toBe(1);

      const pending = pool.map(body({ batch: [ev(4, { spin: 1000 })] }), NOW, 1000);
      await new Promise((r) => setTimeout(r, 50));
      await pool.killWorkersForTest();
      expect(await pending).toEqual({ fallback: 'worker_exit' });
      expect(reasons).toEqual(['queue_full', 'timeout', 'worker_exit']);
    } finally {
      await pool.close();
    }
    expect(await pool.map(body(ev(5)), NOW, 1000)).toEqual({ fallback: 'unavailable' });
  });
});
