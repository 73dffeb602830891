/** `paused`: queued for a destination that is paused (shown by /v1/sent, never stored). */
export type SentStatus = 'queued' | 'paused' | 'sent' | 'dropped' | 'dead_lettered';

export interface SentRecord {
  event_id: string;
  event_name: string;
  fbp?: string;
  fbc?: string;
  destination: string;
  status: SentStatus;
  reason?: string;
  /** Dropped for its match keys: the user_data keys it had (names only). */
  match_keys?: string[];
  /** Epoch ms of the last change. */
  updated_at: number;
}

/**
 * Bounded in-memory record of recently handled events, by event_id (for `/v1/sent` and `verify`).
 * Map insertion order = age: when full, the oldest event id is forgotten. Per-process only.
 */
export class SentLog {
  readonly #max: number;
  /** One record (the common case: one destination) or, from the second destination on, a list. */
  readonly #byId = new Map<string, SentRecord | SentRecord[]>();
  constructor(max: number, private readonly now: () => number = Date.now) {
    this.#max = max;
  }

  /**
   * Takes ownership of `r` (callers pass a fresh object): it is stored as is, with `updated_at` added,
   * so recording an event allocates nothing beyond that object. `at` (epoch ms, default: now) lets a caller
   * recording a whole batch read the clock once (see `timestamp`).
   */
  record(r: Omit<SentRecord, 'updated_at'>, at?: number): void {
    if (this.#max === 0) return;
    const rec = r as SentRecord;
    rec.updated_at = at ?? this.now();
    const known = this.#byId.get(r.event_id);
    if (known !== undefined) {
      if (!Array.isArray(known)) {
        if (known.destination === r.destination) merge(known, rec);
        else this.#byId.set(r.event_id, [known, rec]);
        return;
      }
      for (let i = 0; i < known.length; i++) {
        const prev = known[i]!;
        if (prev.destination !== r.destination) continue;
        merge(prev, rec);
        return;
      }
      known.push(rec);
      return;
    }
    this.#byId.set(r.event_id, rec);
    if (this.#byId.size > this.#max) {
      const oldest = this.#byId.keys().next().value;
      if (oldest !== undefined) this.#byId.delete(oldest);
    }
  }

  /** The log's clock (epoch ms), for `record(r, at)`. */
  timestamp(): number {
    return this.now();
  }

  /** Delivery knows only event_id + destination; it updates the status of a known record. */
  update(eventId: string, destination: string, status: SentStatus, reason?: string): void {
    const known = this.#byId.get(eventId);
    const rec = Array.isArray(known) ? known.find((x) => x.destination === destination) : known?.destination === destination ? known : undefined;
    if (!rec) return;
    rec.status = status;
    if (reason !== undefined) rec.reason = reason;
    else delete rec.reason;
    rec.updated_at = this.now();
  }

  get(eventId: string): SentRecord[] {
    const known = this.#byId.get(eventId);
    if (known === undefined) return [];
    return Array.isArray(known) ? known.map((r) => ({ ...r })) : [{ ...known }];
  }

  get size(): number {
    return this.#byId.size;
  }
}

/** Keeps fbp/fbc/name known at ingestion when a later record (delivery) carries only the status. */
function merge(prev: SentRecord, rec: SentRecord): void {
  for (const k in rec) {
    const v = (rec as unknown as Record<string, unknown>)[k];
    if (v !== undefined) (prev as unknown as Record<string, unknown>)[k] = v;
  }
}
