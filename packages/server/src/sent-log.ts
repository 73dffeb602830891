export type SentStatus = 'queued' | 'sent' | 'dropped' | 'dead_lettered';

export interface SentRecord {
  event_id: string;
  event_name: string;
  fbp?: string;
  fbc?: string;
  destination: string;
  status: SentStatus;
  reason?: string;
  /** Epoch ms of the last change. */
  updated_at: number;
}

/**
 * Bounded in-memory record of recently handled events, by event_id (for `/v1/sent` and `verify`).
 * Map insertion order = age: when full, the oldest event id is forgotten. Per-process only.
 */
export class SentLog {
  readonly #max: number;
  readonly #byId = new Map<string, SentRecord[]>();
  constructor(max: number, private readonly now: () => number = Date.now) {
    this.#max = max;
  }

  /**
   * Takes ownership of `r` (callers pass a fresh object): it is stored as is, with `updated_at` added,
   * so recording an event allocates nothing beyond that object and, for a new id, a one-element list.
   */
  record(r: Omit<SentRecord, 'updated_at'>): void {
    if (this.#max === 0) return;
    const rec = r as SentRecord;
    rec.updated_at = this.now();
    const list = this.#byId.get(r.event_id);
    if (list) {
      for (let i = 0; i < list.length; i++) {
        const prev = list[i]!;
        if (prev.destination !== r.destination) continue;
        // Keep fbp/fbc/name known at ingestion when delivery updates only the status.
        for (const k in rec) {
          const v = (rec as unknown as Record<string, unknown>)[k];
          if (v !== undefined) (prev as unknown as Record<string, unknown>)[k] = v;
        }
        return;
      }
      list.push(rec);
      return;
    }
    this.#byId.set(r.event_id, [rec]);
    if (this.#byId.size > this.#max) {
      const oldest = this.#byId.keys().next().value;
      if (oldest !== undefined) this.#byId.delete(oldest);
    }
  }

  /** Delivery knows only event_id + destination; it updates the status of a known record. */
  update(eventId: string, destination: string, status: SentStatus, reason?: string): void {
    const list = this.#byId.get(eventId);
    const rec = list?.find((x) => x.destination === destination);
    if (!rec) return;
    rec.status = status;
    if (reason !== undefined) rec.reason = reason;
    else delete rec.reason;
    rec.updated_at = this.now();
  }

  get(eventId: string): SentRecord[] {
    return (this.#byId.get(eventId) ?? []).map((r) => ({ ...r }));
  }

  get size(): number {
    return this.#byId.size;
  }
}
