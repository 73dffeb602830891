import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { metaRejectedPurchase, purchase } from './support/events.js';
import { REPO_ROOT } from './support/process.js';
import { spawnSandbox, type Sandbox } from './support/sandbox.js';
import { spawnServer, TEST_PIXEL, type CapiServer } from './support/server.js';
import { waitFor } from './support/wait.js';

const run = promisify(execFile);
const started: Array<{ stop(): Promise<unknown> }> = [];
afterEach(async () => {
  while (started.length) await started.pop()!.stop();
});

async function setup(serverEnv: Record<string, string> = {}, sandboxOpts: { tokens?: string[] } = {}): Promise<{ sandbox: Sandbox; server: CapiServer }> {
  const sandbox = await spawnSandbox(sandboxOpts);
  started.push(sandbox);
  const server = await spawnServer({ graphUrl: sandbox.url, env: serverEnv });
  started.push(server);
  return { sandbox, server };
}

const idOf = (e: Record<string, unknown>): string => (e.context as { event_id: string }).event_id;
const metric = async (s: CapiServer, name: string): Promise<number> => (await s.metrics()).get(name) ?? 0;

describe('delivery against the sandbox', () => {
  it('bisects a rejected batch: only the event Meta rejects is dead-lettered, with Meta\'s message; replay re-queues it', async () => {
    // A long flush interval so the ten events travel in one batch.
    const { sandbox, server } = await setup({ FLUSH_INTERVAL_MS: '1500' });
    const good = Array.from({ length: 9 }, () => purchase());
    const bad = metaRejectedPurchase();
    const batch = [...good.slice(0, 4), bad, ...good.slice(4)];
    const res = await server.request('/v1/events', { key: true, json: { batch } });
    expect(((await res.json()) as { accepted: number }).accepted).toBe(10);
    const goodIds = good.map(idOf);
    await waitFor(async () => { const s = await sandbox.acceptedServerIds(); return goodIds.every((i) => s.has(i)); }, { message: 'good events delivered' });
    await waitFor(async () => (await metric(server, `capi_bridge_events_dead_lettered_total{destination="${TEST_PIXEL}",reason="meta_rejected"}`)) === 1);
    expect(await sandbox.acceptedServerIds().then((s) => s.has(idOf(bad)))).toBe(false);

    const env = { ...process.env, OUTBOX: `sqlite:${server.outboxPath}` };
    const cli = join(REPO_ROOT, 'packages/server/bin/capi-bridge.js');
    const list = await run(process.execPath, [cli, 'dead-letters', 'list', '--json'], { env });
    const dl = (JSON.parse(list.stdout) as { dead_letters: Array<{ id: string; event: { event_id: string }; error: Record<string, unknown> }> }).dead_letters;
    expect(dl).toHaveLength(1);
    expect(dl[0]!.event.event_id).toBe(idOf(bad));
    expect(dl[0]!.error).toMatchObject({ reason: 'meta_rejected', httpStatus: 400, code: 100 });
    expect(typeof dl[0]!.error.errorUserTitle).toBe('string');
    expect(typeof dl[0]!.error.fbtraceId).toBe('string');
    const text = await run(process.execPath, [cli, 'dead-letters', 'list'], { env });
    expect(text.stdout).toContain(idOf(bad));

    const before = (await sandbox.events({ event_id: idOf(bad) })).length;
    const rep = await run(process.execPath, [cli, 'dead-letters', 'replay', '--id', dl[0]!.id], { env });
    expect(rep.stdout).toContain('replayed 1');
    // The running server picks the replayed entry up; Meta rejects it again → back in the dead letters.
    await waitFor(async () => (await sandbox.events({ event_id: idOf(bad) })).length > before, { message: 'replayed event re-sent' });
    await waitFor(async () => (await metric(server, `capi_bridge_events_dead_lettered_total{destination="${TEST_PIXEL}",reason="meta_rejected"}`)) === 2);
  });

  it('throttling (429 + Retry-After, code 17) and 5xx: events are retried, counted, and all delivered once faults stop', async () => {
    const { sandbox, server } = await setup();
    await sandbox.fault({ kind: 'throttle', retryAfterSeconds: 1, count: 2 });
    await sandbox.fault({ kind: 'status', status: 503, count: 2 });
    const evs = Array.from({ length: 20 }, () => purchase());
    const t0 = Date.now();
    const res = await server.request('/v1/events', { key: true, json: { batch: evs } });
    expect(res.status).toBe(200);
    const ids = evs.map(idOf);
    await waitFor(async () => { const s = await sandbox.acceptedServerIds(); return ids.every((i) => s.has(i)); }, { timeoutMs: 30_000, message: 'delivered after faults' });
    // Retry-After 1 s was honoured at least once before success.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
    const m = await server.metrics();
    expect(m.get(`capi_bridge_events_retried_total{destination="${TEST_PIXEL}",kind="throttled"}`)).toBeGreaterThanOrEqual(20);
    expect(m.get(`capi_bridge_events_retried_total{destination="${TEST_PIXEL}",kind="retry"}`)).toBeGreaterThanOrEqual(20);
    expect(m.get(`capi_bridge_events_dead_lettered_total{destination="${TEST_PIXEL}",reason="retries_exhausted"}`)).toBe(0);
  });

  it('auth error (unknown token): the destination pauses, events are kept, delivered once the token is valid', async () => {
    const { sandbox } = await setup();
    // A second server whose token the sandbox does not know.
    const server = await spawnServer({ graphUrl: sandbox.url, env: { FB_ACCESS_TOKEN: 'revoked-token-xyz' } });
    started.push(server);
    const evs = Array.from({ length: 5 }, () => purchase());
    await server.request('/v1/events', { key: true, json: { batch: evs } });
    await waitFor(async () => (await metric(server, `capi_bridge_destination_paused{destination="${TEST_PIXEL}"}`)) === 1, { message: 'paused' });
    const ready = (await (await server.request('/readyz')).json()) as { paused_destinations: string[] };
    expect(ready.paused_destinations).toEqual([TEST_PIXEL]);
    expect(await metric(server, `capi_bridge_outbox_depth{destination="${TEST_PIXEL}"}`)).toBe(5);
    expect(server.output()).toContain('destination paused');
    expect(server.output()).not.toContain('revoked-token-xyz');
    await server.stop();

    // "Fix the token": restart on the same outbox with the right token → the kept events are delivered.
    const fixed = await spawnServer({ graphUrl: sandbox.url, outboxPath: server.outboxPath, dataDir: server.dataDir });
    started.push(fixed);
    const ids = evs.map(idOf);
    await waitFor(async () => { const s = await sandbox.acceptedServerIds(); return ids.every((i) => s.has(i)); }, { message: 'delivered after token fix' });
    expect(await metric(fixed, `capi_bridge_destination_paused{destination="${TEST_PIXEL}"}`)).toBe(0);
  });

  it('a too-old event is dropped at ingestion and never sent', async () => {
    const { sandbox, server } = await setup();
    const old = purchase({ context: { event_id: 'old-1', event_timestamp: Date.now() - 8 * 24 * 3600 * 1000, page: { url: 'https://shop.example/' } } });
    const r = (await (await server.request('/v1/events', { key: true, json: old })).json()) as { results: Array<{ destinations: Array<{ reason: string }> }> };
    expect(r.results[0]!.destinations[0]!.reason).toBe('too_old');
    await new Promise((res) => setTimeout(res, 300));
    expect(await sandbox.events({ event_id: 'old-1' })).toHaveLength(0);
  });
});
