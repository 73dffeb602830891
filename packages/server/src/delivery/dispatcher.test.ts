import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
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

/** Meta's "insufficient customer information" (2804050): an event-level code whose body names no event. */
const rejectIfBad = (events: CapiServerEvent[]): Reply => (events.some((e) => e.event_id.startsWith('bad'))
  ? { status: 400, body: { error: { code: 100, error_subcode: 2804050, error_user_title: 'Bad', error_user_msg: 'bad event', fbtrace_id: 'FT' } } }
  : { status: 200, body: { events_received: events.length } });

/** Like Meta's parameter errors: the first bad event is named as `$['data'][N]`. */
const rejectNamingFirstBad = (events: CapiServerEvent[]): Reply => {
  const i = events.findIndex((e) => e.event_id.startsWith('bad'));
  return i < 0
    ? { status: 200, body: { events_received: events.length } }
    : { status: 400, body: { error: { code: 100, error_subcode: 2804910, message: 'Invalid parameter', error_user_title: 'Missing Content ID', error_user_msg: `data[${i}].custom_data.contents[0].id: is required (on param "$['data'][${i}]")`, fbtrace_id: 'FT' } } };
};

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

  it('after a throttle or a pause on one half of a split batch, the other half is not sent past the gate', async () => {
    for (const refusal of [{ status: 400, body: { error: { code: 4, message: 'Application request limit reached' } } }, { status: 400, body: { error: { code: 190, message: 'Invalid OAuth access token' } } }]) {
      let gate = false;
      const client = fakeClient((events) => {
        if (events.some((e) => e.event_id.startsWith('bad'))) return rejectIfBad(events);
        return gate ? refusal : { status: 200, body: { events_received: events.length } };
      });
      const { outbox, d } = setup(client, { backoffBaseMs: 5_000, backoffMaxMs: 5_000, authProbeIntervalMs: 5_000, leaseMs: 5_000 });
      // 8 events, one bad: the first split sends [ok0..ok3] (refused by the gate), then must stop.
      await outbox.enqueue(['ok0', 'ok1', 'ok2', 'ok3', 'ok4', 'ok5', 'ok6', 'bad7'].map((id) => ({ destinationId: 'px', event: ev(id) })));
      gate = true;
      client.calls.length = 0;
      d.start();
      await until(() => client.calls.length >= 2);
      await new Promise((r) => setTimeout(r, 300));
      // the whole batch (refused for its bad event, not by the gate), then its first half (refused by the gate): nothing more
      expect(client.calls).toEqual([['ok0', 'ok1', 'ok2', 'ok3', 'ok4', 'ok5', 'ok6', 'bad7'], ['ok0', 'ok1', 'ok2', 'ok3']]);
      expect(await outbox.listDeadLetters()).toHaveLength(0);
      await d.stop(0);
    }
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

  it('isolates k events Meta names ($[\'data\'][N]) with k + 1 requests, delivering all the others', async () => {
    const client = fakeClient(rejectNamingFirstBad);
    const { outbox, d, metrics } = setup(client);
    const ids = Array.from({ length: 200 }, (_, i) => (i % 40 === 7 ? `bad${i}` : `ok${i}`));
    await outbox.enqueue(ids.map((id) => ({ destinationId: 'px', event: ev(id) })));
    d.start();
    await until(async () => (await outbox.depth('px')) === 0);
    const bad = ids.filter((i) => i.startsWith('bad'));
    expect((await outbox.listDeadLetters()).map((x) => x.event.event_id).sort()).toEqual([...bad].sort());
    expect(client.calls.length).toBe(bad.length + 1);
    expect((await metrics.sent.get()).values[0]!.value).toBe(200 - bad.length);
  });

  it('without an index, a half that goes through marks the other half bad: it is split, not resent whole', async () => {
    const client = fakeClient(rejectIfBad);
    const { outbox, d } = setup(client);
    // One bad event at the end of 64: plain halving sends 2 requests per level (1 + 12); this sends the batch and
    // the good first half of each level (1 + 6): the last single is known bad without being sent alone.
    const ids = Array.from({ length: 64 }, (_, i) => (i === 63 ? 'bad63' : `ok${i}`));
    await outbox.enqueue(ids.map((id) => ({ destinationId: 'px', event: ev(id) })));
    d.start();
    await until(async () => (await outbox.depth('px')) === 0);
    expect((await outbox.listDeadLetters()).map((x) => x.event.event_id)).toEqual(['bad63']);
    expect(client.calls.length).toBe(7);
  });

  it('without an index, 20 bad among 1,000: fewer requests than plain halving (263)', async () => {
    const client = fakeClient(rejectIfBad);
    const { outbox, d } = setup(client);
    const ids = Array.from({ length: 1000 }, (_, i) => (i % 50 === 17 ? `bad${i}` : `ok${i}`));
    await outbox.enqueue(ids.map((id) => ({ destinationId: 'px', event: ev(id) })));
    d.start();
    await until(async () => (await outbox.depth('px')) === 0, 20_000);
    expect((await outbox.listDeadLetters({ limit: 100 })).length).toBe(20);
    expect(client.calls.length).toBe(207);
  });

  it('a long Graph outage (5xx for 3 simulated days) dead-letters nothing; an event whose window closes meanwhile is too_old', async () => {
    let offset = 0;
    const now = (): number => Date.now() + offset;
    let down = true;
    const client = fakeClient((events) => {
      if (!down) return { status: 200, body: { events_received: events.length } };
      offset += 3600_000; // every failed request: one more hour of outage
      if (offset >= 72 * 3600_000) down = false;
      return { status: 503 };
    });
    const outbox = new SqliteOutbox(join(mkdtempSync(join(tmpdir(), 'disp-')), 'o.db'), { now });
    const metrics = createMetrics(['px']);
    const d = new Dispatcher({
      outbox, client, destinations: [dest], metrics, logger: createLogger({ level: 'silent', destination: sink }), now,
      settings: { ...DEFAULT_DELIVERY, flushIntervalMs: 5, concurrency: 1, backoffBaseMs: 1, backoffMaxMs: 5, leaseMs: 200 },
    });
    stops.push(async () => {
      await d.stop(0);
      await outbox.close();
    });
    const t = nowS();
    await outbox.enqueue([
      ...Array.from({ length: 5 }, (_, i) => ({ destinationId: 'px', event: ev(`fresh${i}`, t) })),
      { destinationId: 'px', event: ev('nearly-old', t - 6 * 86400 - 12 * 3600) },
    ]);
    d.start();
    await until(async () => (await outbox.depth('px')) === 0, 20_000);
    // More failed attempts than the old 50-attempt limit, and the outage outlived the window of one event.
    expect(client.calls.length).toBeGreaterThan(60);
    const dl = await outbox.listDeadLetters();
    expect(dl.map((x) => [x.event.event_id, x.error.reason])).toEqual([['nearly-old', 'too_old']]);
    expect((await metrics.sent.get()).values[0]!.value).toBe(5);
  });

  it('a pause message never shows the access token, even if an answer echoed it', async () => {
    const client = fakeClient(() => ({ status: 400, body: { error: { code: 190, message: 'Cannot parse tok here' } } }));
    const { outbox, d } = setup(client);
    await outbox.enqueue([{ destinationId: 'px', event: ev('s1') }]);
    d.start();
    await until(() => d.deliveryState().px!.paused);
    expect(d.pauses()[0]!.message).toBe('Cannot parse [redacted] here');
  });

  it('a request-level 4xx (code 100 naming no event, 2635, 2500, non-Graph 404) pauses and keeps every event', async () => {
    const answers: Reply[] = [
      { status: 400, body: { error: { code: 100, message: '(#100) The parameter data is required', fbtrace_id: 'A' } } },
      { status: 400, body: { error: { code: 2635, message: '(#2635) You are calling a deprecated version of the Ads API. Please update to the latest version: v24.0.' } } },
      { status: 400, body: { error: { code: 2500, message: 'Unknown path components: /x' } } },
      { status: 404, body: '<html>404</html>' },
    ];
    let n = 0;
    // The first answer (code 100 naming no event) is given to the batch and to every part of it tried.
    const splitTest = [50, 25, 25, 13, 12, 7, 6, 4, 3, 2, 2, 1, 1];
    const client = fakeClient((events) => {
      const i = n++;
      const answer = i < splitTest.length ? answers[0] : answers[i - splitTest.length + 1];
      return answer ?? { status: 200, body: { events_received: events.length } };
    });
    const logs: string[] = [];
    const { outbox, d, metrics } = setup(client, { authProbeIntervalMs: 30 }, logs);
    await outbox.enqueue(Array.from({ length: 50 }, (_, i) => ({ destinationId: 'px', event: ev(`r${i}`) })));
    d.start();
    await until(() => d.deliveryState().px!.paused);
    expect(d.pauses()[0]).toMatchObject({ destination: 'px', cause: 'unrecognised', code: 100, message: '(#100) The parameter data is required' });
    expect((await metrics.paused.get()).values.find((v) => v.labels.destination === 'px')!.value).toBe(1);
    await until(async () => (await outbox.depth('px')) === 0);
    // Code 100 naming no event: both halves are tried, then both halves of the first, down to single
    // events; all refused → about the request (2·log2(50) requests more). Then one request per answer
    // (each probe sends the whole batch, none is split), then delivery.
    expect(client.calls.map((c) => c.length)).toEqual([...splitTest, 50, 50, 50, 50]);
    expect(await outbox.listDeadLetters()).toHaveLength(0);
    expect((await metrics.sent.get()).values[0]!.value).toBe(50);
    expect(d.deliveryState().px!.paused).toBe(false);
    const paused = logs.filter((l) => l.includes('destination paused'));
    expect(paused).toHaveLength(4);
    expect(paused[1]).toContain('deprecated version of the Ads API');
  });

  it('code 100 naming no event but refusing only batches with one event: the rest is delivered, that event is dead-lettered after being refused alone', async () => {
    const unnamed = { status: 400, body: { error: { code: 100, message: '(#100) Invalid parameter', fbtrace_id: 'U' } } };
    const client = fakeClient((events) => (events.some((e) => e.event_id === 'bad') ? unnamed : { status: 200, body: { events_received: events.length } }));
    const { outbox, d, metrics } = setup(client);
    await outbox.enqueue(Array.from({ length: 40 }, (_, i) => ({ destinationId: 'px', event: ev(i === 29 ? 'bad' : `g${i}`) })));
    d.start();
    await until(async () => (await outbox.depth('px')) === 0);
    const dl = await outbox.listDeadLetters();
    expect(dl.map((x) => x.event.event_id)).toEqual(['bad']);
    expect(dl[0]!.error).toMatchObject({ reason: 'meta_rejected', code: 100, message: '(#100) Invalid parameter' });
    expect(client.calls).toContainEqual(['bad']);
    expect((await metrics.sent.get()).values[0]!.value).toBe(39);
    expect(d.deliveryState().px!.paused).toBe(false);
    // 40 → 20 (ok) + 20 → 10 (ok) + 10 → 5 (bad) → 3 (ok) + 2 → 1 (ok) + [bad] alone: bounded, never one per event.
    expect(client.calls.length).toBeLessThanOrEqual(12);
  });

  it('workers meeting the same code-100 refusal wait for one split test: a request-level refusal costs one search, not one per worker', async () => {
    const client = fakeClient(() => ({ status: 400, body: { error: { code: 100, message: '(#100) Invalid parameter', fbtrace_id: 'W' } } }));
    const { outbox, d } = setup(client, { concurrency: 4, batchSize: 10, authProbeIntervalMs: 60_000 });
    await outbox.enqueue(Array.from({ length: 40 }, (_, i) => ({ destinationId: 'px', event: ev(`w${i}`) })));
    d.start();
    await until(() => d.deliveryState().px!.paused);
    await new Promise((r) => setTimeout(r, 100));
    // One search of a 10-event batch (10 → 5+5 → 3+2 → 2+1 → 1+1: 9 requests) and the other workers' first
    // requests; one search per worker would be 36.
    expect(client.calls.length).toBeLessThanOrEqual(12);
    expect(await outbox.listDeadLetters()).toHaveLength(0);
  });

  it('code 100 naming no event that stops between two requests (a fault ending) dead-letters nothing', async () => {
    let n = 0;
    const client = fakeClient((events) => (n++ < 2
      ? { status: 400, body: { error: { code: 100, message: '(#100) Invalid parameter', fbtrace_id: 'F' } } }
      : { status: 200, body: { events_received: events.length } }));
    const { outbox, d, metrics } = setup(client);
    await outbox.enqueue(Array.from({ length: 10 }, (_, i) => ({ destinationId: 'px', event: ev(`f${i}`) })));
    d.start();
    await until(async () => (await outbox.depth('px')) === 0);
    // Refused: the batch and its first half; the second half goes through, so the first is searched, and
    // every part of it, down to a single event sent alone, is accepted.
    expect(await outbox.listDeadLetters()).toHaveLength(0);
    expect((await metrics.sent.get()).values[0]!.value).toBe(10);
    expect(client.calls.slice(0, 3).map((c) => c.length)).toEqual([10, 5, 5]);
  });

  it('a single event refused with code 100 naming no event never pauses the destination: it is retried, and found once it travels with others', async () => {
    const unnamed = { status: 400, body: { error: { code: 100, message: '(#100) Invalid parameter', fbtrace_id: 'S' } } };
    const client = fakeClient((events) => (events.some((e) => e.event_id === 'bad') ? unnamed : { status: 200, body: { events_received: events.length } }));
    const { outbox, d, metrics } = setup(client, { backoffBaseMs: 200, backoffMaxMs: 200 });
    await outbox.enqueue([{ destinationId: 'px', event: ev('bad') }]);
    d.start();
    await until(async () => (await metrics.retried.get()).values.some((v) => v.labels.kind === 'unnamed_refusal' && v.value === 1));
    expect(d.deliveryState().px!.paused).toBe(false);
    expect(await outbox.listDeadLetters()).toHaveLength(0);
    // Queued while `bad` waits for its retry: they are due together, so one claim holds all 7.
    await outbox.enqueue(Array.from({ length: 6 }, (_, i) => ({ destinationId: 'px', event: ev(`later${i}`) })));
    await until(async () => (await outbox.depth('px')) === 0);
    expect((await outbox.listDeadLetters()).map((x) => x.event.event_id)).toEqual(['bad']);
    expect((await metrics.sent.get()).values[0]!.value).toBe(6);
    expect(d.deliveryState().px!.paused).toBe(false);
  });

  it('pauses on auth errors without spending attempts, resumes when a probe succeeds', async () => {
    let authOk = false;
    const client = fakeClient((events) => (authOk ? { status: 200, body: { events_received: events.length } } : { status: 400, body: { error: { code: 190, message: 'Invalid OAuth access token' } } }));
    const { outbox, d, metrics } = setup(client, { maxAttempts: 2 });
    await outbox.enqueue([{ destinationId: 'px', event: ev('p1') }, { destinationId: 'px', event: ev('p2') }]);
    d.start();
    await until(() => d.deliveryState().px!.paused);
    expect((await metrics.paused.get()).values.find((v) => v.labels.destination === 'px')!.value).toBe(1);
    await new Promise((r) => setTimeout(r, 400)); // several probes fail
    expect(await outbox.depth('px')).toBe(2);
    expect(await outbox.listDeadLetters()).toHaveLength(0);
    authOk = true;
    await until(async () => (await outbox.depth('px')) === 0);
    expect(d.deliveryState().px!.paused).toBe(false);
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
