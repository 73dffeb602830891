/**
 * Outbox-level throughput, no HTTP: enqueue N events in batches, then drain them with claim(1000) + ack,
 * with 1 and 3 concurrent claimers (3 separate outbox instances = 3 processes' worth of Redis consumers).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CapiServerEvent } from '../src/mapping/types.js';
import type { Outbox } from '../src/outbox/types.js';

export interface OutboxLevelResult {
  backend: string;
  claimers: number;
  events: number;
  enqueuePerSec: number;
  drainPerSec: number;
}

function event(i: number): CapiServerEvent {
  return {
    event_name: 'Purchase',
    event_time: Math.floor(Date.now() / 1000),
    event_id: `bench-${i}`,
    action_source: 'website',
    event_source_url: 'https://shop.example/checkout',
    user_data: {
      em: ['7b17fb0bd173f625b58636fb796407c22b3d16fc78302d79f0fd30c2fc2fc068'],
      ph: ['254aa248acb47dd654ca3ea53f48c2c26d641d23d7e2e93a1ec56258df7674c4'],
      client_ip_address: '203.0.113.7',
      client_user_agent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126 Safari/537.36',
      fbp: 'fb.1.1700000000000.1234567890',
    },
    custom_data: { value: 49.9, currency: 'EUR', contents: [{ id: 'sku-1', quantity: 1 }], num_items: 1 },
  };
}

async function drain(outboxes: Outbox[], dest: string, total: number): Promise<number> {
  let done = 0;
  await Promise.all(
    outboxes.map(async (o) => {
      let idle = 0;
      while (done < total && idle < 200) {
        const got = await o.claim(dest, 1000, 60_000);
        if (got.length === 0) {
          idle += 1;
          await new Promise((r) => setTimeout(r, 1));
          continue;
        }
        idle = 0;
        await o.ack(dest, got.map((e) => e.id));
        done += got.length;
      }
    }),
  );
  return done;
}

export async function runOutboxLevel(
  backend: string,
  open: () => Promise<Outbox>,
  claimers: number,
  events: number,
  batchSize = 500,
  concurrency = 4,
): Promise<OutboxLevelResult> {
  const dest = `bench-${backend}-${claimers}-${Date.now()}`;
  const writer = await open();
  const readers = [writer];
  for (let i = 1; i < claimers; i++) readers.push(await open());

  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < events) {
        const start = next;
        next += batchSize;
        const n = Math.min(batchSize, events - start);
        const r = await writer.enqueue(Array.from({ length: n }, (_, j) => ({ destinationId: dest, event: event(start + j) })));
        if (!r.ok) throw new Error(`enqueue failed: ${r.reason} ${r.detail}`);
      }
    }),
  );
  const t1 = performance.now();
  const drained = await drain(readers, dest, events);
  const t2 = performance.now();
  if (drained !== events) throw new Error(`drained ${drained} of ${events}`);
  await Promise.all(readers.map((o) => o.close()));
  return {
    backend,
    claimers,
    events,
    enqueuePerSec: Math.round(events / ((t1 - t0) / 1000)),
    drainPerSec: Math.round(events / ((t2 - t1) / 1000)),
  };
}

export function tempSqlitePath(): { path: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'capi-bench-sqlite-'));
  return { path: join(dir, 'outbox.db'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
