import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_DELIVERY, type ResolvedDestination } from '../config/schema.js';
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
const nowS = () => Math.floor(Date.now() / 1000);
const ev = (id: string, t = nowS()): CapiServerEvent => ({ event_name: 'Purchase', event_time: t, event_id: id, action_source: 'website', user_data: {} });
const sink = new Writable({ write(_c, _e, cb) { cb(); } });

type Reply = { status: number; body?: unknown; retryAfterMs?: number };
function fakeClient(answer: (events: CapiServerEvent[]) => Reply): GraphClient & { calls: string[][] } {
  const calls: string[][] = [];
  return {
    calls,
    async send(_d, outgoing) {
      const events = outgoing.map((o) => o.event);
      calls.push(events.map((e) => e.event_id));
      const r = answer(events);
      return { ...r, body: r.body, latencyMs: 1 };
    },
  };
}

let stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const s of stops) await s();
  stops = [];
});

function setup(client: GraphClient, settings: Partial<typeof DEFAULT_DELIVERY> = {}, logLines?: string[]) {
  const outbox = new SqliteOutbox(join(mkdtempSync(join(tmpdir(), 'disp-')), 'o.db'));
  const metrics = createMetrics(['px']);
  const logger = logLines
    ? createLogger({ level: 'warn', destination: new Writable({ write(c, _e, cb) { logLines.push(String(c)); cb(); } }) })
    : createLogger({ level: 'silent', destination: sink });
  const d = new Dispatcher({
    outbox, client, destinations: [dest], metrics, logger,
    settings: { ...DEFAULT_DELIVERY, flushIntervalMs: 20, concurrency: 1, backoffBaseMs: 10, backoffMaxMs: 50, authProbeIntervalMs: 50, leaseMs: 200, ...settings },
  });
  stops.push(async () => {
    await d.stop(0);
    await outbox.close();
  });
  return { outbox, metrics, d };
}

async function until(fn: () => Promise<boolean> | boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error('condition not met');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const rejectIfBad = (events: CapiServerEvent[]): Reply => (events.some((e) => e.event_id.startsWith('bad'))
  ? { status: 400, body: { error: { code: 100, error_subcode: 2804999, error_user_title: 'Bad', error_user_msg: 'bad event', fbtrace_id: 'FT' } } }
  : { status: 200, body: { events_received: events.length } });

describe('Dispatcher (fake Graph transport)', () => {
  it('bisects a rejected batch so only the bad events are dead-lettered', async () => {
    const client = fakeClient(rejectIfBad);
    const { outbox, d, metrics } = setup(client);
    const ids = Array.from({ length: 16 }, (_, i) => (i === 5 || i === 11 ? `bad${i}` : `ok${i}`));
    await outbox.enqueue(ids.map((id) => ({ destinationId: 'px', event: ev(id) })));
    d.start();
    await until(async () => (await outbox.depth('px')) === 0);
    const dl = await outbox.listDeadLetters();
    expect(dl.map((x) => x.event.event_id).sort()).toEqual(['bad11', 'bad5']);
    expect(dl[0]!.error).toMatchObject({ reason: 'meta_rejected', code: 100, errorUserTitle: 'Bad', errorUserMsg: 'bad event', fbtraceId: 'FT' });
    const delivered = client.calls.filter((c) => !c.some((id) => id.startsWith('bad'))).flat();
    expect(new Set(delivered)).toEqual(new Set(ids.filter((i) => i.startsWith('ok'))));
    expect((await metrics.sent.get()).values[0]!.value).toBe(14);
    // log2 bisection, not one request per event
    expect(client.calls.length).toBeLessThan(16);
  });

  it('dead-letters events whose window closed instead of sending them (no batch poisoning)', async () => {
    const client = fakeClient(rejectIfBad);
    const { outbox, d } = setup(client);
    await outbox.enqueue([{ destinationId: 'px', event: ev('fresh') }, { destinationId: 'px', event: ev('stale', nowS() - 8 * 86400) }]);
    d.start();
    await until(async () => (await outbox.depth('px')) === 0);
    expect(client.calls.flat()).toEqual(['fresh']);
    expect((await outbox.listDeadLetters())[0]).toMatchObject({ event: { event_id: 'stale' }, error: { reason: 'too_old' } });
  });

  it('retries transient errors with backoff and dead-letters after maxAttempts', async () => {
    const client = fakeClient(() => ({ status: 503 }));
    const { outbox, d } = setup(client, { maxAttempts: 3 });
    await outbox.enqueue([{ destinationId: 'px', event: ev('x') }]);
    d.start();
    await until(async () => (await outbox.listDeadLetters()).length === 1);
    expect(client.calls.length).toBe(3);
    expect((await outbox.listDeadLetters())[0]!.error.reason).toBe('retries_exhausted');
  });

  it('pauses on auth errors without spending attempts, resumes when a probe succeeds', async () => {
    let authOk = false;
    const client = fakeClient((events) => (authOk ? { status: 200, body: { events_received: events.length } } : { status: 400, body: { error: { code: 190, message: 'Invalid OAuth access token' } } }));
    const { outbox, d, metrics } = setup(client, { maxAttempts: 2 });
    await outbox.enqueue([{ destinationId: 'px', event: ev('p1') }, { destinationId: 'px', event: ev('p2') }]);
    d.start();
    await until(() => d.isPaused('px'));
    expect((await metrics.paused.get()).values.find((v) => v.labels.destination === 'px')!.value).toBe(1);
    await new Promise((r) => setTimeout(r, 400)); // several probes fail
    expect(await outbox.depth('px')).toBe(2);
    expect(await outbox.listDeadLetters()).toHaveLength(0);
    authOk = true;
    await until(async () => (await outbox.depth('px')) === 0);
    expect(d.isPaused('px')).toBe(false);
  });

  it('backs the whole destination off after 3 consecutive transient failures instead of trying every fresh batch', async () => {
    let down = true;
    const client = fakeClient((events) => (down ? { status: 503 } : { status: 200, body: { events_received: events.length } }));
    // 20 batches of 2; 4 loops; a 10 s breaker wait (backoff base) so nothing but the breaker can stop the loops.
    const logs: string[] = [];
    const { outbox, d } = setup(client, { batchSize: 2, concurrency: 4, backoffBaseMs: 10_000, backoffMaxMs: 10_000 }, logs);
    await outbox.enqueue(Array.from({ length: 40 }, (_, i) => ({ destinationId: 'px', event: ev(`b${i}`) })));
    d.start();
    await until(() => client.calls.length >= 3);
    await new Promise((r) => setTimeout(r, 300));
    // 3 failures open the breaker; at most the other loops' requests already in flight follow.
    expect(client.calls.length).toBeLessThanOrEqual(3 + 3);
    expect(await outbox.depth('px')).toBe(40);
    expect(logs.filter((l) => l.includes('destination backing off'))).toHaveLength(1);
    down = false;
  });

  it('an answer from Meta resets the failure streak: isolated 5xx never stop the destination', async () => {
    let n = 0;
    // Every other request fails: the streak never reaches 3, so the breaker never opens.
    const client = fakeClient((events) => (n++ % 2 === 0 ? { status: 503 } : { status: 200, body: { events_received: events.length } }));
    const logs: string[] = [];
    const { outbox, d } = setup(client, { batchSize: 1, concurrency: 1, backoffBaseMs: 10, backoffMaxMs: 10 }, logs);
    await outbox.enqueue(Array.from({ length: 6 }, (_, i) => ({ destinationId: 'px', event: ev(`s${i}`) })));
    d.start();
    await until(async () => (await outbox.depth('px')) === 0, 8000);
    expect(client.calls.length).toBeGreaterThanOrEqual(6);
    expect(logs.filter((l) => l.includes('destination backing off'))).toEqual([]);
  });

  it('honours Retry-After on throttling before the next request', async () => {
    let n = 0;
    const times: number[] = [];
    const client = fakeClient((events) => {
      times.push(Date.now());
      return n++ === 0 ? { status: 429, retryAfterMs: 300, body: { error: { code: 17 } } } : { status: 200, body: { events_received: events.length } };
    });
    const { outbox, d } = setup(client, { backoffMaxMs: 5000 });
    await outbox.enqueue([{ destinationId: 'px', event: ev('t') }]);
    d.start();
    await until(async () => (await outbox.depth('px')) === 0);
    expect(times.length).toBe(2);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(280);
  });
});
