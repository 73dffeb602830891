import { validate, version } from 'uuid';
import { describe, expect, it } from 'vitest';
import { EventIdDeriver } from './derived-event-id.js';

const T = 1_700_000_000_000;
const derive = (source: 'api' | 'csv' | 'browser', ...inputs: unknown[]): Array<string | undefined> => {
  const d = new EventIdDeriver(source);
  return inputs.map((i) => d.derive(i));
};

describe('derived event ids (replay safety)', () => {
  it('explicit ids always win: nothing is derived', () => {
    for (const e of [{ event_id: 'x', id: 'o1' }, { context: { event_id: 7 }, id: 'o1' }, { integrations: { facebook: { event_id: 'y' } }, timestamp: T }]) {
      expect(derive('api', e)).toEqual([undefined]);
    }
  });

  it('an order id gives a uuid v5 of (id, event_name, type): same in any request, different per event name', () => {
    const [a] = derive('api', { id: 'ORD-1', event_name: 'purchase', type: 'online', value: 1 });
    const [b] = derive('api', { id: 'ORD-1', event_name: 'purchase', type: 'online', value: 2, timestamp: T });
    const [c] = derive('api', { id: 'ORD-1', event_name: 'add_payment_info', type: 'online' });
    expect(validate(a!) && version(a!)).toBe(5);
    expect(b).toBe(a);
    expect(c).not.toBe(a);
  });

  it('content with a timestamp: same content → same id in another request, key order irrelevant', () => {
    const e1 = { event_name: 'page_view', context: { event_timestamp: T, page: { url: 'https://a/' } }, user: { email: 'a@b.co' } };
    const e2 = { user: { email: 'a@b.co' }, context: { page: { url: 'https://a/' }, event_timestamp: T }, event_name: 'page_view' };
    expect(derive('api', e1)[0]).toBe(derive('api', e2)[0]);
    expect(derive('api', e1)[0]).not.toBe(derive('api', { ...e1, context: { ...e1.context, event_timestamp: T + 1 } })[0]);
  });

  it('identical id-less events within one request stay distinct (numbered), and the numbering replays', () => {
    const row = { event_name: 'purchase', value: 5, currency: 'EUR', user: { email: 'a@b.co' } };
    const first = derive('csv', row, { ...row }, { ...row, value: 6 });
    expect(new Set(first).size).toBe(3);
    expect(derive('csv', row, { ...row }, { ...row, value: 6 })).toEqual(first);
  });

  it('no id, no timestamp, not CSV: a random id (never collapse two live events)', () => {
    expect(derive('api', { event_name: 'page_view' })).toEqual([undefined]);
    expect(derive('browser', { event_name: 'page_view', user: { id: 'u1' } })).toEqual([undefined]);
  });

  it('hostile nesting or size: nothing derived, no throw', () => {
    let deep: Record<string, unknown> = {};
    const root = deep;
    for (let i = 0; i < 10_000; i++) deep = (deep.x = {}) as Record<string, unknown>;
    expect(derive('csv', root, { event_name: 'x', blob: 'y'.repeat(100_000) })).toEqual([undefined, undefined]);
  });
});
