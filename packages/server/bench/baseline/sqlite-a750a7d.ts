// Frozen copy of src/outbox/sqlite.ts at commit a750a7d (triggers, one INSERT per event), for the side-by-side in outbox-sqlite.bench.ts. Not used by the server.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { CapiServerEvent } from '../../src/mapping/types.js';
import type {
  DeadLetter, DeadLetterError, EnqueueItem, EnqueueResult, Outbox, OutboxEntry,
} from '../../src/outbox/types.js';

export interface SqliteOutboxOptions {
  /** Entries (all destinations) beyond which enqueue answers `outbox_full`. */
  maxDepth?: number;
  /**
   * Release every lease when opening. Right for the one server process that owns the file (its previous
   * run's leases belong to a dead process); wrong for a second process opening the same file (the CLI).
   */
  releaseLeasesOnOpen?: boolean;
  now?: () => number;
}

interface Pending {
  items: readonly EnqueueItem[];
  resolve: (r: EnqueueResult) => void;
}

interface Row {
  id: number;
  destination_id: string;
  event: string;
  enqueued_at: number;
  attempts: number;
  event_id: string | null;
  event_time: number | null;
  action_source: string | null;
}

/** What the claim `UPDATE` on the narrow queue table returns; the payload comes from `outbox` by id. */
interface Lease {
  id: number;
  attempts: number;
}

/**
 * An entry whose event stays JSON text until something reads `event`: delivery reads only `head` (window
 * check, logs) and splices `json` into the Graph body, so the hot path neither parses nor re-serialises.
 */
function toEntry(r: Row): OutboxEntry {
  let parsed: CapiServerEvent | undefined;
  const entry: OutboxEntry = {
    id: String(r.id),
    destinationId: r.destination_id,
    get event(): CapiServerEvent {
      return (parsed ??= JSON.parse(r.event) as CapiServerEvent);
    },
    enqueuedAt: r.enqueued_at,
    attempts: r.attempts,
    json: r.event,
  };
  // Rows written before these columns existed (or replayed dead letters) have no head: parse on access.
  if (r.event_id !== null && r.event_time !== null && r.action_source !== null) {
    entry.head = { event_id: r.event_id, event_time: r.event_time, action_source: r.action_source as CapiServerEvent['action_source'] };
  }
  return entry;
}

/**
 * Outbox on embedded SQLite (better-sqlite3, WAL).
 *
 * Durability: `journal_mode=WAL` + `synchronous=FULL` fsyncs the WAL at every commit, so a committed
 * enqueue survives a process crash (kill -9) and a power loss. (NORMAL would survive kill -9 too, since
 * the WAL is in the OS page cache, but not a power cut.) The fsync cost is paid once per group: concurrent
 * `enqueue` calls arriving in the same event-loop turn are committed in one transaction (group commit),
 * and each caller's promise resolves only after that commit returned.
 *
 * Two tables: `outbox` holds the event (≈1 KB JSON + head columns, written once) and `outbox_queue` the
 * narrow, changing delivery state (`available_at`, `attempts`, `leased`), keyed by the same id. Before, the
 * lease lived in the wide row, so every claim and retry rewrote the pages holding the event text (the claim
 * `UPDATE` was 36 % of the delivery process). Triggers keep the two in step: an insert into `outbox`
 * (enqueue, dead-letter replay — also from an older CLI) adds its queue row, a delete removes it. The wide
 * row's own `available_at`/`attempts`/`leased` columns are no longer read (kept so older files and older
 * versions stay compatible: a downgraded process would see every row as due — redelivery, never loss).
 *
 * Visibility: `outbox_queue.available_at` (epoch ms) holds both the lease expiry and the retry time; claim
 * takes due rows in `available_at` order with one `UPDATE … RETURNING` on the queue table, atomically, then
 * reads their payloads by id in the same transaction.
 *
 * Only enqueue needs FULL. claim/ack/retryLater/deadLetter run with `synchronous=NORMAL` (no fsync of their
 * own): if a power cut loses one of them, the event is still in the outbox and is delivered again
 * (at-least-once; Meta dedups by event_id) — never lost. The next FULL commit fsyncs the WAL including
 * their frames. This halves the fsyncs on the event loop during delivery.
 * One server process per file (leases are released on open).
 */
export class SqliteOutboxBaseline implements Outbox {
  readonly #db: Database.Database;
  readonly #maxDepth: number;
  readonly #now: () => number;
  #pending: Pending[] = [];
  #scheduled = false;
  #closed = false;
  /** Exact after every local change; refreshed from the table by depth(). */
  #count: number;

  readonly #insert: Database.Statement;
  readonly #claim: Database.Statement;
  readonly #payloads: Database.Statement;
  readonly #claimTx: (dest: string, now: number, until: number, max: number) => Row[];
  readonly #ack: Database.Statement;
  readonly #retry: Database.Statement;
  readonly #toDead: Database.Statement;
  readonly #delete: Database.Statement;
  readonly #countAll: Database.Statement;
  readonly #countDest: Database.Statement;
  readonly #syncNormal: Database.Statement;
  readonly #syncFull: Database.Statement;

  constructor(path: string, options: SqliteOutboxOptions = {}) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.#db = new Database(path);
    this.#maxDepth = options.maxDepth ?? 1_000_000;
    this.#now = options.now ?? Date.now;
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = FULL');
    this.#db.pragma('busy_timeout = 5000');
    this.#db.exec(`
      CREATE TABLE IF NOT EXISTS outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        destination_id TEXT NOT NULL,
        event TEXT NOT NULL,
        enqueued_at INTEGER NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        available_at INTEGER NOT NULL,
        leased INTEGER NOT NULL DEFAULT 0
      );
      CREATE TABLE IF NOT EXISTS dead_letters (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        destination_id TEXT NOT NULL,
        event TEXT NOT NULL,
        error TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        enqueued_at INTEGER NOT NULL,
        dead_lettered_at INTEGER NOT NULL
      );
      CREATE INDEX IF NOT EXISTS dead_letters_dest ON dead_letters (destination_id, id);
    `);
    // Head columns (what delivery reads without parsing the event); files from older versions get them added.
    const cols = new Set((this.#db.prepare('PRAGMA table_info(outbox)').all() as Array<{ name: string }>).map((c) => c.name));
    for (const [name, type] of [['event_id', 'TEXT'], ['event_time', 'INTEGER'], ['action_source', 'TEXT']] as const) {
      if (!cols.has(name)) this.#db.exec(`ALTER TABLE outbox ADD COLUMN ${name} ${type}`);
    }
    this.#migrateQueue();
    this.#insert = this.#db.prepare(`INSERT INTO outbox (destination_id, event, enqueued_at, available_at, event_id, event_time, action_source)
      VALUES (?, ?, ?, ?, ?, ?, ?)`);
    this.#claim = this.#db.prepare(`
      UPDATE outbox_queue SET available_at = @until, leased = 1
      WHERE id IN (SELECT id FROM outbox_queue WHERE destination_id = @dest AND available_at <= @now ORDER BY available_at, id LIMIT @max)
      RETURNING id, attempts`);
    // raw(): arrays instead of one keyed object per row (the claim's largest allocation after the text).
    this.#payloads = this.#db.prepare(`SELECT id, event, enqueued_at, event_id, event_time, action_source
      FROM outbox WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id`).raw(true);
    this.#claimTx = this.#db.transaction((dest: string, now: number, until: number, max: number): Row[] => {
      const leases = this.#claim.all({ dest, now, until, max }) as Lease[];
      if (leases.length === 0) return [];
      leases.sort((a, b) => a.id - b.id);
      const ids = new Array<number>(leases.length);
      for (let i = 0; i < leases.length; i++) ids[i] = leases[i]!.id;
      const raw = this.#payloads.all(JSON.stringify(ids)) as Array<[number, string, number, string | null, number | null, string | null]>;
      // Both in id order; a queue row without its payload (never expected: the triggers pair them) is skipped.
      const rows = new Array<Row>(raw.length);
      let j = 0;
      for (let i = 0; i < raw.length; i++) {
        const [id, event, enqueuedAt, eventId, eventTime, actionSource] = raw[i]!;
        while (j < leases.length && leases[j]!.id < id) j++;
        rows[i] = {
          id, destination_id: dest, event, enqueued_at: enqueuedAt, attempts: leases[j]?.id === id ? leases[j]!.attempts : 0,
          event_id: eventId, event_time: eventTime, action_source: actionSource,
        };
      }
      return rows;
    });
    // The outbox_queue_delete trigger removes the queue rows.
    this.#ack = this.#db.prepare('DELETE FROM outbox WHERE id IN (SELECT value FROM json_each(?)) AND +destination_id = ?');
    this.#retry = this.#db.prepare(`UPDATE outbox_queue SET available_at = ?, attempts = attempts + 1, leased = 0
      WHERE id IN (SELECT value FROM json_each(?)) AND +destination_id = ?`);
    this.#toDead = this.#db.prepare(`INSERT INTO dead_letters (destination_id, event, error, attempts, enqueued_at, dead_lettered_at)
      SELECT o.destination_id, o.event, ?, coalesce(q.attempts, o.attempts), o.enqueued_at, ?
      FROM outbox o LEFT JOIN outbox_queue q ON q.id = o.id WHERE o.destination_id = ? AND o.id = ?`);
    this.#delete = this.#db.prepare('DELETE FROM outbox WHERE destination_id = ? AND id = ?');
    this.#countAll = this.#db.prepare('SELECT count(*) AS n FROM outbox_queue');
    this.#countDest = this.#db.prepare('SELECT count(*) AS n FROM outbox_queue WHERE destination_id = ?');
    this.#syncNormal = this.#db.prepare('PRAGMA synchronous = NORMAL');
    this.#syncFull = this.#db.prepare('PRAGMA synchronous = FULL');
    if (options.releaseLeasesOnOpen) {
      this.#db.prepare('UPDATE outbox_queue SET available_at = ?, leased = 0 WHERE leased = 1').run(this.#now());
    }
    this.#count = (this.#countAll.get() as { n: number }).n;
  }

  enqueue(items: readonly EnqueueItem[]): Promise<EnqueueResult> {
    if (this.#closed) return Promise.resolve({ ok: false, reason: 'outbox_unavailable', detail: 'outbox is closed' });
    if (items.length === 0) return Promise.resolve({ ok: true });
    return new Promise((resolve) => {
      this.#pending.push({ items, resolve });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#commitPending());
      }
    });
  }

  /** Group commit: every enqueue of this turn in one transaction, one fsync. */
  #commitPending(): void {
    this.#scheduled = false;
    const batch = this.#pending;
    this.#pending = [];
    if (batch.length === 0) return;
    const now = this.#now();
    const results: EnqueueResult[] = [];
    let added = 0;
    try {
      this.#db.transaction(() => {
        for (const p of batch) {
          if (this.#count + added + p.items.length > this.#maxDepth) {
            results.push({ ok: false, reason: 'outbox_full', detail: `outbox holds ${this.#count + added} events (max ${this.#maxDepth})` });
            continue;
          }
          for (const it of p.items) {
            const e = it.event;
            this.#insert.run(it.destinationId, JSON.stringify(e), now, now, e.event_id, e.event_time, e.action_source);
          }
          added += p.items.length;
          results.push({ ok: true });
        }
      })();
    } catch (e) {
      for (const p of batch) p.resolve({ ok: false, reason: 'outbox_unavailable', detail: `sqlite: ${(e as Error).message}` });
      return;
    }
    this.#count += added;
    batch.forEach((p, i) => p.resolve(results[i]!));
  }

  /**
   * The narrow queue table and the triggers that keep it paired with `outbox`. Files written before it
   * existed get their rows copied over once (lease/attempt state included), in one transaction.
   */
  #migrateQueue(): void {
    const exists = this.#db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'outbox_queue'").get() !== undefined;
    this.#db.transaction(() => {
      this.#db.exec(`
        CREATE TABLE IF NOT EXISTS outbox_queue (
          id INTEGER PRIMARY KEY,
          destination_id TEXT NOT NULL,
          available_at INTEGER NOT NULL,
          attempts INTEGER NOT NULL DEFAULT 0,
          leased INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX IF NOT EXISTS outbox_queue_due ON outbox_queue (destination_id, available_at);
        CREATE TRIGGER IF NOT EXISTS outbox_queue_insert AFTER INSERT ON outbox BEGIN
          INSERT INTO outbox_queue (id, destination_id, available_at, attempts, leased)
          VALUES (NEW.id, NEW.destination_id, NEW.available_at, NEW.attempts, 0);
        END;
        CREATE TRIGGER IF NOT EXISTS outbox_queue_delete AFTER DELETE ON outbox BEGIN
          DELETE FROM outbox_queue WHERE id = OLD.id;
        END;
        DROP INDEX IF EXISTS outbox_due;
      `);
      if (!exists) {
        this.#db.exec(`INSERT INTO outbox_queue (id, destination_id, available_at, attempts, leased)
          SELECT id, destination_id, available_at, attempts, leased FROM outbox`);
      }
    })();
  }

  /** Runs a delivery-side write without its own fsync (see the class comment). */
  #relaxed<T>(fn: () => T): T {
    this.#syncNormal.run();
    try {
      return fn();
    } finally {
      this.#syncFull.run();
    }
  }

  async claim(destinationId: string, max: number, leaseMs: number): Promise<OutboxEntry[]> {
    const now = this.#now();
    const rows = this.#relaxed(() => this.#claimTx(destinationId, now, now + leaseMs, Math.min(Math.max(1, max), 1000)));
    return rows.map(toEntry);
  }

  async ack(destinationId: string, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const info = this.#relaxed(() => this.#ack.run(JSON.stringify(ids.map(Number)), destinationId));
    this.#count = Math.max(0, this.#count - info.changes);
  }

  async retryLater(destinationId: string, ids: readonly string[], notBefore: number): Promise<void> {
    if (ids.length === 0) return;
    this.#relaxed(() => this.#retry.run(notBefore, JSON.stringify(ids.map(Number)), destinationId));
  }

  async deadLetter(destinationId: string, entries: ReadonlyArray<{ id: string; error: DeadLetterError }>): Promise<void> {
    if (entries.length === 0) return;
    const now = this.#now();
    let moved = 0;
    this.#relaxed(() => this.#db.transaction(() => {
      for (const e of entries) {
        const ins = this.#toDead.run(JSON.stringify(e.error), now, destinationId, Number(e.id));
        if (ins.changes > 0) moved += this.#delete.run(destinationId, Number(e.id)).changes;
      }
    })());
    this.#count = Math.max(0, this.#count - moved);
  }

  async depth(destinationId?: string): Promise<number> {
    if (destinationId === undefined) {
      this.#count = (this.#countAll.get() as { n: number }).n;
      return this.#count;
    }
    return (this.#countDest.get(destinationId) as { n: number }).n;
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
      n = this.#db.prepare(`INSERT INTO outbox (destination_id, event, enqueued_at, available_at)
        SELECT destination_id, event, ?, ? FROM dead_letters ${clause} ORDER BY id`).run(now, now, ...params).changes;
      this.#db.prepare(`DELETE FROM dead_letters ${clause}`).run(...params);
    })();
    this.#count += n;
    return n;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#commitPending();
    this.#closed = true;
    this.#db.close();
  }
}
