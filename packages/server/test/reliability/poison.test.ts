/**
 * Poison isolation: events our mapping accepts but Meta rejects (the sandbox's test rule: an event id starting
 * with `sandbox-refuse-` is refused as an invalid event, code 100, "Event Refused By Test Rule" — ingest
 * already repairs or refuses what Meta documents) are mixed into one Graph batch with good ones.
 * Meta answers 400 for the whole batch; bisection must deliver every good event and dead-letter exactly the
 * poisoned ones with Meta's message, visible through `capi-bridge dead-letters list`. For both backends.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metaRejectedPurchase, purchase } from '../support/events.js';
import { REPO_ROOT } from '../support/process.js';
import { spawnSandbox, type Sandbox } from '../support/sandbox.js';
import { TEST_PIXEL, type CapiServer } from '../support/server.js';
import { waitFor } from '../support/wait.js';
import { BACKENDS, openBackend, ServerSlot, startOn, type Backend, type BackendName } from './harness.js';

const run = promisify(execFile);
const CLI = join(REPO_ROOT, 'packages/server/bin/capi-bridge.js');
const D = `destination="${TEST_PIXEL}"`;
const idOf = (e: Record<string, unknown>): string => (e.context as { event_id: string }).event_id;

interface ListedDeadLetter {
  id: string;
  destinationId: string;
  event: { event_id: string; event_name: string };
  error: { reason: string; httpStatus?: number; code?: number; errorSubcode?: number; errorUserTitle?: string; errorUserMsg?: string; fbtraceId?: string };
}

describe.each(BACKENDS)('poison isolation (%s outbox)', (name: BackendName) => {
  let backend: Backend;
  let sandbox: Sandbox;
  const slot = new ServerSlot();

  beforeAll(async () => {
    backend = await openBackend(name);
    sandbox = await spawnSandbox();
  }, 60_000);
  afterAll(async () => {
    for (const s of slot.all) await s.stop();
    await sandbox?.stop();
    await backend?.close();
  }, 30_000);

  it('a batch with rejected events delivers all the others; the rejected ones are dead-lettered with Meta\'s message', async () => {
    // A long flush interval so the whole batch travels in one Graph request and must be bisected.
    const server: CapiServer = await startOn(backend, slot, sandbox.url, { FLUSH_INTERVAL_MS: '1500' });
    const good = Array.from({ length: 57 }, () => purchase());
    const bad = [metaRejectedPurchase(), metaRejectedPurchase(), metaRejectedPurchase()];
    const batch = [...good.slice(0, 5), bad[0]!, ...good.slice(5, 30), bad[1]!, ...good.slice(30), bad[2]!];
    const res = await server.request('/v1/events', { key: true, json: { batch } });
    expect(res.status).toBe(200);
    // Our mapping accepts them all: the rejection comes from Meta, after queueing.
    expect(((await res.json()) as { accepted: number }).accepted).toBe(60);

    const goodIds = good.map(idOf);
    const badIds = bad.map(idOf);
    await waitFor(async () => {
      const ok = new Set((await sandbox.events({ source: 'server' })).filter((e) => e.status !== 'rejected').map((e) => e.eventId));
      return goodIds.every((i) => ok.has(i));
    }, { timeoutMs: 30_000, message: 'all good events delivered despite the poison' });
    await waitFor(async () => (await server.metrics()).get(`capi_bridge_events_dead_lettered_total{${D},reason="meta_rejected"}`) === 3,
      { message: 'three events dead-lettered' });

    const recorded = await sandbox.events({ source: 'server' });
    // The first request carried the whole batch and was refused as a whole (Meta rejects batches, not events).
    expect(recorded.some((e) => e.status === 'rejected')).toBe(true);
    const okIds = new Set(recorded.filter((e) => e.status !== 'rejected').map((e) => e.eventId));
    for (const id of badIds) expect(okIds.has(id)).toBe(false);
    const m = await server.metrics();
    expect(m.get(`capi_bridge_events_sent_total{${D}}`)).toBe(57);
    expect(m.get(`capi_bridge_outbox_depth{${D}}`)).toBe(0);

    const env = { ...process.env, OUTBOX: name === 'sqlite' ? `sqlite:${server.outboxPath}` : backend.serverOptions(sandbox.url).env!.OUTBOX! };
    const list = await run(process.execPath, [CLI, 'dead-letters', 'list', '--json'], { env });
    const dl = (JSON.parse(list.stdout) as { dead_letters: ListedDeadLetter[] }).dead_letters;
    expect(dl.map((d) => d.event.event_id).sort()).toEqual([...badIds].sort());
    for (const d of dl) {
      expect(d.destinationId).toBe(TEST_PIXEL);
      expect(d.error).toMatchObject({ reason: 'meta_rejected', httpStatus: 400, code: 100, errorUserTitle: 'Event Refused By Test Rule' });
      expect(d.error.errorUserMsg).toContain('event_id');
      expect(d.error.fbtraceId).toMatch(/\S/);
    }
    const text = await run(process.execPath, [CLI, 'dead-letters', 'list'], { env });
    for (const id of badIds) expect(text.stdout).toContain(id);
    expect(text.stdout).toContain('Event Refused By Test Rule');

    // The poison left nothing behind: later events flow normally.
    const later = purchase();
    await server.request('/v1/events', { key: true, json: later });
    await waitFor(async () => (await sandbox.acceptedServerIds()).has(idOf(later)), { message: 'later event delivered' });
  }, 90_000);
});
