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

const key = (...parts: string[]): string => parts.join('\u0000');

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

/** In-memory, bounded event store that applies Meta's dedup rules as events arrive. */
export class EventStore {
  private readonly events = new Map<number, RecordedEvent>();
  private readonly byEventKey = new Map<string, RecordedEvent[]>();
  private readonly browserByFbp = new Map<string, RecordedEvent[]>();
  private readonly browserByExternalId = new Map<string, RecordedEvent[]>();
  private readonly pairedByMatchKey = new Set<number>();
  private seq = 0;
  private evicted = 0;
  private readonly byPixel = new Map<string, { browser: number; server: number }>();

  constructor(private readonly maxEvents = DEFAULT_MAX_EVENTS) {}

  private readonly history: DedupHistory = {
    byEventKey: (p, n, id) => this.byEventKey.get(key(p, n, id)) ?? [],
    browserByFbp: (p, n, fbp) => this.browserByFbp.get(key(p, n, fbp)) ?? [],
    browserByExternalId: (p, n, id) => this.browserByExternalId.get(key(p, n, id)) ?? [],
    isPairedByMatchKey: (seq) => this.pairedByMatchKey.has(seq),
  };

  add(incoming: IncomingEvent): RecordedEvent {
    const { rejected, ...fields } = incoming;
    const seq = ++this.seq;
    let record: RecordedEvent;
    if (rejected) {
      record = { seq, ...fields, status: 'rejected', error: rejected };
    } else {
      const decision = decideDedup(fields, this.history);
      if (decision.status === 'deduplicated') {
        record = { seq, ...fields, status: 'deduplicated', dedupOf: decision.dedupOf, dedupMethod: decision.method };
        if (decision.method !== 'event_id') this.pairedByMatchKey.add(decision.dedupOf);
      } else {
        record = { seq, ...fields, status: 'counted' };
        if (decision.demote) this.demote(decision.demote.keeperSeq, seq);
      }
      this.index(record);
      const counts = this.byPixel.get(record.pixelId) ?? { browser: 0, server: 0 };
      counts[record.source]++;
      this.byPixel.set(record.pixelId, counts);
    }
    this.events.set(seq, record);
    while (this.events.size > this.maxEvents) this.evictOldest();
    return record;
  }

  /** The browser copy arrived within 5 minutes of the kept server copy: the browser one is kept. */
  private demote(keeperSeq: number, newKeeperSeq: number): void {
    const keeper = this.events.get(keeperSeq);
    if (!keeper) return;
    for (const r of this.byEventKey.get(key(keeper.pixelId, keeper.eventName, keeper.eventId ?? '')) ?? []) {
      if (r.dedupOf === keeperSeq) r.dedupOf = newKeeperSeq;
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
    const oldest = this.events.keys().next();
    if (oldest.done) return;
    const r = this.events.get(oldest.value);
    this.events.delete(oldest.value);
    this.evicted++;
    if (!r || r.status === 'rejected') return;
    if (r.eventId !== undefined) dropIndex(this.byEventKey, key(r.pixelId, r.eventName, r.eventId), r);
    if (r.fbp) dropIndex(this.browserByFbp, key(r.pixelId, r.eventName, r.fbp), r);
    for (const id of r.externalIds ?? []) dropIndex(this.browserByExternalId, key(r.pixelId, r.eventName, id), r);
    this.pairedByMatchKey.delete(r.seq);
  }

  list(filter: EventFilter = {}): RecordedEvent[] {
    const out: RecordedEvent[] = [];
    for (const r of this.events.values()) {
      if (filter.sinceSeq !== undefined && r.seq <= filter.sinceSeq) continue;
      if (filter.pixel !== undefined && r.pixelId !== filter.pixel) continue;
      if (filter.eventId !== undefined && r.eventId !== filter.eventId) continue;
      if (filter.eventName !== undefined && r.eventName !== filter.eventName) continue;
      if (filter.source !== undefined && r.source !== filter.source) continue;
      if (filter.status !== undefined && r.status !== filter.status) continue;
      if (filter.testEventCode !== undefined && r.testEventCode !== filter.testEventCode) continue;
      out.push(r);
    }
    return filter.limit !== undefined && out.length > filter.limit ? out.slice(out.length - filter.limit) : out;
  }

  clear(): void {
    this.events.clear();
    this.byEventKey.clear();
    this.browserByFbp.clear();
    this.browserByExternalId.clear();
    this.pairedByMatchKey.clear();
    this.byPixel.clear();
  }

  counters(): StoreCounters {
    const c: StoreCounters = { stored: this.events.size, evicted: this.evicted, counted: 0, deduplicated: 0, rejected: 0, byPixel: {} };
    for (const r of this.events.values()) c[r.status]++;
    for (const [p, v] of this.byPixel) c.byPixel[p] = { ...v };
    return c;
  }
}
