/**
 * The companion server is SIGKILLed in the middle of a visit, while Meta is unreachable so the events it
 * acknowledged are still only in its outbox, then restarted on the same port and outbox: no event it
 * acknowledged is lost, and each still deduplicates against its browser twin.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectDeduplicated } from './support/assertions.js';
import { pairByEventId, sandboxEvents } from './support/sandbox-client.js';
import { PIXEL_ID, startStack, type Stack } from './support/stack.js';
import { waitFor } from './support/wait.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

async function fire(stack: Stack, page: import('playwright-core').Page, label: string, n: number): Promise<string[]> {
  return page.evaluate(
    ({ label, n }) => {
      const w = window as unknown as { cact: (...a: unknown[]) => void; tC: { uniqueEventId: string } };
      const ids: string[] = [];
      for (let i = 0; i < n; i++) {
        w.cact('trigger', 'add_to_cart', { value: i + 1, currency: 'EUR', items: [{ id: `${label}-${i}`, quantity: 1, price: i + 1 }] });
        ids.push(w.tC.uniqueEventId);
      }
      return ids;
    },
    { label, n },
  );
}

async function setOutage(sandboxUrl: string, on: boolean): Promise<void> {
  const res = await fetch(`${sandboxUrl}/_sandbox/faults`, on
    ? { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'outage', durationMs: 600_000 }) }
    : { method: 'DELETE' });
  expect(res.ok, `faults ${on ? 'POST' : 'DELETE'} → ${res.status}`).toBe(true);
}

describe('server restart in the middle of a visit', () => {
  it('loses no acknowledged event', async () => {
    const visit = await stack.newVisit();
    const { page } = visit;
    try {
      await page.goto(`${stack.shopUrl}/`);
      await page.waitForFunction(() => !!(window as unknown as { tC?: { capiBridge?: unknown } }).tC?.capiBridge);

      await setOutage(stack.sandbox.url, true);
      const before = await fire(stack, page, 'before', 5);
      await waitFor(() => before.every((id) => visit.acked.includes(id)), { what: 'the server to acknowledge 5 events' });
      const delivered = (await sandboxEvents(stack.sandbox.url, { pixel: PIXEL_ID, source: 'server' }))
        .filter((e) => before.includes(e.eventId ?? '') && e.status !== 'rejected');
      expect(delivered, 'Meta was down: the acknowledged events are only in the outbox').toEqual([]);

      await stack.killServer('SIGKILL');
      const during = await fire(stack, page, 'during', 3); // the tag's bounded retry may or may not get these through
      await stack.startServerAgain();
      await setOutage(stack.sandbox.url, false);
      const after = await fire(stack, page, 'after', 5);

      await waitFor(() => after.every((id) => visit.acked.includes(id)), { what: 'the restarted server to acknowledge new events' });
      const mustArrive = () => [...new Set([...visit.acked])];
      const { pairs } = await waitFor(
        async () => {
          const events = await sandboxEvents(stack.sandbox.url, { pixel: PIXEL_ID });
          const result = pairByEventId(events);
          const serverIds = new Set(events.filter((e) => e.source === 'server' && e.status !== 'rejected').map((e) => e.eventId));
          return mustArrive().every((id) => serverIds.has(id)) ? result : undefined;
        },
        { timeoutMs: 120_000, intervalMs: 250, what: 'every acknowledged event at Meta after the restart' },
      );
      for (const id of [...before, ...after]) expect(visit.acked, `${id} acknowledged`).toContain(id);
      for (const id of mustArrive()) {
        const pair = pairs.find((p) => p.eventId === id);
        expect(pair, `acknowledged ${id} reached Meta from both sides`).toBeDefined();
        expectDeduplicated(pair!);
      }
      // The restart did not make the server send anything twice in a way Meta would count twice.
      const counted = (await sandboxEvents(stack.sandbox.url, { pixel: PIXEL_ID, source: 'server', status: 'counted' }));
      expect(counted.filter((e) => [...before, ...during, ...after].includes(e.eventId ?? ''))).toEqual([]);
    } finally {
      await visit.close();
    }
  });
});
