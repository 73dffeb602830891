import type { DedupMethod, RecordedEvent } from './types.js';

export const DEDUP_WINDOW_MS = 48 * 3600 * 1000;
export const BROWSER_PREFERENCE_MS = 5 * 60 * 1000;

/** Read access to what was received before, in arrival order, rejected events excluded. */
export interface DedupHistory {
  /** Events with this pixel, event_name (case-sensitive) and event_id. */
  byEventKey(pixelId: string, eventName: string, eventId: string): readonly RecordedEvent[];
  /** Browser events with this pixel, event_name and fbp. */
  browserByFbp(pixelId: string, eventName: string, fbp: string): readonly RecordedEvent[];
  /** Browser events with this pixel, event_name and (hashed) external_id. */
  browserByExternalId(pixelId: string, eventName: string, externalId: string): readonly RecordedEvent[];
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
    const chain = history.byEventKey(e.pixelId, e.eventName, e.eventId);
    // The most recent counted event of the chain, and the earliest event it absorbed (window start).
    let keeper: RecordedEvent | undefined;
    for (let i = chain.length - 1; i >= 0; i--) {
      if (chain[i]!.status === 'counted') {
        keeper = chain[i];
        break;
      }
    }
    if (keeper !== undefined) {
      let windowStart = keeper.receivedAt;
      for (const r of chain) {
        if ((r.seq === keeper.seq || r.dedupOf === keeper.seq) && r.receivedAt < windowStart) windowStart = r.receivedAt;
      }
      if (e.receivedAt - windowStart <= DEDUP_WINDOW_MS) {
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
function latestEligible(e: DedupCandidate, list: readonly RecordedEvent[], history: DedupHistory): RecordedEvent | undefined {
  for (let i = list.length - 1; i >= 0; i--) {
    const r = list[i]!;
    if (r.status === 'counted'
      && e.receivedAt - r.receivedAt <= DEDUP_WINDOW_MS
      && (e.eventId === undefined || r.eventId === undefined)
      && !history.isPairedByMatchKey(r.seq)) return r;
  }
  return undefined;
}
