/** Reading the meta-sandbox's recorded events (`GET /_sandbox/events`). */
import type { SandboxEvent } from '../../packages/server/test/support/sandbox.js';

export type { SandboxEvent };

export interface SandboxFilter {
  pixel?: string;
  event_id?: string;
  source?: 'browser' | 'server';
  status?: 'counted' | 'deduplicated' | 'rejected';
}

export async function sandboxEvents(sandboxUrl: string, filter: SandboxFilter = {}): Promise<SandboxEvent[]> {
  const qs = new URLSearchParams(Object.entries(filter).filter(([, v]) => v !== undefined) as [string, string][]);
  // The sandbox lists only the newest 1000 by default: a check that an event is absent must see them all.
  qs.set('limit', '1000000');
  const res = await fetch(`${sandboxUrl}/_sandbox/events?${qs}`);
  if (!res.ok) throw new Error(`GET /_sandbox/events → ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { events: SandboxEvent[] };
  return body.events;
}

export interface DedupPair {
  eventId: string;
  browser: SandboxEvent;
  server: SandboxEvent;
}

/** Browser/server pairs by event id among `events`; browser events without a server copy are listed apart. */
export function pairByEventId(events: SandboxEvent[]): { pairs: DedupPair[]; browserOnly: SandboxEvent[]; serverOnly: SandboxEvent[] } {
  const browser = new Map<string, SandboxEvent>();
  const server = new Map<string, SandboxEvent>();
  for (const e of events) {
    if (!e.eventId || e.status === 'rejected') continue;
    (e.source === 'browser' ? browser : server).set(e.eventId, e);
  }
  const pairs: DedupPair[] = [];
  const browserOnly: SandboxEvent[] = [];
  for (const [id, b] of browser) {
    const s = server.get(id);
    if (s) pairs.push({ eventId: id, browser: b, server: s });
    else browserOnly.push(b);
  }
  const serverOnly = [...server.values()].filter((s) => !browser.has(s.eventId!));
  return { pairs, browserOnly, serverOnly };
}
