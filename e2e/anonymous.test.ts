/**
 * An anonymous visitor (not signed in): the browser pixel fires, but the server event lacks enough match
 * keys for the default rule (Commanders Act: one of em/ph/external_id/fbp/fbc plus three others), so the
 * server does not send it — and says why in /v1/sent, /metrics and /v1/preview.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxEvents } from './support/sandbox-client.js';
import { API_KEY, PIXEL_ID, startStack, type Stack } from './support/stack.js';
import { waitFor } from './support/wait.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

const auth = { authorization: `Bearer ${API_KEY}` };

function droppedCount(metrics: string, reason: string): number {
  let total = 0;
  for (const line of metrics.split('\n')) {
    if (line.startsWith('#') || !/dropped/.test(line) || !line.includes(`reason="${reason}"`)) continue;
    total += Number(line.trim().split(/\s+/).at(-1));
  }
  return total;
}

async function metrics(): Promise<string> {
  const res = await fetch(`${stack.server.url}/metrics`, { headers: auth });
  expect(res.status).toBe(200);
  return res.text();
}

describe('an anonymous visitor', () => {
  it('is not sent to CAPI for lack of match keys, and the drop reason is visible', async () => {
    const droppedBefore = droppedCount(await metrics(), 'insufficient_match_keys');
    const visit = await stack.newVisit({ shopper: 'guest' });
    try {
      await visit.page.goto(`${stack.shopUrl}/?shopper=guest`);
      await visit.page.waitForSelector('#shopper');
      expect(await visit.page.textContent('#shopper')).toBe('Guest');
      const browser = await waitFor(async () => {
        const events = await sandboxEvents(stack.sandbox.url, { pixel: PIXEL_ID, source: 'browser' });
        return events.find((e) => e.eventName === 'PageView' && e.eventId);
      }, { what: 'the anonymous PageView pixel hit' });
      const eventId = browser.eventId!;

      // The server handled it and says it dropped it, with the reason.
      const sent = await waitFor(async () => {
        const res = await fetch(`${stack.server.url}/v1/sent?event_id=${encodeURIComponent(eventId)}`, { headers: auth });
        if (!res.ok) return undefined;
        const body = (await res.json()) as { events?: Array<{ status: string; reason?: string }> } | Array<{ status: string; reason?: string }>;
        const list = Array.isArray(body) ? body : body.events ?? [];
        return list.find((r) => r.status === 'dropped');
      }, { what: `/v1/sent to report ${eventId} dropped` });
      expect(sent.reason).toBe('insufficient_match_keys');
      expect(await sandboxEvents(stack.sandbox.url, { event_id: eventId, source: 'server' }), 'no CAPI event').toEqual([]);

      // /metrics counts the drop by reason.
      await waitFor(async () => droppedCount(await metrics(), 'insufficient_match_keys') > droppedBefore, {
        what: 'the insufficient_match_keys drop counter to grow',
      });

      // /v1/preview explains the same event without sending it; with an email it would pass.
      const forwarded = visit.forwarded.find((f) => f.eventId === eventId);
      expect(forwarded, 'the tag forwarded the event').toBeDefined();
      const preview = async (body: unknown) => {
        const res = await fetch(`${stack.server.url}/v1/preview`, {
          method: 'POST',
          headers: { ...auth, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        expect(res.status).toBe(200);
        return JSON.stringify(await res.json());
      };
      // /collect takes the IP and User-Agent from the browser's request; a server-to-server call states them.
      const userAgent = await visit.page.evaluate(() => navigator.userAgent);
      const collected = forwarded!.body as Record<string, unknown> & { context: Record<string, unknown> };
      const anonymous = { ...collected, context: { ...collected.context, device: { user_agent: userAgent, ip: '203.0.113.7' } } };
      expect(await preview(anonymous)).toContain('insufficient_match_keys');
      const withKeys = { ...anonymous, user: { email: 'jane.doe@example.com', phone: '+33612345678', firstname: 'Jane', lastname: 'Doe', city: 'Paris', country: 'FR' } };
      expect(await preview(withKeys)).not.toContain('insufficient_match_keys');
      expect(await sandboxEvents(stack.sandbox.url, { event_id: eventId, source: 'server' }), 'preview sends nothing').toEqual([]);
    } finally {
      await visit.close();
    }
  });
});
