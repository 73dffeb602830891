/** Shared expectations of the dedup proof, read from the sandbox's events API. */
import { expect } from 'vitest';
import { pairByEventId, sandboxEvents, type DedupPair, type SandboxEvent } from './sandbox-client.js';
import { PIXEL_ID } from './stack.js';
import { waitFor } from './wait.js';

export const FBP_FORMAT = /^fb\.1\.\d{13}\.\d{1,10}$/;

/**
 * Waits until every browser event matching `select` has its server twin, then returns the pairs.
 * `expectedBrowser` is how many browser events the visit must produce.
 */
export async function waitForPairs(
  sandboxUrl: string,
  select: (e: SandboxEvent) => boolean,
  expectedBrowser: number,
  timeoutMs = 30_000,
): Promise<{ pairs: DedupPair[]; events: SandboxEvent[] }> {
  return waitFor(
    async () => {
      const events = (await sandboxEvents(sandboxUrl, { pixel: PIXEL_ID })).filter(select);
      const { pairs, browserOnly } = pairByEventId(events);
      if (pairs.length >= expectedBrowser && browserOnly.length === 0) return { pairs, events };
      // Thrown, so a timeout says what the sandbox held (waitFor keeps the last error).
      throw new Error(`${pairs.length} pairs [${pairs.map((p) => p.browser.eventName).join(', ')}], browser only [${browserOnly.map((e) => e.eventName).join(', ')}], ${events.length} events [${events.map((e) => `${e.source}:${e.eventName}:${e.status}`).join(', ')}]`);
    },
    { timeoutMs, what: `${expectedBrowser} browser/server pairs in the sandbox` },
  );
}

/** The dedup contract for one pair: same id, same Meta name, same fbp; browser kept, server deduplicated. */
export function expectDeduplicated(pair: DedupPair, fbp?: string): void {
  const { browser, server } = pair;
  expect(server.eventId, 'same event_id').toBe(browser.eventId);
  expect(server.eventName, `same Meta event_name for ${pair.eventId}`).toBe(browser.eventName);
  expect(server.fbp, `same fbp for ${browser.eventName}`).toBe(browser.fbp);
  if (fbp !== undefined) expect(browser.fbp).toBe(fbp);
  expect(browser.status, `browser ${browser.eventName} counted`).toBe('counted');
  expect(server.status, `server ${server.eventName} deduplicated`).toBe('deduplicated');
  expect(server.dedupOf).toBe(browser.seq);
}

export function byFbp(fbp: string | undefined): (e: SandboxEvent) => boolean {
  return (e) => fbp !== undefined && e.fbp === fbp;
}
