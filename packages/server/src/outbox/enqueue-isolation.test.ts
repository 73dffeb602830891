/**
 * Enqueue is atomic per call in every backend: an item that cannot be serialised (a custom_data nested far
 * deeper than the stack) fails its own call with `invalid_event` and changes nothing for the calls that were
 * grouped with it (same main-thread turn → same group commit / same worker message).
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CapiServerEvent } from '../mapping/types.js';
import { testBackends } from '../../test/support/outbox-backends.js';
import type { EnqueueItem, Outbox, OutboxEntry } from './types.js';

const DEST = 'pixel-a';
let seq = 0;

function event(tag: string, customData?: Record<string, unknown>): CapiServerEvent {
  seq += 1;
  return {
    event_name: 'Purchase', event_time: Math.floor(Date.now() / 1000), event_id: `${tag}-${seq}`, action_source: 'website',
    user_data: { em: ['a'.repeat(64)] }, custom_data: { value: 1, currency: 'EUR', ...customData },
  };
}

/** A value JSON.stringify cannot serialise within any thread's stack. */
function tooDeep(): unknown {
  let v: unknown = 1;
  for (let i = 0; i < 200_000; i++) v = { a: v };
  return v;
}

const legit = (tag: string, n: number): EnqueueItem[] => Array.from({ length: n }, () => ({ destinationId: DEST, event: event(tag) }));

async function drain(outbox: Outbox): Promise<OutboxEntry[]> {
  const out: OutboxEntry[] = [];
  for (let i = 0; i < 50; i++) {
    const got = await outbox.claim(DEST, 1000, 60_000);
    if (got.length === 0 && out.length > 0) break;
    out.push(...got);
    if (got.length === 0) await new Promise((r) => setTimeout(r, 20));
  }
  return out;
}

describe.each(testBackends())('enqueue isolation: $name', (backend) => {
  const opened: Outbox[] = [];
  beforeAll(() => backend.start(), 30_000);
  afterAll(() => backend.stop());
  beforeEach(() => backend.fresh());
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((o) => o.close()));
  });

  it('a request with an unserialisable event fails alone; the requests grouped with it are stored exactly', async () => {
    const outbox = await backend.open();
    opened.push(outbox);
    const a = legit('a', 3);
    // The bad event is last: its good siblings would be serialised (and, before, already batched) first.
    const hostile: EnqueueItem[] = [...legit('h', 2), { destinationId: DEST, event: event('h', { deep: tooDeep() }) }];
    const b = legit('b', 10);
    // Same turn: one group commit (SQLite), one worker message (thread).
    const [ra, rh, rb] = await Promise.all([outbox.enqueue(a), outbox.enqueue(hostile), outbox.enqueue(b)]);
    expect(ra).toEqual({ ok: true });
    expect(rh).toMatchObject({ ok: false, reason: 'invalid_event' });
    expect(rb).toEqual({ ok: true });

    const stored = await drain(outbox);
    expect(stored.map((e) => e.event.event_id).sort()).toEqual([...a, ...b].map((i) => i.event.event_id).sort());
    // Every stored payload is the event its caller gave (nothing shifted between callers).
    const byId = new Map([...a, ...b].map((i) => [i.event.event_id, i.event]));
    for (const e of stored) expect(e.event).toEqual(byId.get(e.event.event_id));
    expect(await outbox.depth(DEST)).toBe(13);
  });

  it('later requests are unaffected too (nothing of the failed call lingers in the next batch)', async () => {
    const outbox = await backend.open();
    opened.push(outbox);
    const bad = outbox.enqueue([...legit('h', 4), { destinationId: DEST, event: event('h', { deep: tooDeep() }) }]);
    expect(await bad).toMatchObject({ ok: false, reason: 'invalid_event' });
    const next = legit('n', 5);
    expect(await outbox.enqueue(next)).toEqual({ ok: true });
    const stored = await drain(outbox);
    expect(stored.map((e) => e.event.event_id).sort()).toEqual(next.map((i) => i.event.event_id).sort());
  });
});
