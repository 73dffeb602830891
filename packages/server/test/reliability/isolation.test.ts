/**
 * Isolation cost, counted in Graph requests (not time): 1,000 queued events of which 20 are refused by the
 * sandbox (a `contents` item without `id`, which Meta refuses for the whole batch) → every good event
 * delivered, exactly the 20 dead-lettered, and at most 40 Graph requests. The dispatcher runs in this
 * process on a real SQLite outbox and talks HTTP to the sandbox process; events are queued directly so the
 * count measures delivery alone, whatever ingestion would have repaired or refused. The second case uses the
 * sandbox's unnamed test rule: the refusal names no event, as Meta's 2804001/2804050 bodies, so delivery
 * must search for the refused events.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResolvedDestination } from '../../src/config/schema.js';
import { DEFAULT_DELIVERY } from '../../src/config/settings.js';
import { Secret } from '../../src/config/secret.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import { createGraphClient } from '../../src/delivery/graph-client.js';
import { createLogger } from '../../src/log.js';
import type { CapiServerEvent } from '../../src/mapping/types.js';
import { createMetrics } from '../../src/metrics.js';
import { SqliteOutbox } from '../../src/outbox/sqlite.js';
import { spawnSandbox, type Sandbox } from '../support/sandbox.js';
import { TEST_PIXEL, TEST_TOKEN } from '../support/server.js';
import { waitFor } from '../support/wait.js';

/** The sandbox's test rule for a refusal that names no event (meta-sandbox README, Graph checks). */
const REFUSED_UNNAMED_EVENT_ID_PREFIX = 'sandbox-refuse-unnamed-';

const dest: ResolvedDestination = {
  id: TEST_PIXEL, pixelId: TEST_PIXEL, accessToken: new Secret(TEST_TOKEN), matchPolicy: 'none', contentType: 'product',
  defaultActionSource: 'website', sendAllProperties: false, apiVersion: 'v24.0',
};

function event(id: string, bad: boolean, unnamedRefusal = false): CapiServerEvent {
  return {
    event_name: 'Purchase', event_time: Math.floor(Date.now() / 1000), action_source: 'website',
    event_id: bad && unnamedRefusal ? `${REFUSED_UNNAMED_EVENT_ID_PREFIX}${id}` : id,
    event_source_url: 'https://shop.example/checkout/done',
    user_data: {
      em: [createHash('sha256').update(`${id}@example.com`).digest('hex')], client_user_agent: 'Mozilla/5.0 (test)',
      client_ip_address: '203.0.113.7', fbp: 'fb.1.1700000000000.1234567890',
    },
    custom_data: { value: 10, currency: 'EUR', contents: [bad && !unnamedRefusal ? { quantity: 1, item_price: 10 } : { id: 'sku-1', quantity: 1, item_price: 10 }] },
  } as CapiServerEvent;
}

describe('isolating events Meta refuses costs few Graph requests', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await spawnSandbox();
  }, 60_000);
  afterAll(async () => {
    await sandbox?.stop();
  });

  /** Graph requests spent delivering the 980 and dead-lettering exactly the 20 (with Meta's `refusal` title). */
  async function isolate(unnamedRefusal: boolean, refusal: string): Promise<number> {
    const outbox = new SqliteOutbox(join(mkdtempSync(join(tmpdir(), 'iso-')), 'o.db'));
    const metrics = createMetrics([TEST_PIXEL]);
    const d = new Dispatcher({
      outbox, destinations: [dest], metrics, logger: createLogger({ level: 'silent', destination: new Writable({ write(_c, _e, cb) { cb(); } }) }),
      client: createGraphClient({ graphUrl: sandbox.url, timeoutMs: 10_000 }),
      settings: { ...DEFAULT_DELIVERY, concurrency: 1, flushIntervalMs: 50 },
    });
    const badAt = new Set(Array.from({ length: 20 }, (_, i) => i * 50 + 17));
    const events = Array.from({ length: 1000 }, (_, i) => event(randomUUID(), badAt.has(i), unnamedRefusal));
    await outbox.enqueue(events.map((e) => ({ destinationId: TEST_PIXEL, event: e })));
    const before = (await (await fetch(`${sandbox.url}/_sandbox/stats`)).json()) as { graphRequests: number };
    d.start();
    try {
      await waitFor(async () => (await outbox.depth(TEST_PIXEL)) === 0, { timeoutMs: 60_000, message: 'outbox drained' });
    } finally {
      await d.stop(0);
    }
    const after = (await (await fetch(`${sandbox.url}/_sandbox/stats`)).json()) as { graphRequests: number };
    const requests = after.graphRequests - before.graphRequests;
    console.log(`isolation (${unnamedRefusal ? 'no event named' : 'event named'}): ${requests} Graph requests for 1000 events with 20 refused`);
    const accepted = await sandbox.acceptedServerIds();
    const good = events.filter((_, i) => !badAt.has(i)).map((e) => e.event_id);
    expect(good.filter((id) => !accepted.has(id!))).toEqual([]);
    const dl = await outbox.listDeadLetters({ limit: 1000 });
    expect(dl.map((x) => x.event.event_id).sort()).toEqual(events.filter((_, i) => badAt.has(i)).map((e) => e.event_id).sort());
    expect(dl.every((x) => x.error.reason === 'meta_rejected' && x.error.errorUserTitle === refusal)).toBe(true);
    await outbox.close();
    return requests;
  }

  it('1,000 events with 20 refused in one batch: ≤ 40 Graph requests, 980 delivered, the 20 dead-lettered', async () => {
    expect(await isolate(false, 'Missing Content ID')).toBeLessThanOrEqual(40);
  }, 90_000);

  it('the same when Meta names no event (2804050-style): bisection still delivers the 980 and dead-letters only the 20, in fewer requests than plain halving', async () => {
    // Plain halving down to single events costs 263 requests here.
    expect(await isolate(true, 'Event Refused By Test Rule')).toBeLessThan(263);
  }, 120_000);
});
