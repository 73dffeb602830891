import { afterEach, describe, expect, it } from 'vitest';
import { browserPurchase, purchase } from './support/events.js';
import { spawnSandbox, type Sandbox } from './support/sandbox.js';
import { spawnServer, TEST_ORIGIN, type CapiServer } from './support/server.js';
import { waitFor } from './support/wait.js';

const started: Array<{ stop(): Promise<unknown> }> = [];
afterEach(async () => {
  while (started.length) await started.pop()!.stop();
});

const idOf = (e: Record<string, unknown>): string => (e.context as { event_id: string }).event_id;

describe('crash and restart', () => {
  it('SIGKILL with events queued and in flight, restart on the same SQLite file: every acknowledged event reaches Meta', async () => {
    const sandbox: Sandbox = await spawnSandbox();
    started.push(sandbox);
    // Slow Graph answers so that some batches are in flight when the process dies.
    await sandbox.fault({ kind: 'latency', latencyMs: 400, durationMs: 60_000 });
    const server: CapiServer = await spawnServer({ graphUrl: sandbox.url, env: { BATCH_SIZE: '50' } });
    const acked: string[] = [];
    const sends: Array<Promise<void>> = [];
    for (let i = 0; i < 10; i++) {
      const batch = Array.from({ length: 50 }, () => purchase());
      sends.push(server.request('/v1/events', { key: true, json: { batch } }).then(async (r) => {
        if (r.status === 200) {
          const body = (await r.json()) as { results: Array<{ status: string; event_id: string }> };
          for (const x of body.results) if (x.status === 'accepted') acked.push(x.event_id);
        }
      }));
      const ev = browserPurchase();
      sends.push(server.request('/collect', { method: 'POST', headers: { origin: TEST_ORIGIN, 'content-type': 'text/plain', 'user-agent': 'UA' }, body: JSON.stringify(ev) }).then((r) => {
        if (r.status === 202) acked.push(idOf(ev));
      }));
    }
    await Promise.all(sends);
    expect(acked.length).toBe(510);
    await server.kill();

    const restarted = await spawnServer({ graphUrl: sandbox.url, outboxPath: server.outboxPath, dataDir: server.dataDir, env: { BATCH_SIZE: '500' } });
    started.push(restarted);
    await sandbox.clearFaults();
    await waitFor(async () => {
      const s = await sandbox.acceptedServerIds();
      const missing = acked.filter((id) => !s.has(id));
      return missing.length === 0 ? true : undefined;
    }, { timeoutMs: 40_000, message: 'all acknowledged events delivered after restart' });
    const depth = (await restarted.metrics()).get('capi_bridge_outbox_depth{destination="1234567890"}');
    await waitFor(async () => ((await restarted.metrics()).get('capi_bridge_outbox_depth{destination="1234567890"}') === 0), { message: `outbox drained (was ${depth})` });
  });

  it('SIGTERM: stops accepting, drains the outbox within the deadline, exits 0', async () => {
    const sandbox = await spawnSandbox();
    started.push(sandbox);
    const server = await spawnServer({ graphUrl: sandbox.url, env: { FLUSH_INTERVAL_MS: '5000' } });
    const evs = Array.from({ length: 30 }, () => purchase());
    await server.request('/v1/events', { key: true, json: { batch: evs } });
    // With a 5 s flush interval, the drain on SIGTERM is what sends the remaining events.
    const r = await server.stop();
    expect(r.code).toBe(0);
    const s = await sandbox.acceptedServerIds();
    expect(evs.map(idOf).every((id) => s.has(id))).toBe(true);
    expect(server.output()).toContain('"msg":"closed"');
  });
});
