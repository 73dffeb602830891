import type Database from 'better-sqlite3';
import type { CapiServerEvent } from '../mapping/types.js';
import type {
  DeadLetter, DeadLetterError, DeadLetterOutcome, EnqueueItem, EnqueueResult, Outbox, OutboxEntry, OutboxStatus,
} from './types.js';
import { DEFAULT_DEAD_LETTER_MAX_BYTES, DEFAULT_DEAD_LETTER_MAX_COUNT, SqliteDeadLetterBounds } from './sqlite/dead-letters.js';
import { GroupCommit, type OutboxCounters } from './sqlite/group-commit.js';
import { OutboxLog } from './sqlite/log.js';
import { openOutboxDatabase } from './sqlite/schema.js';
import { prepareStatements, type Statements } from './sqlite/statements.js';

export interface SqliteOutboxOptions {
  /** Entries (all destinations) beyond which enqueue answers `outbox_full`. */
  maxDepth?: number;
  /**
   * Release every lease when opening. Right for the one server process that owns the file (its previous
   * run's leases belong to a dead process); wrong for a second process opening the same file (the CLI).
   */
  releaseLeasesOnOpen?: boolean;
  now?: () => number;
  /** Dead letters kept (whole file); the oldest are evicted beyond it. Default 100,000. */
  deadLetterMaxCount?: number;
  /** Bytes of dead letters kept (event + error JSON, whole file); the oldest are evicted beyond it. Default 256 MiB. */
  deadLetterMaxBytes?: number;
  /**
   * Size cap of the database file (`PRAGMA max_page_count`). Ingestion answers `storage_full` from 95 % of
   * it, so delivery (leases, retries, dead letters) always has room to run and free space. Unset: no cap.
   */
  maxBytes?: number;
}

/**
 * Outbox on embedded SQLite (better-sqlite3, WAL): the schema (sqlite/schema.ts), the statements
 * (sqlite/statements.ts), the cursor/lease log that claim and ack read (sqlite/log.ts) and the group commit
 * of enqueues (sqlite/group-commit.ts). Layout, durability and history: docs/sqlite-outbox.md.
 *
 * Only enqueue commits with `synchronous=FULL`; delivery-side writes run with NORMAL (`#relaxed`): a power
 * cut that loses one leaves the event in the outbox, to be delivered again, never lost.
 */
export class SqliteOutbox implements Outbox {
  readonly #db: Database.Database;
  readonly #s: Statements;
  readonly #now: () => number;
  readonly #counters: OutboxCounters;
  readonly #commit: GroupCommit;
  readonly #log: OutboxLog;
  readonly #dead: SqliteDeadLetterBounds;
  #closed = false;

  constructor(path: string, options: SqliteOutboxOptions = {}) {
    const { db, freshFrom } = openOutboxDatabase(path);
    this.#db = db;
    this.#now = options.now ?? Date.now;
    this.#dead = new SqliteDeadLetterBounds(db, {
      maxCount: options.deadLetterMaxCount ?? DEFAULT_DEAD_LETTER_MAX_COUNT,
      maxBytes: options.deadLetterMaxBytes ?? DEFAULT_DEAD_LETTER_MAX_BYTES,
    });
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    // SQLite never sets the cap below the file's current size: read back what it took.
    const maxPages = options.maxBytes === undefined ? 0
      : db.pragma(`max_page_count = ${Math.max(16, Math.floor(options.maxBytes / pageSize))}`, { simple: true }) as number;
    this.#s = prepareStatements(db);
    this.#log = new OutboxLog(db, this.#s, freshFrom);
    if (options.releaseLeasesOnOpen) this.#log.releaseAll(this.#now());
    this.#counters = { count: this.#s.countAll.get() as number, storageFull: false };
    this.#commit = new GroupCommit(db, this.#s, this.#counters, { maxDepth: options.maxDepth ?? 1_000_000, now: this.#now, maxPages });
  }

  enqueue(items: readonly EnqueueItem[]): Promise<EnqueueResult> {
    if (this.#closed) return Promise.resolve({ ok: false, reason: 'outbox_unavailable', detail: 'outbox is closed' });
    if (items.length === 0) return Promise.resolve({ ok: true });
    return this.#commit.enqueue(items);
  }

  /** Runs a delivery-side write without its own fsync (the next FULL commit fsyncs the WAL with it). */
  #relaxed<T>(fn: () => T): T {
    this.#s.syncNormal.run();
    try {
      return fn();
    } finally {
      this.#s.syncFull.run();
    }
  }

  async claim(destinationId: string, max: number, leaseMs: number): Promise<OutboxEntry[]> {
    const now = this.#now();
    return this.#relaxed(() => this.#log.claim(destinationId, now, now + leaseMs, Math.min(Math.max(1, max), 1000)));
  }

  async ack(destinationId: string, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const n = this.#relaxed(() => this.#log.ack(destinationId, ids));
    this.#counters.count = Math.max(0, this.#counters.count - n);
    if (n > 0) this.#counters.storageFull = false;
  }

  async retryLater(destinationId: string, ids: readonly string[], notBefore: number): Promise<void> {
    if (ids.length === 0) return;
    this.#relaxed(() => this.#log.retryLater(destinationId, ids, notBefore));
  }

  async deadLetter(destinationId: string, entries: ReadonlyArray<{ id: string; error: DeadLetterError }>): Promise<DeadLetterOutcome> {
    if (entries.length === 0) return { evicted: 0 };
    const s = this.#s;
    const now = this.#now();
    let moved = 0;
    let evicted = 0;
    this.#relaxed(() => this.#db.transaction(() => {
      let inserted = 0;
      let bytes = 0;
      for (const e of entries) {
        const b = s.toDead.get(JSON.stringify(e.error), now, destinationId, Number(e.id)) as number | undefined;
        if (b !== undefined) {
          inserted++;
          bytes += b;
          s.deleteQueue.run(destinationId, Number(e.id));
          moved += s.deleteOutbox.run(destinationId, Number(e.id)).changes;
        }
      }
      if (moved > 0) s.countSub.run(moved, destinationId);
      this.#dead.added(destinationId, inserted, bytes);
      for (const n of this.#dead.evict().values()) evicted += n;
    })());
    this.#counters.count = Math.max(0, this.#counters.count - moved);
    if (moved > 0 || evicted > 0) this.#counters.storageFull = false;
    return { evicted };
  }

  async status(destinationId?: string): Promise<OutboxStatus> {
    const t = this.#dead.totals(destinationId);
    return { deadLetters: t.count, deadLetterBytes: t.bytes, storageFull: this.#commit.nearCap() || this.#counters.storageFull };
  }

  async depth(destinationId?: string): Promise<number> {
    if (destinationId !== undefined) return this.#s.countDest.get(destinationId) as number;
    this.#counters.count = this.#s.countAll.get() as number;
    return this.#counters.count;
  }

  async listDeadLetters(options: { destinationId?: string; limit?: number } = {}): Promise<DeadLetter[]> {
    const limit = Math.min(Math.max(1, options.limit ?? 100), 10_000);
    const rows = (options.destinationId === undefined
      ? this.#db.prepare('SELECT * FROM dead_letters ORDER BY id LIMIT ?').all(limit)
      : this.#db.prepare('SELECT * FROM dead_letters WHERE destination_id = ? ORDER BY id LIMIT ?').all(options.destinationId, limit)
    ) as Array<{ id: number; destination_id: string; event: string; error: string; attempts: number; dead_lettered_at: number }>;
    return rows.map((r) => ({
      id: String(r.id),
      destinationId: r.destination_id,
      event: JSON.parse(r.event) as CapiServerEvent,
      error: JSON.parse(r.error) as DeadLetterError,
      attempts: r.attempts,
      deadLetteredAt: r.dead_lettered_at,
    }));
  }

  async replayDeadLetters(options: { destinationId?: string; ids?: readonly string[] } = {}): Promise<number> {
    const now = this.#now();
    const where: string[] = [];
    const params: unknown[] = [];
    if (options.destinationId !== undefined) {
      where.push('destination_id = ?');
      params.push(options.destinationId);
    }
    if (options.ids !== undefined) {
      where.push('id IN (SELECT value FROM json_each(?))');
      params.push(JSON.stringify(options.ids.map(Number)));
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    let n = 0;
    this.#db.transaction(() => {
      const ins = this.#db.prepare(`INSERT INTO outbox (destination_id, event, enqueued_at, available_at)
        SELECT destination_id, event, ?, ? FROM dead_letters ${clause} ORDER BY id`).run(now, now, ...params);
      n = ins.changes;
      // The new rows are after every cursor: claimed as fresh rows, attempts 0.
      if (n > 0) {
        const perDest = this.#db.prepare(`SELECT destination_id, count(*), sum(octet_length(event) + octet_length(error)) FROM dead_letters ${clause}
          GROUP BY destination_id`).raw(true).all(...params) as Array<[string, number, number]>;
        for (const [d, k] of perDest) this.#s.countAdd.run(d, k);
        this.#dead.removed(perDest);
      }
      this.#db.prepare(`DELETE FROM dead_letters ${clause}`).run(...params);
    })();
    this.#counters.count += n;
    return n;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#commit.flush();
    this.#closed = true;
    this.#db.close();
  }
}
