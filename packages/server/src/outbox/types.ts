import type { CapiServerEvent } from '../mapping/types.js';

/**
 * The durable queue between ingestion and delivery. At-least-once: an entry leaves the outbox only by
 * `ack` (Meta accepted it) or `deadLetter`. Implementations: SQLite (default, `sqlite:<path>`) and
 * Redis Streams (`redis://host:port[/db]`). The same contract tests run against both.
 */
export interface OutboxEntry {
  /** Outbox-assigned id, unique within a destination. */
  id: string;
  destinationId: string;
  event: CapiServerEvent;
  /** Epoch ms when the entry was enqueued. */
  enqueuedAt: number;
  /** Delivery attempts so far (0 on first claim). */
  attempts: number;
  /**
   * The event exactly as stored (JSON), when the backend keeps it as text: spliced into the Graph body
   * without parse + re-serialise. When present, `event` may be parsed lazily on first access.
   */
  json?: string;
  /** What delivery reads of every event (window check, logs), when the backend has it without parsing `event`. */
  head?: EventHead;
}

export type EventHead = Pick<CapiServerEvent, 'event_id' | 'event_time' | 'action_source'>;

export interface EnqueueItem {
  destinationId: string;
  event: CapiServerEvent;
  /**
   * `JSON.stringify(event)`, when the caller already has it (e.g. the outbox thread's worker receives the
   * text, not the object). Backends that store text may use it instead of serialising `event` again.
   */
  json?: string;
}

/**
 * Why an event was dead-lettered. `retries_exhausted` is no longer produced (retries are bounded by the
 * event's window) but older dead letters carry it.
 */
export const DEAD_LETTER_REASONS = ['meta_rejected', 'too_old', 'retry_window_expired', 'retries_exhausted'] as const;
export type DeadLetterReason = (typeof DEAD_LETTER_REASONS)[number];

export interface DeadLetterError {
  reason: DeadLetterReason;
  httpStatus?: number;
  code?: number;
  errorSubcode?: number;
  errorUserTitle?: string;
  errorUserMsg?: string;
  message?: string;
  fbtraceId?: string;
}

export interface DeadLetter {
  id: string;
  destinationId: string;
  event: CapiServerEvent;
  error: DeadLetterError;
  attempts: number;
  /** Epoch ms. */
  deadLetteredAt: number;
}

/**
 * `storage_full`: the disk (SQLITE_FULL) or Redis memory (OOM, noeviction) is full; delivery keeps running
 * and frees space, so a retry later succeeds.
 * `invalid_event`: an event of this request could not be serialised (the caller's fault, answered 4xx); nothing
 * of the request is stored and no other request is affected.
 */
export type EnqueueRefusal = 'outbox_full' | 'outbox_unavailable' | 'storage_full' | 'invalid_event';
export type EnqueueResult = { ok: true } | { ok: false; reason: EnqueueRefusal; detail: string };

export interface Outbox {
  /**
   * Resolves only once every item is durable (fsync'd WAL / Redis acknowledged). All or nothing, per call:
   * every item is serialised before anything shared (a group-commit batch) is touched, so one call's bad
   * item never changes or fails what another call stores. Never rejects.
   */
  enqueue(items: readonly EnqueueItem[]): Promise<EnqueueResult>;
  /**
   * Leases up to `max` (≤ 1000) entries of a destination that are due. A leased entry is invisible to
   * other claimers until `leaseMs` passes; an expired lease (crashed instance) makes it claimable again.
   */
  claim(destinationId: string, max: number, leaseMs: number): Promise<OutboxEntry[]>;
  /** Delivered: removes the entries for good. */
  ack(destinationId: string, ids: readonly string[]): Promise<void>;
  /** Releases entries to be claimed again no earlier than `notBefore` (epoch ms); increments attempts. */
  retryLater(destinationId: string, ids: readonly string[], notBefore: number): Promise<void>;
  /**
   * Moves entries to the dead-letter store with their reason. The store is bounded (count and bytes): the
   * oldest dead letters are evicted to make room; how many is reported.
   */
  deadLetter(destinationId: string, entries: ReadonlyArray<{ id: string; error: DeadLetterError }>): Promise<DeadLetterOutcome | void>;
  /** Entries not yet acked or dead-lettered (for a destination, or all). */
  depth(destinationId?: string): Promise<number>;
  listDeadLetters(options?: { destinationId?: string; limit?: number }): Promise<DeadLetter[]>;
  /** Moves dead letters back into the outbox (all of them when `ids` is omitted); returns how many. */
  replayDeadLetters(options?: { destinationId?: string; ids?: readonly string[] }): Promise<number>;
  close(): Promise<void>;
  /** Dead-letter totals and storage state (of a destination, or all), for /readyz and /metrics. */
  status?(destinationId?: string): Promise<OutboxStatus>;
}

export interface DeadLetterOutcome {
  /** Older dead letters evicted to keep the store within its bounds. */
  evicted: number;
}

export interface OutboxStatus {
  deadLetters: number;
  /** Bytes of the stored dead letters (event + error JSON). */
  deadLetterBytes: number;
  /**
   * The storage refuses writes or is about to (SQLite: SQLITE_FULL or above 95 % of OUTBOX_MAX_BYTES; Redis: OOM
   * or above 95 % of maxmemory). Ingestion answers `storage_full`; delivery keeps running and frees space.
   */
  storageFull: boolean;
}
