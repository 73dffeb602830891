import { decideDedup, type DedupHistory, type EventList } from './dedup.js';
import { EventIdChain } from './event-chain.js';
import { KeyIndex } from './key-index.js';
import { SeqQueue } from './seq-queue.js';
import type { EventSource, EventStatus, IncomingEvent, RecordedEvent } from './types.js';

export const DEFAULT_MAX_EVENTS = 100_000;

export interface EventFilter {
  pixel?: string;
  eventId?: string;
  eventName?: string;
  source?: EventSource;
  status?: EventStatus;
  testEventCode?: string;
  /** Only events with seq greater than this. */
  sinceSeq?: number;
  /** The most recent `limit` matching events. */
  limit?: number;
}

export interface StoreCounters {
  stored: number;
  evicted: number;
  counted: number;
  deduplicated: number;
  rejected: number;
  byPixel: Record<string, { browser: number; server: number }>;
}

/** Browser events sharing a pixel + event_name + fbp (or external_id), in arrival order. */
class MatchKeyList extends SeqQueue<RecordedEvent> {
  constructor(readonly pixelId: string, readonly eventName: string, readonly id: string, readonly byFbp: boolean) {
    super();
  }
}
const NONE: EventList = new SeqQueue<RecordedEvent>();

function pushList(index: KeyIndex<MatchKeyList>, r: RecordedEvent, id: string, byFbp: boolean): MatchKeyList {
  let list = index.get(r.pixelId, r.eventName, id);
  if (list === undefined) index.add((list = new MatchKeyList(r.pixelId, r.eventName, id, byFbp)));
  list.push(r);
  return list;
}

/**
 * In-memory, bounded event store that applies Meta's dedup rules as events arrive. Events sit in a ring
 * buffer indexed by seq (seqs are consecutive), so eviction and lookup by seq are O(1); status counters are
 * kept as events arrive, change and leave, so the events API never walks the store to count. The dedup
 * indexes are keyed by pixel + event_name + id (Map lookups); each ring slot remembers which index entries its
 * event is in, and since eviction is oldest-first, an evicted event is the front of each of them (O(1)).
 */
export class EventStore {
  private readonly ring: Array<RecordedEvent | undefined>;
  /** Per ring slot: the event_id chain and the fbp/external_id lists the slot's event is in. */
  private readonly ringChain: Array<EventIdChain | undefined>;
  private readonly ringLists: Array<MatchKeyList[] | undefined>;
  /** seq of the oldest stored event; the store holds seqs firstSeq..seq. */
  private firstSeq = 1;
  private readonly statusCounts = { counted: 0, deduplicated: 0, rejected: 0 };
  private readonly byEventKey = new KeyIndex<EventIdChain>();
  private readonly browserByFbp = new KeyIndex<MatchKeyList>();
  private readonly browserByExternalId = new KeyIndex<MatchKeyList>();
  private readonly pairedByMatchKey = new Set<number>();
  private seq = 0;
  private evicted = 0;
  private readonly byPixel = new Map<string, { browser: number; server: number }>();
  /** The event_id chain decideDedup looked up for the event being added (it does so first), reused to index it. */
  private lookedUp = false;
  private lookupChain: EventIdChain | undefined;

  private readonly maxEvents: number;
  private readonly ringSize: number;

  constructor(maxEvents = DEFAULT_MAX_EVENTS) {
    this.maxEvents = Math.max(1, Math.floor(maxEvents));
    // One spare slot: the new event is written (and deduplicated against the oldest) before the oldest leaves.
    this.ringSize = this.maxEvents + 1;
    this.ring = new Array<RecordedEvent | undefined>(this.ringSize);
    this.ringChain = new Array<EventIdChain | undefined>(this.ringSize);
    this.ringLists = new Array<MatchKeyList[] | undefined>(this.ringSize);
  }

  private readonly history: DedupHistory = {
    eventIdChain: (p, n, id) => {
      this.lookedUp = true;
      return (this.lookupChain = this.byEventKey.get(p, n, id));
    },
    browserByFbp: (p, n, fbp) => this.browserByFbp.get(p, n, fbp) ?? NONE,
    browserByExternalId: (p, n, id) => this.browserByExternalId.get(p, n, id) ?? NONE,
    isPairedByMatchKey: (seq) => this.pairedByMatchKey.has(seq),
  };

  private get size(): number {
    return this.seq - this.firstSeq + 1;
  }

  private bySeq(seq: number): RecordedEvent | undefined {
    if (seq < this.firstSeq || seq > this.seq) return undefined;
    return this.ring[seq % this.ringSize];
  }

  add(incoming: IncomingEvent): RecordedEvent {
    const seq = ++this.seq;
    const slot = seq % this.ringSize;
    // The store takes ownership of the incoming object and completes it into the record (no copy per event).
    const record = incoming as IncomingEvent & RecordedEvent;
    const rejected = incoming.rejected;
    if (rejected !== undefined) delete record.rejected;
    record.seq = seq;
    this.lookedUp = false;
    this.lookupChain = undefined;
    if (rejected) {
      record.status = 'rejected';
      record.error = rejected;
      this.statusCounts.rejected++;
    } else {
      const decision = decideDedup(record, this.history);
      let demoted = false;
      if (decision.status === 'deduplicated') {
        record.status = 'deduplicated';
        record.dedupOf = decision.dedupOf;
        record.dedupMethod = decision.method;
        this.statusCounts.deduplicated++;
        if (decision.method !== 'event_id') this.pairedByMatchKey.add(decision.dedupOf);
      } else {
        record.status = 'counted';
        this.statusCounts.counted++;
        if (decision.demote) demoted = this.demote(decision.demote.keeperSeq, seq);
      }
      this.index(record, slot, demoted);
      let counts = this.byPixel.get(record.pixelId);
      if (counts === undefined) this.byPixel.set(record.pixelId, (counts = { browser: 0, server: 0 }));
      counts[record.source]++;
    }
    this.ring[slot] = record;
    while (this.size > this.maxEvents) this.evictOldest();
    return record;
  }

  /** The browser copy arrived within 5 minutes of the kept server copy: the browser one is kept. */
  private demote(keeperSeq: number, newKeeperSeq: number): boolean {
    const keeper = this.bySeq(keeperSeq);
    if (!keeper) return false;
    const chain = this.ringChain[keeperSeq % this.ringSize];
    if (chain !== undefined) {
      for (let i = 0; i < chain.events.length; i++) {
        const r = chain.events.at(i)!;
        if (r.dedupOf === keeperSeq) r.dedupOf = newKeeperSeq;
      }
    }
    if (keeper.status === 'counted') {
      this.statusCounts.counted--;
      this.statusCounts.deduplicated++;
    }
    keeper.status = 'deduplicated';
    keeper.dedupOf = newKeeperSeq;
    keeper.dedupMethod = 'event_id';
    return true;
  }

  private index(r: RecordedEvent, slot: number, demotedKeeper: boolean): void {
    if (r.eventId !== undefined) {
      let chain = this.lookedUp ? this.lookupChain : this.byEventKey.get(r.pixelId, r.eventName, r.eventId);
      if (chain === undefined) this.byEventKey.add((chain = new EventIdChain(r.pixelId, r.eventName, r.eventId)));
      chain.add(r, demotedKeeper);
      this.ringChain[slot] = chain;
    }
    if (r.source !== 'browser') return;
    let lists: MatchKeyList[] | undefined;
    if (r.fbp) (lists ??= []).push(pushList(this.browserByFbp, r, r.fbp, true));
    if (r.externalIds !== undefined) {
      for (const id of r.externalIds) (lists ??= []).push(pushList(this.browserByExternalId, r, id, false));
    }
    this.ringLists[slot] = lists;
  }

  private evictOldest(): void {
    if (this.size <= 0) return;
    const slot = this.firstSeq % this.ringSize;
    const r = this.ring[slot];
    const chain = this.ringChain[slot];
    const lists = this.ringLists[slot];
    this.ring[slot] = undefined;
    this.ringChain[slot] = undefined;
    this.ringLists[slot] = undefined;
    this.firstSeq++;
    this.evicted++;
    if (!r) return;
    this.statusCounts[r.status]--;
    if (r.status === 'rejected') return;
    if (chain !== undefined) {
      chain.evict(r);
      if (chain.events.length === 0) this.byEventKey.delete(chain);
    }
    if (lists !== undefined) {
      for (let i = 0; i < lists.length; i++) {
        const list = lists[i]!;
        list.remove(r);
        if (list.length > 0) continue;
        (list.byFbp ? this.browserByFbp : this.browserByExternalId).delete(list);
      }
    }
    this.pairedByMatchKey.delete(r.seq);
  }

  /** Matching events in seq order; with `limit`, walks from the newest and stops once it has enough. */
  list(filter: EventFilter = {}): RecordedEvent[] {
    const out: RecordedEvent[] = [];
    const from = filter.sinceSeq !== undefined ? Math.max(this.firstSeq, filter.sinceSeq + 1) : this.firstSeq;
    const limit = filter.limit ?? Infinity;
    for (let s = this.seq; s >= from && out.length < limit; s--) {
      const r = this.ring[s % this.ringSize];
      if (r === undefined) continue;
      if (filter.pixel !== undefined && r.pixelId !== filter.pixel) continue;
      if (filter.eventId !== undefined && r.eventId !== filter.eventId) continue;
      if (filter.eventName !== undefined && r.eventName !== filter.eventName) continue;
      if (filter.source !== undefined && r.source !== filter.source) continue;
      if (filter.status !== undefined && r.status !== filter.status) continue;
      if (filter.testEventCode !== undefined && r.testEventCode !== filter.testEventCode) continue;
      out.push(r);
    }
    return out.reverse();
  }

  clear(): void {
    this.ring.fill(undefined);
    this.ringChain.fill(undefined);
    this.ringLists.fill(undefined);
    this.firstSeq = this.seq + 1;
    this.statusCounts.counted = 0;
    this.statusCounts.deduplicated = 0;
    this.statusCounts.rejected = 0;
    this.byEventKey.clear();
    this.browserByFbp.clear();
    this.browserByExternalId.clear();
    this.pairedByMatchKey.clear();
    this.byPixel.clear();
  }

  counters(): StoreCounters {
    const c: StoreCounters = { stored: this.size, evicted: this.evicted, ...this.statusCounts, byPixel: {} };
    for (const [p, v] of this.byPixel) c.byPixel[p] = { ...v };
    return c;
  }
}
