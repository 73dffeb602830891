import { describe, expect, it } from 'vitest';
import { BROWSER_PREFERENCE_MS, DEDUP_WINDOW_MS } from './dedup.js';
import { EventStore } from './store.js';
import type { IncomingEvent, RecordedEvent } from './types.js';

const P = '1234567890';
const T0 = 1_800_000_000_000;

function ev(source: 'browser' | 'server', at: number, over: Partial<IncomingEvent> = {}): IncomingEvent {
  return { source, pixelId: P, eventName: 'Purchase', eventId: 'order-1', receivedAt: T0 + at, payload: {}, ...over };
}

function statuses(store: EventStore): string[] {
  return store.list().map((r) => `${r.source}:${r.status}${r.dedupOf !== undefined ? `>${r.dedupOf}` : ''}`);
}

describe('dedup: event_id + event_name (method 1)', () => {
  it('browser first, server later: the server copy is deduplicated', () => {
    const s = new EventStore();
    s.add(ev('browser', 0));
    const server = s.add(ev('server', 10 * 60_000));
    expect(server).toMatchObject({ status: 'deduplicated', dedupOf: 1, dedupMethod: 'event_id' });
  });

  it('server first, browser within 5 minutes: the browser copy is kept, the server one re-marked', () => {
    const s = new EventStore();
    s.add(ev('server', 0));
    s.add(ev('browser', BROWSER_PREFERENCE_MS));
    expect(statuses(s)).toEqual(['server:deduplicated>2', 'browser:counted']);
  });

  it('server first, browser after 5 minutes: the first (server) is kept', () => {
    const s = new EventStore();
    s.add(ev('server', 0));
    s.add(ev('browser', BROWSER_PREFERENCE_MS + 1));
    expect(statuses(s)).toEqual(['server:counted', 'browser:deduplicated>1']);
  });

  it('48 h window: exactly 48 h still dedups, 48 h + 1 ms counts again', () => {
    const s = new EventStore();
    s.add(ev('browser', 0));
    expect(s.add(ev('server', DEDUP_WINDOW_MS)).status).toBe('deduplicated');
    const t = new EventStore();
    t.add(ev('browser', 0));
    expect(t.add(ev('server', DEDUP_WINDOW_MS + 1)).status).toBe('counted');
  });

  it('the window runs from the first event of the chain, also after a browser takeover', () => {
    const s = new EventStore();
    s.add(ev('server', 0));
    s.add(ev('browser', 60_000));
    expect(s.add(ev('server', DEDUP_WINDOW_MS)).status).toBe('deduplicated');
    expect(s.add(ev('server', DEDUP_WINDOW_MS + 1)).status).toBe('counted');
  });

  it('event names compare case-sensitively', () => {
    const s = new EventStore();
    s.add(ev('browser', 0, { eventName: 'Purchase' }));
    expect(s.add(ev('server', 1000, { eventName: 'purchase' })).status).toBe('counted');
  });

  it('different event_id, pixel or name never dedup', () => {
    const s = new EventStore();
    s.add(ev('browser', 0));
    expect(s.add(ev('server', 1, { eventId: 'order-2' })).status).toBe('counted');
    expect(s.add(ev('server', 2, { pixelId: '999' })).status).toBe('counted');
    expect(s.add(ev('server', 3, { eventName: 'Lead' })).status).toBe('counted');
  });

  it('same-source repeats within 48 h are discarded too', () => {
    const s = new EventStore();
    s.add(ev('server', 0));
    expect(s.add(ev('server', 1000))).toMatchObject({ status: 'deduplicated', dedupOf: 1 });
    s.add(ev('browser', 2000, { eventId: 'b' }));
    expect(s.add(ev('browser', 3000, { eventId: 'b' }))).toMatchObject({ status: 'deduplicated', dedupOf: 3 });
  });

  it('a browser takeover re-points earlier server repeats to the browser copy', () => {
    const s = new EventStore();
    s.add(ev('server', 0));
    s.add(ev('server', 1000));
    s.add(ev('browser', 2000));
    expect(statuses(s)).toEqual(['server:deduplicated>3', 'server:deduplicated>3', 'browser:counted']);
  });

  it('rejected events take no part', () => {
    const s = new EventStore();
    s.add({ ...ev('browser', 0), rejected: { message: 'x', code: 100 } });
    expect(s.add(ev('server', 1000)).status).toBe('counted');
  });

  it('events without event_id, fbp or external_id are never deduplicated', () => {
    const s = new EventStore();
    s.add(ev('browser', 0, { eventId: undefined }));
    expect(s.add(ev('server', 1, { eventId: undefined })).status).toBe('counted');
    expect(s.add(ev('server', 2, { eventId: undefined })).status).toBe('counted');
  });
});

describe('dedup: fbp / external_id + event_name (method 2)', () => {
  const FBP = 'fb.1.1596403881668.1116446470';
  it('browser first then server with the same fbp dedups; server first does not', () => {
    const s = new EventStore();
    s.add(ev('browser', 0, { eventId: undefined, fbp: FBP }));
    expect(s.add(ev('server', 1000, { eventId: 'x', fbp: FBP }))).toMatchObject({ status: 'deduplicated', dedupOf: 1, dedupMethod: 'fbp' });

    const t = new EventStore();
    t.add(ev('server', 0, { eventId: undefined, fbp: FBP }));
    expect(t.add(ev('browser', 1000, { eventId: undefined, fbp: FBP })).status).toBe('counted');
    expect(statuses(t)).toEqual(['server:counted', 'browser:counted']);
  });

  it('matches on hashed external_id, within 48 h, one server event per browser event', () => {
    const s = new EventStore();
    s.add(ev('browser', 0, { eventId: undefined, externalIds: ['abc'] }));
    expect(s.add(ev('server', 1000, { eventId: undefined, externalIds: ['zzz', 'abc'] })).dedupMethod).toBe('external_id');
    expect(s.add(ev('server', 2000, { eventId: undefined, externalIds: ['abc'] })).status).toBe('counted');
    const t = new EventStore();
    t.add(ev('browser', 0, { eventId: undefined, fbp: FBP }));
    expect(t.add(ev('server', DEDUP_WINDOW_MS + 1, { eventId: undefined, fbp: FBP })).status).toBe('counted');
  });

  it('two different explicit event_ids are two events even with the same fbp; name must match', () => {
    const s = new EventStore();
    s.add(ev('browser', 0, { eventId: 'a', fbp: FBP }));
    expect(s.add(ev('server', 1000, { eventId: 'b', fbp: FBP })).status).toBe('counted');
    expect(s.add(ev('server', 1000, { eventId: undefined, fbp: FBP, eventName: 'Lead' })).status).toBe('counted');
  });

  it('browser events never dedup by fbp against each other', () => {
    const s = new EventStore();
    s.add(ev('browser', 0, { eventId: undefined, fbp: FBP }));
    expect(s.add(ev('browser', 1000, { eventId: undefined, fbp: FBP })).status).toBe('counted');
  });
});

describe('EventStore', () => {
  it('is bounded: oldest evicted and counted, dedup index follows', () => {
    const s = new EventStore(3);
    for (let i = 0; i < 5; i++) s.add(ev('server', i, { eventId: `e${i}` }));
    expect(s.list().map((r: RecordedEvent) => r.seq)).toEqual([3, 4, 5]);
    expect(s.counters()).toMatchObject({ stored: 3, evicted: 2 });
    expect(s.add(ev('browser', 10, { eventId: 'e0' })).status).toBe('counted');
    expect(s.add(ev('browser', 11, { eventId: 'e4' })).status).toBe('counted');
    expect(s.list({ eventId: 'e4' }).map((r) => r.status)).toEqual(['deduplicated', 'counted']);
  });

  it('counters kept as events arrive, are demoted, evicted and cleared equal a recount of the stored events', () => {
    const s = new EventStore(4);
    const recount = (): Record<string, number> => {
      const c: Record<string, number> = { counted: 0, deduplicated: 0, rejected: 0 };
      for (const r of s.list()) c[r.status]!++;
      return c;
    };
    s.add(ev('server', 0, { eventId: 'a' }));
    s.add(ev('browser', 1, { eventId: 'a' })); // within 5 min: the server copy is demoted
    s.add({ ...ev('server', 2, { eventId: 'b' }), rejected: { message: 'bad', code: 100 } });
    expect(s.counters()).toMatchObject({ stored: 3, ...recount() });
    expect(recount()).toEqual({ counted: 1, deduplicated: 1, rejected: 1 });
    for (let i = 3; i < 9; i++) s.add(ev('server', i, { eventId: `x${i}` }));
    expect(s.counters()).toMatchObject({ stored: 4, evicted: 5, ...recount() });
    expect(s.list({ limit: 2 }).map((r) => r.seq)).toEqual([8, 9]);
    expect(s.list({ sinceSeq: 7, limit: 10 }).map((r) => r.seq)).toEqual([8, 9]);
    s.clear();
    expect(s.counters()).toMatchObject({ stored: 0, counted: 0, deduplicated: 0, rejected: 0 });
    expect(s.add(ev('server', 10, { eventId: 'x8' })).status).toBe('counted');
    expect(s.list().map((r) => r.seq)).toEqual([10]);
  });

  it('filters and limits', () => {
    const s = new EventStore();
    s.add(ev('browser', 0));
    s.add(ev('server', 1));
    s.add(ev('server', 2, { eventId: 'z' }));
    expect(s.list({ source: 'server' })).toHaveLength(2);
    expect(s.list({ status: 'deduplicated' }).map((r) => r.seq)).toEqual([2]);
    expect(s.list({ eventId: 'z' }).map((r) => r.seq)).toEqual([3]);
    expect(s.list({ limit: 1 }).map((r) => r.seq)).toEqual([3]);
    expect(s.list({ sinceSeq: 1 }).map((r) => r.seq)).toEqual([2, 3]);
  });
});
