import { decideDedup, type DedupHistory } from './dedup.js';
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

const key = (pixelId: string, eventName: string, id: string): string => pixelId + '\u0000' + eventName + '\u0000' + id;
const NONE: readonly RecordedEvent[] = [];

function pushIndex(index: Map<string, RecordedEvent[]>, k: string, r: RecordedEvent): void {
  const list = index.get(k);
  if (list) list.push(r);
  else index.set(k, [r]);
}

function dropIndex(index: Map<string, RecordedEvent[]>, k: string, r: RecordedEvent): void {
  const list = index.get(k);
  if (!list) return;
  const i = list.indexOf(r);
  if (i >= 0) list.splice(i, 1);
  if (list.length === 0) index.delete(k);
}

/**
 * In-memory, bounded event store that applies Meta's dedup rules as events arrive. Events sit in a ring
 * buffer indexed by seq (seqs are consecutive), so eviction and lookup by seq are O(1); status counters are
 * kept as events arrive, change and leave, so the events API never walks the store to count.
 */
export class EventStore {
  private readonly ring: Array<RecordedEvent | undefined>;
  /** seq of the oldest stored event; the store holds seqs firstSeq..seq. */
  private firstSeq = 1;
  private readonly statusCounts = { counted: 0, deduplicated: 0, rejected: 0 };
  private readonly byEventKey = new Map<string, RecordedEvent[]>();
  private readonly browserByFbp = new Map<string, RecordedEvent[]>();
  private readonly browserByExternalId = new Map<string, RecordedEvent[]>();
  private readonly pairedByMatchKey = new Set<number>();
  private seq = 0;
  private evicted = 0;
  private readonly byPixel = new Map<string, { browser: number; server: number }>();

  private readonly maxEvents: number;
  private readonly ringSize: number;

  constructor(maxEvents = DEFAULT_MAX_EVENTS) {
    this.maxEvents = Math.max(1, Math.floor(maxEvents));
    // One spare slot: the new event is written (and deduplicated against the oldest) before the oldest leaves.
    this.ringSize = this.maxEvents + 1;
    this.ring = new Array<RecordedEvent | undefined>(this.ringSize);
  }

  private readonly history: DedupHistory = {
    byEventKey: (p, n, id) => this.byEventKey.get(key(p, n, id)) ?? NONE,
    browserByFbp: (p, n, fbp) => this.browserByFbp.get(key(p, n, fbp)) ?? NONE,
    browserByExternalId: (p, n, id) => this.browserByExternalId.get(key(p, n, id)) ?? NONE,
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
    // The store takes ownership of the incoming object and completes it into the record (no copy per event).
    const record = incoming as IncomingEvent & RecordedEvent;
    const rejected = incoming.rejected;
    if (rejected !== undefined) delete record.rejected;
    record.seq = seq;
    if (rejected) {
      record.status = 'rejected';
      record.error = rejected;
      this.statusCounts.rejected++;
    } else {
      const decision = decideDedup(record, this.history);
      if (decision.status === 'deduplicated') {
        record.status = 'deduplicated';
        record.dedupOf = decision.dedupOf;
        record.dedupMethod = decision.method;
        this.statusCounts.deduplicated++;
        if (decision.method !== 'event_id') this.pairedByMatchKey.add(decision.dedupOf);
      } else {
        record.status = 'counted';
        this.statusCounts.counted++;
        if (decision.demote) this.demote(decision.demote.keeperSeq, seq);
      }
      this.index(record);
      let counts = this.byPixel.get(record.pixelId);
      if (counts === undefined) this.byPixel.set(record.pixelId, (counts = { browser: 0, server: 0 }));
      counts[record.source]++;
    }
    this.ring[seq % this.ringSize] = record;
    while (this.size > this.maxEvents) this.evictOldest();
    return record;
  }

  /** The browser copy arrived within 5 minutes of the kept server copy: the browser one is kept. */
  private demote(keeperSeq: number, newKeeperSeq: number): void {
    const keeper = this.bySeq(keeperSeq);
    if (!keeper) return;
    for (const r of this.byEventKey.get(key(keeper.pixelId, keeper.eventName, keeper.eventId ?? '')) ?? []) {
      if (r.dedupOf === keeperSeq) r.dedupOf = newKeeperSeq;
    }
    if (keeper.status === 'counted') {
      this.statusCounts.counted--;
      this.statusCounts.deduplicated++;
    }
    keeper.status = 'deduplicated';
    keeper.dedupOf = newKeeperSeq;
    keeper.dedupMethod = 'event_id';
  }

  private index(r: RecordedEvent): void {
    if (r.eventId !== undefined) pushIndex(this.byEventKey, key(r.pixelId, r.eventName, r.eventId), r);
    if (r.source !== 'browser') return;
    if (r.fbp) pushIndex(this.browserByFbp, key(r.pixelId, r.eventName, r.fbp), r);
    for (const id of r.externalIds ?? []) pushIndex(this.browserByExternalId, key(r.pixelId, r.eventName, id), r);
  }

  private evictOldest(): void {
    if (this.size <= 0) return;
    const slot = this.firstSeq % this.ringSize;
    const r = this.ring[slot];
    this.ring[slot] = undefined;
    this.firstSeq++;
    this.evicted++;
    if (!r) return;
    this.statusCounts[r.status]--;
    if (r.status === 'rejected') return;
    if (r.eventId !== undefined) dropIndex(this.byEventKey, key(r.pixelId, r.eventName, r.eventId), r);
    if (r.fbp) dropIndex(this.browserByFbp, key(r.pixelId, r.eventName, r.fbp), r);
    for (const id of r.externalIds ?? []) dropIndex(this.browserByExternalId, key(r.pixelId, r.eventName, id), r);
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
