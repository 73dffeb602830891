/**
 * Liveness under Graph faults: the sandbox answers 5xx, 429 with Retry-After, hangs (timeouts) and goes
 * fully down for a window. Once the faults stop, everything queued is delivered; retries are counted in
 * /metrics; the retry rate stays bounded by backoff (no storm) and a Retry-After is honoured.
 * Timing asserts are lower bounds on sandbox-observed times with generous margins, never performance.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { purchase } from '../support/events.js';
import { spawnSandbox, type Sandbox } from '../support/sandbox.js';
import { spawnServer, TEST_PIXEL, type CapiServer } from '../support/server.js';
import { waitFor } from '../support/wait.js';
import { sandboxStats, sleep } from './harness.js';

let sandbox: Sandbox;
const servers: CapiServer[] = [];
const D = `destination="${TEST_PIXEL}"`;
const idOf = (e: Record<string, unknown>): string => (e.context as { event_id: string }).event_id;

beforeAll(async () => {
  sandbox = await spawnSandbox();
}, 60_000);
afterEach(async () => {
  while (servers.length) await servers.pop()!.stop();
  await sandbox.clearFaults();
  await sandbox.clear();
});
afterAll(async () => {
  await sandbox?.stop();
});

async function server(env: Record<string, string> = {}): Promise<CapiServer> {
  const s = await spawnServer({ graphUrl: sandbox.url, env });
  servers.push(s);
  return s;
}

async function post(s: CapiServer, events: Array<Record<string, unknown>>): Promise<void> {
  const res = await s.request('/v1/events', { key: true, json: { batch: events } });
  expect(res.status).toBe(200);
  expect(((await res.json()) as { accepted: number }).accepted).toBe(events.length);
}

async function allDelivered(ids: readonly string[], timeoutMs = 40_000): Promise<void> {
  await waitFor(async () => {
    const got = new Set((await sandbox.events({ source: 'server' })).filter((e) => e.status !== 'rejected').map((e) => e.eventId));
    const missing = ids.filter((i) => !got.has(i));
    return missing.length === 0 ? true : undefined;
  }, { timeoutMs, intervalMs: 250, message: `${ids.length} queued events delivered after faults` });
}

describe('liveness under Graph faults', () => {
  it('5xx, 429 + Retry-After, timeouts and a 3 s outage: all queued events delivered once faults stop; retries in /metrics', async () => {
    const s = await server({ REQUEST_TIMEOUT_MS: '800', BATCH_SIZE: '25' });
    // Faults are taken oldest first, one per Graph request.
    await sandbox.fault({ kind: 'status', status: 500, count: 2 });
    await sandbox.fault({ kind: 'throttle', status: 429, code: 17, retryAfterSeconds: 1, count: 1 });
    await sandbox.fault({ kind: 'timeout', count: 2 });
    await sandbox.fault({ kind: 'status', status: 502, count: 1 });
    const evs = Array.from({ length: 100 }, () => purchase());
    await post(s, evs.slice(0, 50));
    // The outage starts while the first batches are still being retried.
    await sandbox.fault({ kind: 'outage', durationMs: 3000 });
    await post(s, evs.slice(50));
    const faultsInjected = 2 + 1 + 2 + 1 + 1;

    await allDelivered(evs.map(idOf));
    const stats = await sandboxStats(sandbox);
    expect(stats.faulted).toBeGreaterThanOrEqual(faultsInjected);

    const m = await s.metrics();
    expect(m.get(`capi_bridge_events_retried_total{${D},kind="retry"}`)).toBeGreaterThanOrEqual(25);
    expect(m.get(`capi_bridge_events_retried_total{${D},kind="throttled"}`)).toBeGreaterThanOrEqual(1);
    expect(m.get(`capi_bridge_graph_requests_total{${D},outcome="retry"}`)).toBeGreaterThanOrEqual(5);
    expect(m.get(`capi_bridge_graph_requests_total{${D},outcome="throttled"}`)).toBe(1);
    expect(m.get(`capi_bridge_events_sent_total{${D}}`)).toBeGreaterThanOrEqual(100);
    for (const reason of ['retries_exhausted', 'meta_rejected', 'retry_window_expired']) {
      expect(m.get(`capi_bridge_events_dead_lettered_total{${D},reason="${reason}"}`)).toBe(0);
    }
    await waitFor(async () => (await s.metrics()).get(`capi_bridge_outbox_depth{${D}}`) === 0, { message: 'outbox empty' });
  }, 90_000);

  it('no retry storm: during a 5 s outage Graph sees a handful of requests, spaced by growing backoff', async () => {
    // Backoff 200 ms doubling to a 2 s cap (spawnServer defaults), flush interval 50 ms: a tight retry
    // loop would hit Graph about 5000/50 = 100 times per worker (4 workers) in the window.
    const s = await server();
    const OUTAGE_MS = 5000;
    await sandbox.fault({ kind: 'outage', durationMs: OUTAGE_MS });
    const windowStart = Date.now();
    const before = (await sandboxStats(sandbox)).graphRequests;
    const evs = Array.from({ length: 20 }, () => purchase());
    await post(s, evs);

    // Sample the sandbox's request counter to see when requests arrive (±50 ms resolution).
    const arrivals: number[] = [];
    let seen = before;
    while (Date.now() - windowStart < OUTAGE_MS - 100) {
      const n = (await sandboxStats(sandbox)).graphRequests;
      for (; seen < n; seen++) arrivals.push(Date.now());
      await sleep(50);
    }
    const during = arrivals.length;
    await allDelivered(evs.map(idOf));

    expect(during).toBeGreaterThanOrEqual(2); // it did retry during the outage
    expect(during).toBeLessThanOrEqual(12); // 200+400+800+1600+2000… ≈ 5–6 attempts in 5 s, ×2 slack
    const gaps = arrivals.slice(1).map((t, i) => t - arrivals[i]!);
    // Backoff grows: some gap between attempts is at least 1 s (base 200 ms · 2^3 = 1.6 s ± 20 %).
    expect(Math.max(...gaps)).toBeGreaterThanOrEqual(1000);
    const m = await s.metrics();
    // Every failed attempt the sandbox saw is a counted retry on our side.
    expect(m.get(`capi_bridge_graph_requests_total{${D},outcome="retry"}`)).toBeGreaterThanOrEqual(during);
    expect(m.get(`capi_bridge_events_retried_total{${D},kind="retry"}`)).toBeGreaterThanOrEqual(during * evs.length);
    console.info(`[liveness] Graph requests during a ${OUTAGE_MS} ms outage: ${during}; gaps ${gaps.join(',')} ms`);
  }, 60_000);

  it('429 with Retry-After: 3 is honoured: the retry comes no earlier than ~3 s, with exactly one request in between', async () => {
    // BACKOFF_MAX_MS above the Retry-After, else it is capped; base 200 ms so an ignored header would
    // show up as a retry after ~200 ms.
    const s = await server({ BACKOFF_MAX_MS: '10000' });
    await sandbox.fault({ kind: 'throttle', status: 429, code: 4, retryAfterSeconds: 3, count: 1 });
    const before = (await sandboxStats(sandbox)).graphRequests;
    const t0 = Date.now();
    const evs = Array.from({ length: 10 }, () => purchase());
    await post(s, evs);
    await allDelivered(evs.map(idOf));
    const recorded = (await sandbox.events({ source: 'server' })).filter((e) => e.status !== 'rejected');
    const firstDelivery = Math.min(...recorded.map((e) => e.receivedAt));
    // First Graph request ≥ t0, so an honoured Retry-After puts the successful one ≥ t0 + 3 s.
    expect(firstDelivery - t0).toBeGreaterThanOrEqual(2950);
    // One throttled request, one successful one: nothing hammered Graph while it asked us to wait.
    expect((await sandboxStats(sandbox)).graphRequests - before).toBe(2);
    const m = await s.metrics();
    expect(m.get(`capi_bridge_graph_requests_total{${D},outcome="throttled"}`)).toBe(1);
    expect(m.get(`capi_bridge_events_retried_total{${D},kind="throttled"}`)).toBe(10);
  }, 60_000);
});
