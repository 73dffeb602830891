import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, expect, it } from 'vitest';
import type { ResolvedDestination } from '../config/schema.js';
import { DEFAULT_DELIVERY } from '../config/settings.js';
import { Secret } from '../config/secret.js';
import { createLogger } from '../log.js';
import type { CapiServerEvent } from '../mapping/types.js';
import { createMetrics } from '../metrics.js';
import { SqliteOutbox } from '../outbox/sqlite.js';
import { Dispatcher } from './dispatcher.js';
import type { GraphClient } from './graph-client.js';

const dest: ResolvedDestination = {
  id: 'px', pixelId: '1', accessToken: new Secret('tok'), matchPolicy: 'none', contentType: 'product', defaultActionSource: 'website',
  sendAllProperties: false, apiVersion: 'v24.0',
};
const ev = (id: string): CapiServerEvent => ({ event_name: 'Purchase', event_time: Math.floor(Date.now() / 1000), event_id: id, action_source: 'website', user_data: {} });

/** Meta refuses any batch holding a `bad*` event with an event-level error (code 100, CAPI subcode). */
const client: GraphClient = {
  async send(_d, outgoing) {
    const bad = outgoing.some((o) => o.event.event_id.startsWith('bad'));
    return bad
      ? { status: 400, body: { error: { code: 100, error_subcode: 2804003, message: 'Invalid parameter' } }, latencyMs: 1 }
      : { status: 200, body: { events_received: outgoing.length }, latencyMs: 1 };
  },
};

let stop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stop?.();
});

it('evicting the oldest dead letters beyond DEAD_LETTER_MAX_COUNT is counted and logged by delivery', async () => {
  const outbox = new SqliteOutbox(join(mkdtempSync(join(tmpdir(), 'dl-evict-')), 'o.db'), { deadLetterMaxCount: 2 });
  const metrics = createMetrics(['px'], { depthOf: (d) => outbox.depth(d), statusOf: (d) => outbox.status(d) });
  const lines: string[] = [];
  const logger = createLogger({ level: 'warn', destination: new Writable({ write(c, _e, cb) { lines.push(String(c)); cb(); } }) });
  const d = new Dispatcher({
    outbox, client, destinations: [dest], metrics, logger,
    settings: { ...DEFAULT_DELIVERY, flushIntervalMs: 20, concurrency: 1, backoffBaseMs: 10, backoffMaxMs: 50, leaseMs: 200 },
  });
  stop = async () => {
    await d.stop(0);
    await outbox.close();
  };
  await outbox.enqueue(['bad1', 'ok1', 'bad2', 'bad3', 'ok2', 'bad4', 'bad5'].map((id) => ({ destinationId: 'px', event: ev(id) })));
  d.start();
  const end = Date.now() + 5000;
  while ((await outbox.depth('px')) > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  expect(await outbox.depth('px')).toBe(0);
  expect((await outbox.listDeadLetters()).length).toBe(2);
  expect((await metrics.deadLettersEvicted.get()).values[0]!.value).toBe(3);
  const text = await metrics.registry.metrics();
  expect(text).toContain('capi_bridge_dead_letters{destination="px"} 2');
  expect(text).toContain('capi_bridge_dead_letters_evicted_total 3');
  const evictedLogs = lines.map((l) => JSON.parse(l) as { msg: string; evicted?: number }).filter((l) => l.msg.startsWith('oldest dead letters evicted'));
  expect(evictedLogs.reduce((n, l) => n + (l.evicted ?? 0), 0)).toBe(3);
});
