import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { CapiServerEvent } from '../mapping/types.js';
import type {
  DeadLetter, DeadLetterError, DeadLetterOutcome, EnqueueItem, EnqueueResult, Outbox, OutboxEntry, OutboxStatus,
} from './types.js';
import { DEFAULT_DEAD_LETTER_MAX_BYTES, DEFAULT_DEAD_LETTER_MAX_COUNT, SqliteDeadLetterBounds } from './sqlite-dead-letters.js';
import { serialiseItems } from './serialise.js';

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

/** Share of `maxBytes` above which enqueue answers `storage_full` (the rest is delivery's headroom). */
const STORAGE_HEADROOM = 0.95;

/** Rows per multi-row INSERT (7 parameters each). */
const CHUNK = 50;
const INSERT_COLS = 7;
/** Above this many runs of consecutive ids, claim/ack use one json_each list instead of range statements. */
const MAX_RUNS = 8;

type PayloadRow = [number, string, number, string | null, number | null, string | null];

function fill(args: unknown[], at: number, it: EnqueueItem, json: string, now: number): void {
  const e = it.event;
  args[at] = it.destinationId;
  args[at + 1] = json;
  args[at + 2] = now;
  args[at + 3] = now;
  args[at + 4] = e.event_id;
  args[at + 5] = e.event_time;
  args[at + 6] = e.action_source;
}

/** Sorted ids → flat [start0, end0, start1, end1, …] of runs of consecutive integers. */
function idRuns(sorted: readonly number[]): number[] {
  const runs: number[] = [];
  if (sorted.length === 0) return runs;
  let start = sorted[0]!;
  let prev = start;
  for (let i = 1; i < sorted.length; i++) {
    const id = sorted[i]!;
    if (id === prev || id === prev + 1) {
      prev = id;
      continue;
    }
    runs.push(start, prev);
    start = prev = id;
  }
  runs.push(start, prev);
  return runs;
}

interface Pending {
  items: readonly EnqueueItem[];
  /** Every item's JSON, serialised when the call arrived (before it joined the group commit). */
  json: string[];
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
 * Layout — the queue is a log read with a cursor, like a Kafka partition, so the common path writes each
 * event once and never updates it:
 * - `outbox` holds the event (≈1 KB JSON + head columns), appended by enqueue, deleted by ack/dead-letter.
 * - `outbox_cursor`: per destination, the first id not yet handed out. Rows at or after it are *fresh*
 *   (never claimed): claim reads them by id range and moves the cursor past them.
 * - `outbox_lease`: one row per claim of fresh rows (destination, first id, last id, expiry). When it
 *   expires, the range's rows that are still there and not rescheduled are copied into `outbox_queue`
 *   (due now), so an unacked claim is delivered again (at-least-once; Meta dedups by event_id).
 * - `outbox_queue`: the narrow state of rows that left the fresh path (retried, lease expired, or from
 *   older files): `available_at` (lease expiry or retry time), `attempts`, `leased`.
 * - `outbox_count`: rows per destination, kept in step in the same transactions (depth without a scan).
 * Claim takes due `outbox_queue` rows first, then fresh rows, in one `BEGIN IMMEDIATE` transaction, so
 * several processes on one file never hold the same row at once. Before this layout every event also got a
 * queue row at enqueue, an `UPDATE` at claim and a second delete at ack (see docs/performance-log.md).
 *
 * Only enqueue needs FULL. claim/ack/retryLater/deadLetter run with `synchronous=NORMAL` (no fsync of their
 * own): if a power cut loses one of them, the event is still in the outbox and is delivered again
 * (at-least-once) — never lost. The next FULL commit fsyncs the WAL including their frames.
 * Files of earlier versions (lease state in `outbox`, a queue row per event, pairing triggers) are migrated
 * on open: their rows stay in `outbox_queue`; only rows enqueued afterwards take the fresh path.
 */
/**
 * The database holds events with hashed contact data, IPs, user agents and fbp/fbc: owner-only (0600), also when
 * an older version created it 0644. SQLite creates -wal and -shm with the database file's mode, so creating
 * the file 0600 first covers them; existing ones are fixed too. New directories are 0700.
 */
function preparePrivateFiles(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  closeSync(openSync(path, 'a', 0o600));
  for (const f of [path, `${path}-wal`, `${path}-shm`, `${path}-journal`]) if (existsSync(f)) chmodSync(f, 0o600);
}

export class SqliteOutbox implements Outbox {
  readonly #db: Database.Database;
  readonly #maxDepth: number;
  readonly #now: () => number;
  #pending: Pending[] = [];
  #scheduled = false;
  #closed = false;
  /** Exact after every local change; refreshed from the table by depth(). */
  #count: number;

  /** Multi-row inserts: one statement per CHUNK events (and one for the 1-row remainder). */
  readonly #insertChunk: Database.Statement;
  readonly #insertOne: Database.Statement;
  readonly #fresh: Database.Statement;
  readonly #cursorGet: Database.Statement;
  readonly #cursorSet: Database.Statement;
  readonly #leaseInsert: Database.Statement;
  readonly #leasesExpired: Database.Statement;
  readonly #leasesAll: Database.Statement;
  readonly #leaseDelete: Database.Statement;
  readonly #requeueRange: Database.Statement;
  readonly #countAdd: Database.Statement;
  readonly #countSub: Database.Statement;
  /** The id the first enqueue of this layout got: below it, rows are queued in `outbox_queue` (migrated files). */
  readonly #freshFrom: number;
  readonly #args: unknown[] = new Array<unknown>(CHUNK * INSERT_COLS);
  readonly #oneArgs: unknown[] = new Array<unknown>(INSERT_COLS);
  readonly #payloadRange: Database.Statement;
  readonly #ackQueueRange: Database.Statement;
  readonly #ackOutboxRange: Database.Statement;
  readonly #ackQueueList: Database.Statement;
  readonly #deleteQueue: Database.Statement;
  readonly #claim: Database.Statement;
  readonly #payloads: Database.Statement;
  readonly #claimTx: { immediate: (dest: string, now: number, until: number, max: number) => Row[] };

  readonly #ackTx: (dest: string, ids: readonly string[]) => number;
  readonly #ack: Database.Statement;
  readonly #retry: Database.Statement;
  readonly #toDead: Database.Statement;
  readonly #delete: Database.Statement;
  readonly #countAll: Database.Statement;
  readonly #countDest: Database.Statement;
  readonly #syncNormal: Database.Statement;
  readonly #syncFull: Database.Statement;
  readonly #dead: SqliteDeadLetterBounds;
  /** `max_page_count` when `maxBytes` is set, else 0. */
  readonly #maxPages: number;
  readonly #pagesInUse: Database.Statement;
  /** The last write hit SQLITE_FULL (or the headroom) and nothing freed space since. */
  #storageFull = false;

  constructor(path: string, options: SqliteOutboxOptions = {}) {
    if (path !== ':memory:') preparePrivateFiles(path);
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
    this.#freshFrom = this.#migrateQueue();
    this.#dead = new SqliteDeadLetterBounds(this.#db, {
      maxCount: options.deadLetterMaxCount ?? DEFAULT_DEAD_LETTER_MAX_COUNT,
      maxBytes: options.deadLetterMaxBytes ?? DEFAULT_DEAD_LETTER_MAX_BYTES,
    });
    const pageSize = this.#db.pragma('page_size', { simple: true }) as number;
    // SQLite never sets the cap below the file's current size: read back what it took.
    this.#maxPages = options.maxBytes === undefined ? 0
      : this.#db.pragma(`max_page_count = ${Math.max(16, Math.floor(options.maxBytes / pageSize))}`, { simple: true }) as number;
    this.#pagesInUse = this.#db.prepare('SELECT (SELECT page_count FROM pragma_page_count()) - (SELECT freelist_count FROM pragma_freelist_count()) AS n').pluck(true);
    const insertSql = (rows: number) => `INSERT INTO outbox (destination_id, event, enqueued_at, available_at, event_id, event_time, action_source)
      VALUES ${Array.from({ length: rows }, () => '(?, ?, ?, ?, ?, ?, ?)').join(', ')}`;
    this.#insertChunk = this.#db.prepare(insertSql(CHUNK));
    this.#insertOne = this.#db.prepare(insertSql(1));
    this.#payloadRange = this.#db.prepare(`SELECT id, event, enqueued_at, event_id, event_time, action_source
      FROM outbox WHERE id BETWEEN ? AND ? ORDER BY id`).raw(true);
    this.#ackQueueRange = this.#db.prepare('DELETE FROM outbox_queue WHERE id BETWEEN ? AND ? AND +destination_id = ?');
    this.#ackOutboxRange = this.#db.prepare('DELETE FROM outbox WHERE id BETWEEN ? AND ? AND +destination_id = ?');
    this.#ackQueueList = this.#db.prepare('DELETE FROM outbox_queue WHERE id IN (SELECT value FROM json_each(?)) AND +destination_id = ?');
    this.#deleteQueue = this.#db.prepare('DELETE FROM outbox_queue WHERE destination_id = ? AND id = ?');
    this.#claim = this.#db.prepare(`
      UPDATE outbox_queue SET available_at = @until, leased = 1
      WHERE id IN (SELECT id FROM outbox_queue WHERE destination_id = @dest AND available_at <= @now ORDER BY available_at, id LIMIT @max)
      RETURNING id, attempts`);
    // raw(): arrays instead of one keyed object per row (the claim's largest allocation after the text).
    this.#payloads = this.#db.prepare(`SELECT id, event, enqueued_at, event_id, event_time, action_source
      FROM outbox WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id`).raw(true);
    // Fresh rows: at or after the destination's cursor, without a queue row (an older process's trigger may
    // have given a new row one: then it is claimed through the queue, not twice).
    this.#fresh = this.#db.prepare(`SELECT id, event, enqueued_at, event_id, event_time, action_source FROM outbox
      WHERE id >= ? AND +destination_id = ? AND NOT EXISTS (SELECT 1 FROM outbox_queue q WHERE q.id = outbox.id)
      ORDER BY id LIMIT ?`).raw(true);
    this.#cursorGet = this.#db.prepare('SELECT next_id FROM outbox_cursor WHERE destination_id = ?').pluck(true);
    this.#cursorSet = this.#db.prepare(`INSERT INTO outbox_cursor (destination_id, next_id) VALUES (?, ?)
      ON CONFLICT (destination_id) DO UPDATE SET next_id = max(next_id, excluded.next_id)`);
    this.#leaseInsert = this.#db.prepare('INSERT INTO outbox_lease (destination_id, first_id, last_id, until) VALUES (?, ?, ?, ?)');
    this.#leasesExpired = this.#db.prepare('SELECT id, destination_id, first_id, last_id FROM outbox_lease WHERE destination_id = ? AND until <= ?').raw(true);
    this.#leasesAll = this.#db.prepare('SELECT id, destination_id, first_id, last_id FROM outbox_lease').raw(true);
    this.#leaseDelete = this.#db.prepare('DELETE FROM outbox_lease WHERE id = ?');
    // OR IGNORE: rows of the range that were rescheduled (retryLater) keep their own state.
    this.#requeueRange = this.#db.prepare(`INSERT OR IGNORE INTO outbox_queue (id, destination_id, available_at, attempts, leased)
      SELECT id, destination_id, ?, 0, 0 FROM outbox WHERE id BETWEEN ? AND ? AND +destination_id = ?`);
    this.#countAdd = this.#db.prepare(`INSERT INTO outbox_count (destination_id, n) VALUES (?, ?)
      ON CONFLICT (destination_id) DO UPDATE SET n = n + excluded.n`);
    this.#countSub = this.#db.prepare('UPDATE outbox_count SET n = max(0, n - ?) WHERE destination_id = ?');
    const claimTx = this.#db.transaction((dest: string, now: number, until: number, max: number): Row[] => {
      this.#expireLeases(dest, now);
      const rows = this.#claimQueued(dest, now, until, max);
      const room = max - rows.length;
      if (room <= 0) return rows;
      const from = (this.#cursorGet.get(dest) as number | undefined) ?? this.#freshFrom;
      const fresh = this.#fresh.all(from, dest, room) as PayloadRow[];
      if (fresh.length === 0) return rows;
      const firstId = fresh[0]![0];
      const lastId = fresh[fresh.length - 1]![0];
      this.#leaseInsert.run(dest, firstId, lastId, until);
      this.#cursorSet.run(dest, lastId + 1);
      const queuedCount = rows.length;
      for (let i = 0; i < fresh.length; i++) {
        const [id, event, enqueuedAt, eventId, eventTime, actionSource] = fresh[i]!;
        rows.push({ id, destination_id: dest, event, enqueued_at: enqueuedAt, attempts: 0, event_id: eventId, event_time: eventTime, action_source: actionSource });
      }
      // FIFO across both sources (queued rows are mostly older, but not always).
      if (queuedCount > 0) rows.sort((a, b) => a.id - b.id);
      return rows;
    });
    this.#claimTx = claimTx;
    this.#ack = this.#db.prepare('DELETE FROM outbox WHERE id IN (SELECT value FROM json_each(?)) AND +destination_id = ?');
    // Both tables in one transaction (no trigger). Acked ids are mostly consecutive: a range delete per run.
    this.#ackTx = this.#db.transaction((dest: string, idStrings: readonly string[]): number => {
      const ids = new Array<number>(idStrings.length);
      for (let i = 0; i < ids.length; i++) ids[i] = Number(idStrings[i]);
      ids.sort((a, b) => a - b);
      const runs = idRuns(ids);
      let n = 0;
      if (runs.length > 2 * MAX_RUNS) {
        const list = JSON.stringify(ids);
        this.#ackQueueList.run(list, dest);
        n = this.#ack.run(list, dest).changes;
      } else {
        for (let r = 0; r < runs.length; r += 2) {
          this.#ackQueueRange.run(runs[r], runs[r + 1], dest);
          n += this.#ackOutboxRange.run(runs[r], runs[r + 1], dest).changes;
        }
      }
      if (n > 0) this.#countSub.run(n, dest);
      return n;
    });
    // A fresh row gets its queue row here (attempts 1); a queued one is updated.
    this.#retry = this.#db.prepare(`INSERT INTO outbox_queue (id, destination_id, available_at, attempts, leased)
      SELECT id, destination_id, ?, 1, 0 FROM outbox WHERE id IN (SELECT value FROM json_each(?)) AND +destination_id = ?
      ON CONFLICT (id) DO UPDATE SET available_at = excluded.available_at, attempts = outbox_queue.attempts + 1, leased = 0`);
    this.#toDead = this.#db.prepare(`INSERT INTO dead_letters (destination_id, event, error, attempts, enqueued_at, dead_lettered_at)
      SELECT o.destination_id, o.event, ?, coalesce(q.attempts, o.attempts), o.enqueued_at, ?
      FROM outbox o LEFT JOIN outbox_queue q ON q.id = o.id WHERE o.destination_id = ? AND o.id = ?
      RETURNING octet_length(event) + octet_length(error)`).pluck(true);
    this.#delete = this.#db.prepare('DELETE FROM outbox WHERE destination_id = ? AND id = ?');
    this.#countAll = this.#db.prepare('SELECT coalesce(sum(n), 0) AS n FROM outbox_count');
    this.#countDest = this.#db.prepare('SELECT coalesce(sum(n), 0) AS n FROM outbox_count WHERE destination_id = ?');
    this.#syncNormal = this.#db.prepare('PRAGMA synchronous = NORMAL');
    this.#syncFull = this.#db.prepare('PRAGMA synchronous = FULL');
    if (options.releaseLeasesOnOpen) {
      const now = this.#now();
      this.#db.transaction(() => {
        this.#db.prepare('UPDATE outbox_queue SET available_at = ?, leased = 0 WHERE leased = 1').run(now);
        this.#expireLeases(undefined, now);
        // Exact again even if another version wrote the file meanwhile (one scan, at start only).
        this.#db.exec(`DELETE FROM outbox_count;
          INSERT INTO outbox_count (destination_id, n) SELECT destination_id, count(*) FROM outbox GROUP BY destination_id`);
      }).immediate();
    }
    this.#count = (this.#countAll.get() as { n: number }).n;
  }

  /** Expired fresh-row leases (of `dest`, or every lease) → their remaining rows due in `outbox_queue` at `now`. */
  #expireLeases(dest: string | undefined, now: number): void {
    const expired = (dest === undefined ? this.#leasesAll.all() : this.#leasesExpired.all(dest, now)) as Array<[number, string, number, number]>;
    for (const [leaseId, d, firstId, lastId] of expired) {
      this.#requeueRange.run(now, firstId, lastId, d);
      this.#leaseDelete.run(leaseId);
    }
  }

  /** Leases due `outbox_queue` rows (retried, expired, migrated) and reads their payloads, in id order. */
  #claimQueued(dest: string, now: number, until: number, max: number): Row[] {
    const leases = this.#claim.all({ dest, now, until, max }) as Lease[];
    if (leases.length === 0) return [];
    leases.sort((a, b) => a.id - b.id);
    const ids = new Array<number>(leases.length);
    for (let i = 0; i < leases.length; i++) ids[i] = leases[i]!.id;
    // Claimed ids are mostly consecutive (FIFO): one range scan per run, the json_each list otherwise.
    const runs = idRuns(ids);
    let raw: PayloadRow[];
    if (runs.length <= 2 * MAX_RUNS) {
      raw = [];
      for (let r = 0; r < runs.length; r += 2) {
        const part = this.#payloadRange.all(runs[r], runs[r + 1]) as PayloadRow[];
        for (let k = 0; k < part.length; k++) raw.push(part[k]!);
      }
    } else {
      raw = this.#payloads.all(JSON.stringify(ids)) as PayloadRow[];
    }
    // Both in id order. A queue row without its event row (never expected: every write pairs them in one
    // transaction) is removed rather than leased again and again.
    if (raw.length < leases.length) {
      const have = new Set<number>();
      for (let i = 0; i < raw.length; i++) have.add(raw[i]![0]);
      for (const l of leases) if (!have.has(l.id)) this.#deleteQueue.run(dest, l.id);
    }
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
  }

  enqueue(items: readonly EnqueueItem[]): Promise<EnqueueResult> {
    if (this.#closed) return Promise.resolve({ ok: false, reason: 'outbox_unavailable', detail: 'outbox is closed' });
    if (items.length === 0) return Promise.resolve({ ok: true });
    const json = serialiseItems(items);
    if (!Array.isArray(json)) return Promise.resolve(json);
    return new Promise((resolve) => {
      this.#pending.push({ items, json, resolve });
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
    if (this.#maxPages > 0 && (this.#pagesInUse.get() as number) >= this.#maxPages * STORAGE_HEADROOM) {
      this.#storageFull = true;
      const detail = `sqlite: the outbox database is at ${Math.round(STORAGE_HEADROOM * 100)} % of its size cap (OUTBOX_MAX_BYTES); delivery frees space`;
      for (const p of batch) p.resolve({ ok: false, reason: 'storage_full', detail });
      return;
    }
    const now = this.#now();
    const results: EnqueueResult[] = [];
    let added = 0;
    let first = 0;
    let last = 0;
    try {
      this.#db.transaction(() => {
        for (const p of batch) {
          if (this.#count + added + p.items.length > this.#maxDepth) {
            results.push({ ok: false, reason: 'outbox_full', detail: `outbox holds ${this.#count + added} events (max ${this.#maxDepth})` });
            continue;
          }
          const [lo, hi] = this.#insertAll(p.items, p.json, now);
          if (first === 0) first = lo;
          last = hi;
          added += p.items.length;
          results.push({ ok: true });
        }
        if (added > 0) this.#countAdded(batch, results);
      })();
    } catch (e) {
      const full = (e as { code?: unknown }).code === 'SQLITE_FULL';
      if (full) this.#storageFull = true;
      for (const p of batch) p.resolve({ ok: false, reason: full ? 'storage_full' : 'outbox_unavailable', detail: `sqlite: ${(e as Error).message}` });
      return;
    }
    this.#storageFull = false;
    this.#count += added;
    batch.forEach((p, i) => p.resolve(results[i]!));
  }

  /** Adds the committed enqueues' rows to `outbox_count`, one statement per destination. */
  #countAdded(batch: readonly Pending[], results: readonly EnqueueResult[]): void {
    const perDest = new Map<string, number>();
    for (let b = 0; b < batch.length; b++) {
      if (!results[b]!.ok) continue;
      for (const it of batch[b]!.items) perDest.set(it.destinationId, (perDest.get(it.destinationId) ?? 0) + 1);
    }
    for (const [d, n] of perDest) this.#countAdd.run(d, n);
  }

  /**
   * Inserts the events with multi-row statements (CHUNK rows, then 1-row statements for the rest); returns
   * the first and last id. AUTOINCREMENT ids of one statement are consecutive and larger than every id
   * before (the transaction holds the write lock), so [first, last] is exactly these rows.
   */
  #insertAll(items: readonly EnqueueItem[], json: readonly string[], now: number): [number, number] {
    const args = this.#args;
    let first = 0;
    let last = 0;
    let i = 0;
    for (; i + CHUNK <= items.length; i += CHUNK) {
      for (let k = 0; k < CHUNK; k++) fill(args, k * INSERT_COLS, items[i + k]!, json[i + k]!, now);
      last = Number(this.#insertChunk.run(args).lastInsertRowid);
      if (first === 0) first = last - CHUNK + 1;
    }
    const one = this.#oneArgs;
    for (; i < items.length; i++) {
      fill(one, 0, items[i]!, json[i]!, now);
      last = Number(this.#insertOne.run(one).lastInsertRowid);
      if (first === 0) first = last;
    }
    return [first, last];
  }

  /**
   * Creates the delivery-state tables and migrates files of earlier versions, once: their rows (lease and
   * attempt state included) are queued in `outbox_queue` (copied from the wide row before the queue table
   * existed; rows an older process appended without a queue row are added), the pairing triggers are
   * dropped, and `fresh_from` is set after the last existing row, so only rows enqueued from now on take the
   * fresh path. Returns `fresh_from`. Downgrading is not supported: an older version would queue only the
   * fresh rows after the newest queued row (its migration above); the others would wait for this version.
   */
  #migrateQueue(): number {
    return this.#db.transaction((): number => {
      const queueExisted = this.#db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'outbox_queue'").get() !== undefined;
      this.#db.exec(`
        CREATE TABLE IF NOT EXISTS outbox_queue (
          id INTEGER PRIMARY KEY,
          destination_id TEXT NOT NULL,
          available_at INTEGER NOT NULL,
          attempts INTEGER NOT NULL DEFAULT 0,
          leased INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX IF NOT EXISTS outbox_queue_due ON outbox_queue (destination_id, available_at);
        CREATE TABLE IF NOT EXISTS outbox_cursor (destination_id TEXT PRIMARY KEY, next_id INTEGER NOT NULL) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS outbox_lease (
          id INTEGER PRIMARY KEY,
          destination_id TEXT NOT NULL,
          first_id INTEGER NOT NULL,
          last_id INTEGER NOT NULL,
          until INTEGER NOT NULL
        );
        CREATE INDEX IF NOT EXISTS outbox_lease_due ON outbox_lease (destination_id, until);
        CREATE TABLE IF NOT EXISTS outbox_count (destination_id TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS outbox_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
        DROP TRIGGER IF EXISTS outbox_queue_insert;
        DROP TRIGGER IF EXISTS outbox_queue_delete;
        DROP INDEX IF EXISTS outbox_due;
      `);
      const known = this.#db.prepare("SELECT value FROM outbox_meta WHERE key = 'fresh_from'").pluck(true).get() as number | undefined;
      if (known !== undefined) return known;
      if (!queueExisted) {
        this.#db.exec(`INSERT INTO outbox_queue (id, destination_id, available_at, attempts, leased)
          SELECT id, destination_id, available_at, attempts, leased FROM outbox`);
      } else {
        // Rows appended after the newest row that has its queue row (a backwards walk that stops there).
        this.#db.exec(`INSERT OR IGNORE INTO outbox_queue (id, destination_id, available_at, attempts, leased)
          SELECT id, destination_id, available_at, attempts, 0 FROM outbox
          WHERE id > coalesce((SELECT o.id FROM outbox o WHERE EXISTS (SELECT 1 FROM outbox_queue q WHERE q.id = o.id)
            ORDER BY o.id DESC LIMIT 1), 0)`);
      }
      this.#db.exec(`DELETE FROM outbox_count;
        INSERT INTO outbox_count (destination_id, n) SELECT destination_id, count(*) FROM outbox GROUP BY destination_id`);
      const freshFrom = ((this.#db.prepare('SELECT max(id) FROM outbox').pluck(true).get() as number | null) ?? 0) + 1;
      this.#db.prepare("INSERT INTO outbox_meta (key, value) VALUES ('fresh_from', ?)").run(freshFrom);
      return freshFrom;
    }).immediate();
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
    const rows = this.#relaxed(() => this.#claimTx.immediate(destinationId, now, now + leaseMs, Math.min(Math.max(1, max), 1000)));
    return rows.map(toEntry);
  }

  async ack(destinationId: string, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const n = this.#relaxed(() => this.#ackTx(destinationId, ids));
    this.#count = Math.max(0, this.#count - n);
    if (n > 0) this.#storageFull = false;
  }

  async retryLater(destinationId: string, ids: readonly string[], notBefore: number): Promise<void> {
    if (ids.length === 0) return;
    this.#relaxed(() => this.#retry.run(notBefore, JSON.stringify(ids.map(Number)), destinationId));
  }

  async deadLetter(destinationId: string, entries: ReadonlyArray<{ id: string; error: DeadLetterError }>): Promise<DeadLetterOutcome> {
    if (entries.length === 0) return { evicted: 0 };
    const now = this.#now();
    let moved = 0;
    let evicted = 0;
    this.#relaxed(() => this.#db.transaction(() => {
      let inserted = 0;
      let bytes = 0;
      for (const e of entries) {
        const b = this.#toDead.get(JSON.stringify(e.error), now, destinationId, Number(e.id)) as number | undefined;
        if (b !== undefined) {
          inserted++;
          bytes += b;
          this.#deleteQueue.run(destinationId, Number(e.id));
          moved += this.#delete.run(destinationId, Number(e.id)).changes;
        }
      }
      if (moved > 0) this.#countSub.run(moved, destinationId);
      this.#dead.added(destinationId, inserted, bytes);
      for (const n of this.#dead.evict().values()) evicted += n;
    })());
    this.#count = Math.max(0, this.#count - moved);
    if (moved > 0 || evicted > 0) this.#storageFull = false;
    return { evicted };
  }

  async status(destinationId?: string): Promise<OutboxStatus> {
    const t = this.#dead.totals(destinationId);
    const nearCap = this.#maxPages > 0 && (this.#pagesInUse.get() as number) >= this.#maxPages * STORAGE_HEADROOM;
    return { deadLetters: t.count, deadLetterBytes: t.bytes, storageFull: nearCap || this.#storageFull };
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
      const ins = this.#db.prepare(`INSERT INTO outbox (destination_id, event, enqueued_at, available_at)
        SELECT destination_id, event, ?, ? FROM dead_letters ${clause} ORDER BY id`).run(now, now, ...params);
      n = ins.changes;
      // The new rows are after every cursor: claimed as fresh rows, attempts 0.
      if (n > 0) {
        const perDest = this.#db.prepare(`SELECT destination_id, count(*), sum(octet_length(event) + octet_length(error)) FROM dead_letters ${clause}
          GROUP BY destination_id`).raw(true).all(...params) as Array<[string, number, number]>;
        for (const [d, k] of perDest) this.#countAdd.run(d, k);
        this.#dead.removed(perDest);
      }
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
