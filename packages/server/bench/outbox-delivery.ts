/**
 * End-to-end delivery throughput: N events posted to /v1/events (batches of 500, spread over the
 * instances) → outbox → Graph batches of 1000 → meta-sandbox. Measured until the sandbox has recorded all N.
 */
import {
  postBatch,
  startSandboxProcess,
  startServerProcess,
  type Service,
} from '../test/support/redis-stack.js';

export interface DeliveryResult {
  label: string;
  instances: number;
  events: number;
  acceptedPerSec: number;
  deliveredPerSec: number;
  duplicates: number;
}

/** The sandbox's counters (cheap: one event listed): counted = distinct events, deduplicated = repeats. */
async function countDelivered(sandboxUrl: string): Promise<{ counted: number; deduplicated: number }> {
  const res = await fetch(`${sandboxUrl}/_sandbox/events?limit=1`);
  const body = (await res.json()) as { counters?: { counted?: number; deduplicated?: number } };
  return { counted: body.counters?.counted ?? 0, deduplicated: body.counters?.deduplicated ?? 0 };
}

export async function runDelivery(o: { label: string; outbox: string; instances: number; events: number }): Promise<DeliveryResult> {
  const sandbox = await startSandboxProcess();
  const servers: Service[] = [];
  try {
    for (let i = 0; i < o.instances; i++) {
      servers.push(
        await startServerProcess({
          name: `bench-${o.label}-${i}`,
          outbox: o.outbox,
          sandboxUrl: sandbox.url,
          env: { OUTBOX_MAX_DEPTH: String(Math.max(1_000_000, o.events * 2)) },
        }),
      );
    }
    const batch = 500;
    const t0 = performance.now();
    let next = 0;
    const tag = `${o.label.replace(/\W+/g, '')}-${Date.now()}`;
    // 2 concurrent posters per instance.
    await Promise.all(
      servers.flatMap((s) =>
        [0, 1].map(async () => {
          while (next < o.events) {
            const start = next;
            next += batch;
            const n = Math.min(batch, o.events - start);
            const ids = Array.from({ length: n }, (_, j) => `b-${tag}-${start + j}`);
            const r = await postBatch(s.url, ids);
            if (r.status !== 200 || r.accepted.length !== n) throw new Error(`${o.label}: /v1/events answered ${r.status}, accepted ${r.accepted.length}/${n}`);
          }
        }),
      ),
    );
    const t1 = performance.now();
    const deadline = Date.now() + 300_000;
    let c = await countDelivered(sandbox.url);
    while (c.counted < o.events && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      c = await countDelivered(sandbox.url);
    }
    const t2 = performance.now();
    if (c.counted < o.events) throw new Error(`${o.label}: only ${c.counted}/${o.events} delivered within 300 s`);
    return {
      label: o.label,
      instances: o.instances,
      events: o.events,
      acceptedPerSec: Math.round(o.events / ((t1 - t0) / 1000)),
      deliveredPerSec: Math.round(o.events / ((t2 - t0) / 1000)),
      duplicates: c.deduplicated,
    };
  } finally {
    await Promise.all(servers.map((s) => s.stop('SIGTERM', 10_000)));
    await sandbox.stop('SIGTERM', 5000);
  }
}
