/**
 * Replays must not double-count: the same CSV uploaded twice, or the same /v1/events body retried, gives
 * Meta the same event_ids (Meta then counts each conversion once). In-process server, real HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/config/resolve.js';
import type { EnqueueItem, EnqueueResult } from '../src/outbox/types.js';
import { NullOutbox } from './support/null-outbox.js';
import { startServer, type RunningServer } from '../src/server.js';

const API_KEY = 'replay-test-key-0123456789';

class RecordingOutbox extends NullOutbox {
  ids: string[] = [];
  override async enqueue(items: readonly EnqueueItem[]): Promise<EnqueueResult> {
    for (const it of items) this.ids.push(it.event.event_id);
    return { ok: true };
  }
}

let server: RunningServer;
const outbox = new RecordingOutbox();

beforeAll(async () => {
  const config = resolveConfig({
    env: { PORT: '0', HOST: '127.0.0.1', API_KEYS: API_KEY, LOG_LEVEL: 'silent', MAP_WORKERS: '0' },
    file: { destinations: [{ id: 'main', pixelId: '1234567890', accessToken: 'sandbox-token', matchPolicy: 'none' }] },
  });
  server = await startServer(config, { outbox, delivery: false });
});
afterAll(async () => server?.close());

/** What the outbox received for one request. */
async function idsOf(send: () => Promise<Response>): Promise<string[]> {
  const before = outbox.ids.length;
  const res = await send();
  expect(res.status, await res.clone().text()).toBe(200);
  return outbox.ids.slice(before);
}

const CSV = [
  'id,event_name,type,user.email,value,currency,items.product.id,items.quantity',
  ',purchase,offline,a@b.co,10,EUR,SKU-1,1',
  ',purchase,offline,a@b.co,10,EUR,SKU-1,1',
  ',purchase,offline,c@d.co,20,EUR,SKU-2,2',
  'ORD-9,purchase,offline,e@f.co,30,EUR,SKU-3,1',
  'ORD-9,purchase,offline,e@f.co,30,EUR,SKU-4,1',
].join('\n');

describe('replays give the same event_ids', () => {
  it('the same CSV uploaded twice → the same ids; identical rows stay distinct events', async () => {
    const post = () => fetch(`${server.url}/v1/events/csv`, { method: 'POST', headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'text/csv' }, body: CSV });
    const first = await idsOf(post);
    const second = await idsOf(post);
    expect(first).toHaveLength(4);
    expect(new Set(first).size).toBe(4);
    expect(second).toEqual(first);
  });

  it('the same /v1/events body retried → the same ids (order id, or content with a timestamp); explicit ids win', async () => {
    const now = Date.now();
    const body = JSON.stringify({ batch: [
      { event_name: 'purchase', type: 'offline', id: 'ORD-42', value: 5, currency: 'EUR', user: { email: 'a@b.co' } },
      { event_name: 'lead', type: 'offline', context: { event_timestamp: now - 5000 }, user: { email: 'a@b.co' } },
      { event_name: 'lead', type: 'offline', context: { event_timestamp: now - 5000 }, user: { email: 'a@b.co' } },
      { event_name: 'lead', type: 'offline', event_id: 'explicit-1', id: 'ORD-42', user: { email: 'a@b.co' } },
    ] });
    const post = () => fetch(`${server.url}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' }, body });
    const first = await idsOf(post);
    const second = await idsOf(post);
    expect(first).toHaveLength(4);
    expect(first[3]).toBe('explicit-1');
    expect(new Set(first).size).toBe(4);
    expect(second).toEqual(first);
  });

  it('an event with neither an id nor a timestamp gets a fresh id each time (never collapsed: documented rule)', async () => {
    const body = JSON.stringify({ event_name: 'lead', type: 'offline', user: { email: 'a@b.co' } });
    const post = () => fetch(`${server.url}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' }, body });
    const [a] = await idsOf(post);
    const [b] = await idsOf(post);
    expect(a).not.toBe(b);
  });
});
