import { describe, expect, it } from 'vitest';
import { COVERAGE_KEYS, Coverage, count, MAX_EVENT_NAMES, matchKeyMask, OTHER_EVENT_NAME } from './coverage.js';
import { RateWindow } from './rate.js';

describe('match-key coverage', () => {
  it('counts each present key per destination and event name; other user_data keys are ignored', () => {
    const c = new Coverage();
    count(c.row('main', 'Purchase'), matchKeyMask(['em', 'ph', 'client_user_agent', 'subscription_id']));
    count(c.row('main', 'Purchase'), matchKeyMask(['em', 'fbc']));
    count(c.row('eu', 'Purchase'), matchKeyMask([]));
    const [main, eu] = c.rows();
    expect(main).toMatchObject({ destination: 'main', event_name: 'Purchase', events: 2 });
    expect(main!.keys).toMatchObject({ em: 2, ph: 1, fbc: 1, client_user_agent: 1, fn: 0, external_id: 0 });
    expect(Object.keys(main!.keys)).toEqual([...COVERAGE_KEYS]);
    expect(eu).toMatchObject({ destination: 'eu', events: 0 + 1, keys: { em: 0 } });
  });

  it('keeps at most MAX_EVENT_NAMES names per destination; later names share one row', () => {
    const c = new Coverage();
    for (let i = 0; i < MAX_EVENT_NAMES + 20; i++) count(c.row('main', `custom_${i}`), matchKeyMask(['em']));
    count(c.row('main', 'custom_0'), matchKeyMask(['em']));
    const rows = c.rows();
    expect(rows).toHaveLength(MAX_EVENT_NAMES + 1);
    expect(rows.find((r) => r.event_name === OTHER_EVENT_NAME)).toMatchObject({ events: 20, keys: { em: 20 } });
    expect(rows.find((r) => r.event_name === 'custom_0')!.events).toBe(2);
  });
});

describe('RateWindow', () => {
  it('gives the rate over the kept window of samples', () => {
    const r = new RateWindow(60_000);
    expect(r.perSecond()).toBe(0);
    r.sample(0, 0);
    r.sample(10_000, 100);
    expect(r.perSecond()).toBe(10);
    // older samples leave the window: the rate follows the recent traffic
    r.sample(70_000, 100);
    r.sample(80_000, 100);
    expect(r.perSecond()).toBe(0);
    expect(r.seconds()).toBe(70);
  });
});
