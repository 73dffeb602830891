/**
 * An anonymous visitor (not signed in). Under the default match-key policy (meta-baseline: drop only what
 * Meta itself rejects) the server forwards the guest's page view too — fbp, IP and user agent, what the pixel
 * itself sends — and Meta deduplicates the pair. An event Meta would reject (a user agent and nothing else)
 * is dropped, and says why in /v1/preview.
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

describe('an anonymous visitor', () => {
  it('gets a deduplicated server twin of the page view; an event with only weak keys is dropped with the reason', async () => {
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

      // The server copy arrives with the same event id and is deduplicated against the pixel's.
      const server = await waitFor(async () => {
        const events = await sandboxEvents(stack.sandbox.url, { event_id: eventId, source: 'server' });
        return events.find((e) => e.status !== 'rejected');
      }, { what: `the server copy of ${eventId}` });
      expect(server.eventName).toBe('PageView');
      expect(server.status).toBe('deduplicated');

      // /v1/preview explains an event Meta would reject (only a user agent: no IP, no fbp, no personal data).
      // The recorder sees a forward only once Playwright reports its response, which can trail the sandbox.
      const forwarded = await waitFor(() => visit.forwarded.find((f) => f.eventId === eventId), { what: 'the tag\'s forward recorded' });
      const preview = async (body: unknown) => {
        const res = await fetch(`${stack.server.url}/v1/preview`, {
          method: 'POST',
          headers: { ...auth, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        expect(res.status).toBe(200);
        return JSON.stringify(await res.json());
      };
      const userAgent = await visit.page.evaluate(() => navigator.userAgent);
      const collected = forwarded.body as Record<string, unknown> & { context: Record<string, unknown> };
      const { integrations: _integrations, fbp: _fbp, fbc: _fbc, ...withoutCookies } = collected;
      const weakOnly = { ...withoutCookies, context: { ...collected.context, device: { user_agent: userAgent } } };
      expect(await preview(weakOnly)).toContain('insufficient_match_keys');
      const withEmail = { ...weakOnly, user: { email: 'jane.doe@example.com' } };
      expect(await preview(withEmail)).not.toContain('insufficient_match_keys');
    } finally {
      await visit.close();
    }
  });
});
