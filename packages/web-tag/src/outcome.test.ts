import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTag } from './create-tag.js';
import { makeWindow } from './test-utils/harness.js';
import type { HarnessOptions } from './test-utils/harness.js';
import type { Obj, Outcome } from './types.js';

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
  vi.restoreAllMocks();
});

function setup(config: Obj, o: HarnessOptions = {}) {
  const h = makeWindow(o);
  close = h.close;
  const cact = createTag(h.w, {});
  cact('config', { pixelId: '1234567890', endpoint: 'https://collect.example.com/', ...config });
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  return { ...h, cact, warn };
}

/** Triggers one event and resolves with what the callback got. */
function trigger(s: ReturnType<typeof setup>, name = 'purchase'): Promise<{ id: string; outcome?: Outcome }> {
  return new Promise((resolve) => s.cact('trigger', name, { value: 1, currency: 'EUR' }, (id: string, outcome?: Outcome) => resolve({ id, outcome })));
}

const line = (warn: { mock: { calls: unknown[][] } }) => warn.mock.calls.map((c) => c.map(String).join(' '));

describe('debug: each forward logs its outcome', () => {
  it('uses fetch (a beacon answer cannot be read) and logs 202 as accepted', async () => {
    const s = setup({ debug: 1 }, { fetchResults: [{ status: 202, body: { results: [{ index: 0, status: 'accepted', destinations: [] }] } }] });
    const { id, outcome } = await trigger(s);
    expect(s.sent.map((x) => x.via)).toEqual(['fetch']);
    expect(outcome?.status).toBe(202);
    expect(line(s.warn)).toEqual([`capi-bridge purchase ${id} 202 accepted`]);
  });

  it('a drop names the destination, the reason and the rule with the keys present', async () => {
    const reply = {
      results: [{
        index: 0, status: 'dropped', event_id: 'e1',
        destinations: [{ destination: 'default', status: 'dropped', reason: 'insufficient_match_keys', detail: 'user_data: needs 1 of em, ph, external_id, fbp, fbc and 3 other keys (commanders-act policy); present: fbp, client_user_agent', match_keys: ['fbp', 'client_user_agent'] }],
      }],
    };
    const s = setup({ debug: true }, { fetchResults: [{ status: 200, body: reply }] });
    const { outcome } = await trigger(s);
    expect(outcome?.results?.[0]?.destinations[0]?.match_keys).toEqual(['fbp', 'client_user_agent']);
    const [l] = line(s.warn);
    expect(l).toContain(' 200 ');
    expect(l).toContain('default dropped: insufficient_match_keys (user_data: needs 1 of em');
    expect(l).toContain('present: fbp, client_user_agent');
  });

  it.each([
    [401, 'unauthorized', 'missing Authorization: Bearer <API key>'],
    [429, 'rate_limited', 'more than 20 requests/s (burst 40) from this address'],
  ])('a %i refusal logs the status and the server message', { timeout: 20000 }, async (status, code, message) => {
    const body = { error: { code, message } };
    const s = setup({ debug: 1 }, { fetchResults: [{ status, body }, { status, body }, { status, body }] });
    const { outcome } = await trigger(s);
    expect(outcome).toEqual({ status, error: { code, message } });
    expect(line(s.warn).at(-1)).toContain(`${status} ${message}`);
  });

  it('no readable answer (server down, or a 403 for an origin not allowed) logs 0, both causes and the origin', { timeout: 20000 }, async () => {
    const s = setup({ debug: 1 }, { fetchResults: ['error', 'error', 'error'] });
    const { outcome } = await trigger(s);
    expect(outcome?.status).toBe(0);
    expect(line(s.warn).at(-1)).toContain('0 TypeError: Failed to fetch: server down, or https://www.shop.example.com is not in its ALLOWED_ORIGINS');
  });

  it('events held for consent and refused by consent say so', async () => {
    const s = setup({ debug: 1, consentCategory: '2' });
    const done = trigger(s);
    expect(line(s.warn)[0]).toMatch(/^capi-bridge purchase \S+ held until consent.update$/);
    s.cact('consent.update', { categories: ['1'] });
    const { outcome } = await done;
    expect(outcome).toBeUndefined();
    expect(line(s.warn)[1]).toMatch(/not sent: no consent$/);
    expect(s.sent).toEqual([]);
  });

  it('without debug: beacon, no console output, no outcome', async () => {
    const s = setup({});
    const { outcome } = await trigger(s);
    expect(s.sent.map((x) => x.via)).toEqual(['beacon']);
    expect(outcome).toBeUndefined();
    expect(s.warn).not.toHaveBeenCalled();
  });
});
