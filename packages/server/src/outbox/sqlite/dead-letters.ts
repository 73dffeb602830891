import type Database from 'better-sqlite3';

/** Defaults of the dead-letter bounds (both backends). */
export const DEFAULT_DEAD_LETTER_MAX_COUNT = 100_000;
export const DEFAULT_DEAD_LETTER_MAX_BYTES = 256 * 1024 * 1024;

export interface DeadLetterLimits {
  maxCount: number;
  maxBytes: number;
}

export interface DeadLetterTotals {
  count: number;
  bytes: number;
  /** Dead letters evicted (oldest first) to stay within the bounds, since the store was created. */
  evicted: number;
}

/**
 * Keeps SQLite's `dead_letters` within a count and a byte bound (the whole file: it is one disk). Per
 * destination totals live in `dead_letter_stats`, changed in the same transactions as the rows, so bounds
 * and metrics never scan the table (it is filled from the rows once, when the stats table is created).
 * Eviction removes the oldest dead letters (lowest ids) of any destination.
 */
export class SqliteDeadLetterBounds {
  readonly #db: Database.Database;
  readonly #limits: DeadLetterLimits;
  readonly #add: Database.Statement;
  readonly #totals: Database.Statement;
  readonly #oldest: Database.Statement;
  readonly #deleteUpTo: Database.Statement;
  readonly #sub: Database.Statement;
  readonly #perDest: Database.Statement;

  constructor(db: Database.Database, limits: DeadLetterLimits) {
    this.#db = db;
    this.#limits = limits;
    db.transaction(() => {
      const existed = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'dead_letter_stats'").get() !== undefined;
      db.exec(`CREATE TABLE IF NOT EXISTS dead_letter_stats (
        destination_id TEXT PRIMARY KEY, n INTEGER NOT NULL, bytes INTEGER NOT NULL, evicted INTEGER NOT NULL DEFAULT 0
      ) WITHOUT ROWID`);
      if (!existed) {
        db.exec(`INSERT INTO dead_letter_stats (destination_id, n, bytes)
          SELECT destination_id, count(*), sum(octet_length(event) + octet_length(error)) FROM dead_letters GROUP BY destination_id`);
      }
    }).immediate();
    this.#add = db.prepare(`INSERT INTO dead_letter_stats (destination_id, n, bytes) VALUES (?, ?, ?)
      ON CONFLICT (destination_id) DO UPDATE SET n = n + excluded.n, bytes = bytes + excluded.bytes`);
    this.#sub = db.prepare(`UPDATE dead_letter_stats SET n = max(0, n - ?), bytes = max(0, bytes - ?), evicted = evicted + ?
      WHERE destination_id = ?`);
    this.#totals = db.prepare('SELECT coalesce(sum(n), 0) AS count, coalesce(sum(bytes), 0) AS bytes, coalesce(sum(evicted), 0) AS evicted FROM dead_letter_stats');
    this.#perDest = db.prepare('SELECT coalesce(sum(n), 0) AS count, coalesce(sum(bytes), 0) AS bytes, coalesce(sum(evicted), 0) AS evicted FROM dead_letter_stats WHERE destination_id = ?');
    this.#oldest = db.prepare('SELECT id, destination_id, octet_length(event) + octet_length(error) FROM dead_letters ORDER BY id LIMIT 500').raw(true);
    this.#deleteUpTo = db.prepare('DELETE FROM dead_letters WHERE id <= ?');
  }

  /** Rows just inserted for `dest` (count and their bytes). Call inside the inserting transaction. */
  added(dest: string, n: number, bytes: number): void {
    if (n > 0) this.#add.run(dest, n, bytes);
  }

  /** Rows removed by a replay (not evictions), per destination. Call inside the removing transaction. */
  removed(perDest: ReadonlyArray<readonly [string, number, number]>): void {
    for (const [d, n, bytes] of perDest) this.#sub.run(n, bytes, 0, d);
  }

  /**
   * Evicts the oldest dead letters until both bounds hold; returns how many were evicted, per destination.
   * Call inside the transaction that added rows.
   */
  evict(): Map<string, number> {
    const evicted = new Map<string, number>();
    let { count, bytes } = this.#totals.get() as DeadLetterTotals;
    const { maxCount, maxBytes } = this.#limits;
    while (count > maxCount || bytes > maxBytes) {
      const rows = this.#oldest.all() as Array<[number, string, number]>;
      if (rows.length === 0) break;
      const freed = new Map<string, [number, number]>();
      let lastId = 0;
      for (const [id, d, b] of rows) {
        if (count <= maxCount && bytes <= maxBytes) break;
        lastId = id;
        count--;
        bytes -= b;
        const f = freed.get(d) ?? [0, 0];
        f[0]++;
        f[1] += b;
        freed.set(d, f);
      }
      this.#deleteUpTo.run(lastId);
      for (const [d, [n, b]] of freed) {
        this.#sub.run(n, b, n, d);
        evicted.set(d, (evicted.get(d) ?? 0) + n);
      }
    }
    return evicted;
  }

  totals(destinationId?: string): DeadLetterTotals {
    return (destinationId === undefined ? this.#totals.get() : this.#perDest.get(destinationId)) as DeadLetterTotals;
  }
}
