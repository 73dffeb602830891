/**
 * Outbox benchmark, one run, side by side: SQLite (default) vs Redis Streams.
 *  1. outbox level: enqueue N (batches of 500) then claim(1000)+ack drain, 1 and 3 claimers;
 *  2. delivery: real server processes + meta-sandbox, N events posted to /v1/events, time until the
 *     sandbox has recorded them all — 1 SQLite instance, 1 Redis instance, 3 Redis instances.
 * Run: `npx tsx packages/server/bench/outbox.bench.ts` (after `npx tsc -b packages/server packages/meta-sandbox`).
 * BENCH_EVENTS (default 20000) sets N.
 */
import { createRedisOutbox } from '../src/outbox/redis.js';
import { SqliteOutbox } from '../src/outbox/sqlite.js';
import { startRedisServer } from '../test/support/redis-server.js';
import { runOutboxLevel, tempSqlitePath, type OutboxLevelResult } from './outbox-level.js';
import { runDelivery, type DeliveryResult } from './outbox-delivery.js';

const N = Number(process.env.BENCH_EVENTS ?? 20_000);

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}

async function main(): Promise<void> {
  const redis = await startRedisServer();
  const sqlite = tempSqlitePath();
  let prefixSeq = 0;
  const openRedis = () => createRedisOutbox(redis.url, { keyPrefix: `bench${prefixSeq}:` });
  try {
    console.log(`# outbox bench — ${fmt(N)} events, redis-server AOF appendfsync everysec, SQLite WAL synchronous=FULL`);
    console.log('\n## outbox level (enqueue in batches of 500, 4 concurrent; drain with claim(1000)+ack)');
    const level: OutboxLevelResult[] = [];
    level.push(await runOutboxLevel('sqlite', async () => new SqliteOutbox(sqlite.path), 1, N));
    prefixSeq += 1;
    level.push(await runOutboxLevel('redis', openRedis, 1, N));
    prefixSeq += 1;
    level.push(await runOutboxLevel('redis', openRedis, 3, N));
    const base = level[0]!;
    console.log('| backend | claimers | enqueue ev/s | drain ev/s | enqueue vs sqlite | drain vs sqlite |');
    console.log('|---|---|---|---|---|---|');
    for (const r of level) {
      console.log(
        `| ${r.backend} | ${r.claimers} | ${fmt(r.enqueuePerSec)} | ${fmt(r.drainPerSec)} | ` +
          `${(r.enqueuePerSec / base.enqueuePerSec).toFixed(2)}× | ${(r.drainPerSec / base.drainPerSec).toFixed(2)}× |`,
      );
    }

    console.log('\n## delivery (POST /v1/events batches of 500 → server(s) → meta-sandbox; until all recorded)');
    const delivery: DeliveryResult[] = [];
    delivery.push(await runDelivery({ label: 'sqlite ×1', outbox: `sqlite:${sqlite.path}.delivery`, instances: 1, events: N }));
    delivery.push(await runDelivery({ label: 'redis ×1', outbox: `${redis.url}?prefix=d1:`, instances: 1, events: N }));
    delivery.push(await runDelivery({ label: 'redis ×3', outbox: `${redis.url}?prefix=d3:`, instances: 3, events: N }));
    const dbase = delivery[0]!;
    console.log('| setup | accepted ev/s | delivered ev/s (end to end) | vs sqlite ×1 | duplicates (same event_id) |');
    console.log('|---|---|---|---|---|');
    for (const r of delivery) {
      console.log(
        `| ${r.label} | ${fmt(r.acceptedPerSec)} | ${fmt(r.deliveredPerSec)} | ` +
          `${(r.deliveredPerSec / dbase.deliveredPerSec).toFixed(2)}× | ${r.duplicates} |`,
      );
    }
  } finally {
    await redis.stop();
    sqlite.cleanup();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
