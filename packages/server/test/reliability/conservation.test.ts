/**
 * Conservation under crashes (Vector's property): load through /collect and /v1/events while the server is
 * SIGKILLed at random moments and restarted on the same outbox. Every event id that got a 2xx (and was
 * listed as accepted) must reach the sandbox at least once; an id seen twice must be the same event.
 * Short version for `npm test`; `npm run soak` runs the long one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSandbox, type Sandbox } from '../support/sandbox.js';
import { TEST_PIXEL } from '../support/server.js';
import { waitFor } from '../support/wait.js';
import {
  BACKENDS, checkConservation, crashLoop, openBackend, ServerSlot, startLoad, type Backend, type BackendName,
} from './harness.js';

const SEED = Number(process.env.RELIABILITY_SEED ?? Date.now() % 100_000);

describe.each(BACKENDS)('conservation under SIGKILL (%s outbox)', (name: BackendName) => {
  let backend: Backend;
  let sandbox: Sandbox;
  const slot = new ServerSlot();

  beforeAll(async () => {
    backend = await openBackend(name);
    sandbox = await spawnSandbox();
  }, 60_000);

  afterAll(async () => {
    for (const s of slot.all) await s.kill();
    await sandbox?.stop();
    await backend?.close();
  }, 30_000);

  it(`every acknowledged event reaches Meta at least once, duplicates only as the same event (seed ${SEED})`, async () => {
    // Slow Graph answers keep batches in flight (leased, not acked) when the kill lands.
    await sandbox.fault({ kind: 'latency', latencyMs: 150, durationMs: 600_000 });
    const env = { BATCH_SIZE: '40', COLLECT_RATE_PER_SEC: '0', DELIVERY_CONCURRENCY: '2' };
    const load = startLoad(slot, { batchSize: 20, workers: 2 });
    let kills = 0;
    try {
      kills = await crashLoop(backend, slot, sandbox.url, { kills: 3, minUpMs: 400, maxUpMs: 1500, seed: SEED, env });
      // A little load on the last incarnation too.
      await new Promise((r) => setTimeout(r, 500));
    } finally {
      await load.stop();
    }
    expect(kills).toBe(3);
    // The run must have exercised both endpoints, or the property would be vacuous.
    expect(load.stats.apiAcked).toBeGreaterThan(0);
    expect(load.stats.collectAcked).toBeGreaterThan(0);

    await sandbox.clearFaults();
    const report = await waitFor(async () => {
      const r = checkConservation(load.acked, await sandbox.events({ source: 'server' }));
      return r.missing.length === 0 ? r : undefined;
    }, { timeoutMs: 45_000, intervalMs: 500, message: `all ${load.acked.size} acknowledged events delivered (${name})` });

    console.info(`[conservation ${name}] kills=${kills} acked=${report.acked} delivered=${report.delivered} duplicates=${report.duplicates} refused=${load.stats.refused}`);
    expect(report.missing).toEqual([]);
    expect(report.divergent).toEqual([]);
    expect(report.countedTwice).toEqual([]);
    expect(report.delivered).toBeGreaterThanOrEqual(load.acked.size);
    // The last server drains its outbox completely (nothing stuck behind a dead lease).
    await waitFor(async () => (await slot.current!.metrics()).get(`capi_bridge_outbox_depth{destination="${TEST_PIXEL}"}`) === 0,
      { timeoutMs: 20_000, message: 'outbox drained' });
  }, 120_000);
});
