import type { DedupMethod, RecordedEvent } from './types.js';

export const DEDUP_WINDOW_MS = 48 * 3600 * 1000;
export const BROWSER_PREFERENCE_MS = 5 * 60 * 1000;

/** Events in arrival order (index 0 = oldest). */
export interface EventList {
  readonly length: number;
  at(i: number): RecordedEvent | undefined;
}

/** The dedup state of the stored events sharing one pixel, event_name (case-sensitive) and event_id. */
export interface EventIdChainState {
  /** The most recent counted event of the chain. */
  readonly keeper: RecordedEvent | undefined;
  /** The earliest receivedAt among the keeper and the events it absorbed (the 48 h window start). */
  windowStart(): number;
}

/** Read access to what was received before, rejected events excluded. */
export interface DedupHistory {
  /** The chain of this pixel, event_name (case-sensitive) and event_id, if any event of it is stored. */
  eventIdChain(pixelId: string, eventName: string, eventId: string): EventIdChainState | undefined;
  /** Browser events with this pixel, event_name and fbp. */
  browserByFbp(pixelId: string, eventName: string, fbp: string): EventList;
  /** Browser events with this pixel, event_name and (hashed) external_id. */
  browserByExternalId(pixelId: string, eventName: string, externalId: string): EventList;
  /** Whether a browser event already absorbed a server event through fbp/external_id. */
  isPairedByMatchKey(seq: number): boolean;
}

export type DedupDecision =
  | { status: 'counted'; demote?: { keeperSeq: number } }
  | { status: 'deduplicated'; dedupOf: number; method: DedupMethod };

export interface DedupCandidate {
  source: 'browser' | 'server';
  pixelId: string;
  eventName: string;
  eventId?: string;
  fbp?: string;
  externalIds?: string[];
  receivedAt: number;
}

/**
 * Meta's documented deduplication:
 * 1. event_id + event_name (case-sensitive), per pixel: within 48 h of the first event of the chain, later
 *    events are deduplicated against the kept one — whatever their source. When a browser event arrives within
 *    5 minutes of a kept server event, the browser event is kept instead and the server one is demoted.
 * 2. fbp / external_id + event_name: a server event with no event_id match is deduplicated against an earlier
 *    browser event (within 48 h) with the same fbp or external_id, when at least one of the two has no
 *    event_id (two different explicit event_ids are two different events). Browser-first only; each browser
 *    event absorbs at most one server event this way.
 * Events with neither key are never deduplicated.
 */
export function decideDedup(e: DedupCandidate, history: DedupHistory): DedupDecision {
  if (e.eventId !== undefined) {
    // The most recent counted event of the chain, and the earliest event it absorbed (window start).
    const chain = history.eventIdChain(e.pixelId, e.eventName, e.eventId);
    const keeper = chain?.keeper;
    if (chain !== undefined && keeper !== undefined) {
      if (e.receivedAt - chain.windowStart() <= DEDUP_WINDOW_MS) {
        if (e.source === 'browser' && keeper.source === 'server' && e.receivedAt - keeper.receivedAt <= BROWSER_PREFERENCE_MS) {
          return { status: 'counted', demote: { keeperSeq: keeper.seq } };
        }
        return { status: 'deduplicated', dedupOf: keeper.seq, method: 'event_id' };
      }
    }
  }
  if (e.source !== 'server') return { status: 'counted' };

  if (e.fbp !== undefined && e.fbp !== '') {
    const hit = latestEligible(e, history.browserByFbp(e.pixelId, e.eventName, e.fbp), history);
    if (hit) return { status: 'deduplicated', dedupOf: hit.seq, method: 'fbp' };
  }
  if (e.externalIds !== undefined) {
    for (const id of e.externalIds) {
      const hit = latestEligible(e, history.browserByExternalId(e.pixelId, e.eventName, id), history);
      if (hit) return { status: 'deduplicated', dedupOf: hit.seq, method: 'external_id' };
    }
  }
  return { status: 'counted' };
}

/** The most recent browser event of `list` that can still absorb server event `e` by fbp/external_id. */
function latestEligible(e: DedupCandidate, list: EventList, history: DedupHistory): RecordedEvent | undefined {
  for (let i = list.length - 1; i >= 0; i--) {
    const r = list.at(i)!;
    if (r.status === 'counted'
      && e.receivedAt - r.receivedAt <= DEDUP_WINDOW_MS
      && (e.eventId === undefined || r.eventId === undefined)
      && !history.isPairedByMatchKey(r.seq)) return r;
  }
  return undefined;
}
