/**
 * Every request-level answer Meta can give (the table in docs/reliability.md), produced by the sandbox the
 * way Meta words it (fault injection), against a running server: no event is ever dead-lettered for it.
 * Pauses are visible (/readyz with the cause and Meta's message, the paused gauge, one log line,
 * /v1/sent `paused` with why) and end with the first probe Meta accepts; throttles and transient errors
 * are retried. Event-level refusals are covered by poison.test.ts and isolation.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purchase } from '../support/events.js';
import { spawnSandbox, type FaultSpec, type Sandbox } from '../support/sandbox.js';
import { spawnServer, TEST_PIXEL, TEST_TOKEN, type CapiServer } from '../support/server.js';
import { waitFor } from '../support/wait.js';
import { BACKENDS, openBackend, type BackendName } from './harness.js';

const D = `destination="${TEST_PIXEL}"`;
const idOf = (e: Record<string, unknown>): string => (e.context as { event_id: string }).event_id;

type Row = [name: string, fault: FaultSpec, action: 'pause' | 'throttled' | 'retry', cause?: string, metaWords?: string];

const LONG = 60_000;
const ROWS: Row[] = [
  ['190 invalid token', { kind: 'graph_error', code: 190, durationMs: LONG }, 'pause', 'auth', 'Invalid OAuth access token'],
  ['190/463 expired token', { kind: 'graph_error', code: 190, subcode: 463, durationMs: LONG }, 'pause', 'auth', 'Session has expired'],
  ['190/460 password changed', { kind: 'graph_error', code: 190, subcode: 460, durationMs: LONG }, 'pause', 'auth', 'changed their password'],
  ['102 session', { kind: 'graph_error', code: 102, durationMs: LONG }, 'pause', 'auth', 'Session key invalid'],
  ['3 capability', { kind: 'graph_error', code: 3, durationMs: LONG }, 'pause', 'permission', '(#3)'],
  ['10 permission denied', { kind: 'graph_error', code: 10, durationMs: LONG }, 'pause', 'permission', '(#10)'],
  ['200 permissions error', { kind: 'graph_error', code: 200, durationMs: LONG }, 'pause', 'permission', '(#200)'],
  ['100/33 object missing', { kind: 'graph_error', code: 100, subcode: 33, durationMs: LONG }, 'pause', 'config', 'does not exist'],
  ['803 unknown alias', { kind: 'graph_error', code: 803, durationMs: LONG }, 'pause', 'config', '(#803)'],
  ['2500 unknown path', { kind: 'graph_error', code: 2500, durationMs: LONG }, 'pause', 'config', 'Unknown path components'],
  ['2635 deprecated version', { kind: 'graph_error', code: 2635, durationMs: LONG }, 'pause', 'config', 'deprecated version of the Ads API'],
  ['100 without subcode or event', { kind: 'graph_error', code: 100, durationMs: LONG }, 'pause', 'unrecognised', '(#100)'],
  ['unknown code 4242', { kind: 'graph_error', code: 4242, durationMs: LONG }, 'pause', 'unrecognised', '(#4242)'],
  ['proxy 404 (HTML)', { kind: 'proxy', status: 404, durationMs: LONG }, 'pause', 'config', 'HTTP 404'],
  ['proxy 403 (HTML)', { kind: 'proxy', status: 403, durationMs: LONG }, 'pause', 'auth', 'HTTP 403'],
  ['4 app limit', { kind: 'graph_error', code: 4, count: 2 }, 'throttled'],
  ['17 user limit', { kind: 'graph_error', code: 17, count: 2 }, 'throttled'],
  ['32 page limit', { kind: 'graph_error', code: 32, count: 2 }, 'throttled'],
  ['613 rate limit', { kind: 'graph_error', code: 613, count: 2 }, 'throttled'],
  ['80004 ad-account limit', { kind: 'graph_error', code: 80004, count: 2 }, 'throttled'],
  ['proxy 429 (HTML)', { kind: 'proxy', status: 429, count: 2 }, 'throttled'],
  ['1 unknown error', { kind: 'graph_error', code: 1, count: 2 }, 'retry'],
  ['2 service error', { kind: 'graph_error', code: 2, count: 2 }, 'retry'],
  ['341 application limit', { kind: 'graph_error', code: 341, count: 2 }, 'retry'],
  ['368 temporarily blocked', { kind: 'graph_error', code: 368, count: 2 }, 'retry'],
  ['proxy 502 (HTML)', { kind: 'proxy', status: 502, count: 2 }, 'retry'],
  ['503 outage', { kind: 'status', status: 503, count: 2 }, 'retry'],
];

describe('request-level Graph errors never dead-letter events', () => {
  let sandbox: Sandbox;
  let server: CapiServer;
  beforeAll(async () => {
    sandbox = await spawnSandbox();
    server = await spawnServer({ graphUrl: sandbox.url, env: { AUTH_PROBE_INTERVAL_MS: '200', LEASE_MS: '300', BACKOFF_BASE_MS: '50', BACKOFF_MAX_MS: '200' } });
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    await sandbox?.stop();
  });

  it.each(ROWS)('%s → %s', async (_name, fault, action, cause, metaWords) => {
    await sandbox.clearFaults();
    await sandbox.fault(fault);
    const before = await server.metrics();
    const evs = Array.from({ length: 5 }, () => purchase());
    const res = await server.request('/v1/events', { key: true, json: { batch: evs } });
    expect(res.status).toBe(200);
    const ids = evs.map(idOf);

    if (action === 'pause') {
      const ready = await waitFor(async () => {
        const r = (await (await server.request('/readyz')).json()) as { status: string; paused: Array<Record<string, unknown>> };
        return r.paused.length > 0 ? r : undefined;
      }, { message: 'paused on /readyz' });
      expect(ready.status).toBe('ready');
      expect(ready.paused[0]).toMatchObject({ destination: TEST_PIXEL, cause });
      expect(String(ready.paused[0]!.message)).toContain(metaWords);
      if (fault.kind === 'graph_error') expect(ready.paused[0]!.code).toBe(fault.code);
      expect((await server.metrics()).get(`capi_bridge_destination_paused{${D}}`)).toBe(1);
      const sent = (await (await server.request(`/v1/sent?event_id=${ids.join(',')}`, { key: true })).json()) as { events: Array<{ status: string; reason?: string }> };
      expect(sent.events).toHaveLength(5);
      for (const e of sent.events) {
        expect(e.status).toBe('paused');
        expect(e.reason).toContain(metaWords);
      }
      const line = server.output().split('\n').reverse().find((l) => l.includes('destination paused'));
      expect(line).toContain(metaWords!.replace(/"/g, '\\"'));
      expect(server.output()).not.toContain(TEST_TOKEN);
      // Meta answers again: the next probe delivers everything and ends the pause.
      await sandbox.clearFaults();
    }
    await waitFor(async () => { const s = await sandbox.acceptedServerIds(); return ids.every((i) => s.has(i)); }, { message: 'all events delivered' });
    // The sandbox stores a batch before the server reads Meta's answer and counts it sent: wait for the count.
    const sentBefore = before.get(`capi_bridge_events_sent_total{${D}}`) ?? 0;
    const after = await waitFor(async () => {
      const m = await server.metrics();
      return (m.get(`capi_bridge_events_sent_total{${D}}`) ?? 0) - sentBefore >= 5 ? m : undefined;
    }, { message: 'sent counted' });
    const dead = [...after].filter(([k]) => k.startsWith('capi_bridge_events_dead_lettered_total')).reduce((n, [, v]) => n + v, 0);
    expect(dead).toBe(0);
    expect(after.get(`capi_bridge_events_sent_total{${D}}`)! - sentBefore).toBe(5);
    if (action !== 'pause') {
      const key = `capi_bridge_events_retried_total{${D},kind="${action}"}`;
      expect(after.get(key)! - (before.get(key) ?? 0)).toBeGreaterThanOrEqual(5);
    } else {
      await waitFor(async () => (await server.metrics()).get(`capi_bridge_destination_paused{${D}}`) === 0, { message: 'pause ended' });
    }
  }, 30_000);
});

describe.each(BACKENDS)('the repros (%s outbox): a request-level 400 for a few seconds, a wrong FB_GRAPH_URL path', (name: BackendName) => {
  let sandbox: Sandbox;
  const cleanups: Array<() => Promise<unknown>> = [];
  beforeAll(async () => {
    sandbox = await spawnSandbox();
  }, 60_000);
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
    await sandbox?.stop();
  });
  /** A fresh outbox per test (a new backend: its own SQLite file or Redis key prefix). */
  const start = async (graphUrl: string, env: Record<string, string>): Promise<CapiServer> => {
    const backend = await openBackend(name);
    cleanups.push(() => backend.close());
    const s = await spawnServer(backend.serverOptions(graphUrl, env));
    cleanups.push(() => s.stop());
    return s;
  };

  it('400 code 100 (no event named) for 4 s: 200 acknowledged events, none dead-lettered, all delivered', async () => {
    const server = await start(sandbox.url, { AUTH_PROBE_INTERVAL_MS: '500', LEASE_MS: '1000' });
    await sandbox.fault({ kind: 'graph_error', code: 100, durationMs: 4000 });
    const t0 = (await (await fetch(`${sandbox.url}/_sandbox/stats`)).json()) as { graphRequests: number };
    const evs = Array.from({ length: 200 }, () => purchase());
    for (let i = 0; i < 200; i += 20) {
      const res = await server.request('/v1/events', { key: true, json: { batch: evs.slice(i, i + 20) } });
      expect(res.status).toBe(200);
    }
    const ids = evs.map(idOf);
    await waitFor(async () => { const s = await sandbox.acceptedServerIds(); return ids.every((i) => s.has(i)); }, { timeoutMs: 30_000, message: 'all delivered after the fault' });
    const t1 = (await (await fetch(`${sandbox.url}/_sandbox/stats`)).json()) as { graphRequests: number };
    const m = await server.metrics();
    expect([...m].filter(([k]) => k.startsWith('capi_bridge_events_dead_lettered_total')).reduce((n, [, v]) => n + v, 0)).toBe(0);
    expect(m.get(`capi_bridge_events_sent_total{${D}}`)).toBe(200);
    console.log(`${name}: 400/100 for 4 s: 200 events, 0 dead-lettered, ${t1.graphRequests - t0.graphRequests} Graph requests`);
  }, 60_000);

  it('FB_GRAPH_URL with a wrong path (404, code 2500): paused with Meta\'s message, 100 of 100 kept', async () => {
    const server = await start(`${sandbox.url}/wrong`, { AUTH_PROBE_INTERVAL_MS: '300' });
    const evs = Array.from({ length: 100 }, () => purchase());
    await server.request('/v1/events', { key: true, json: { batch: evs } });
    const ready = await waitFor(async () => {
      const r = (await (await server.request('/readyz')).json()) as { paused: Array<Record<string, unknown>> };
      return r.paused.length > 0 ? r : undefined;
    });
    expect(ready.paused[0]).toMatchObject({ cause: 'config', code: 2500, http_status: 404 });
    expect(String(ready.paused[0]!.message)).toContain('Unknown path components');
    await new Promise((r) => setTimeout(r, 1000)); // several probes
    const m = await server.metrics();
    expect(m.get(`capi_bridge_outbox_depth{${D}}`)).toBe(100);
    expect([...m].filter(([k]) => k.startsWith('capi_bridge_events_dead_lettered_total')).reduce((n, [, v]) => n + v, 0)).toBe(0);
    expect(server.output().split('\n').filter((l) => l.includes('destination paused'))).toHaveLength(1);
  }, 60_000);
});
