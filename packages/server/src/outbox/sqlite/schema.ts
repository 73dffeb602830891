import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

/**
 * Opens the outbox file (WAL, `synchronous=FULL`), creates or migrates its tables and returns the database
 * with `fresh_from`: the id the first enqueue of the cursor layout got (below it, rows are queued in
 * `outbox_queue`). The layout and its history: docs/sqlite-outbox.md.
 */
export function openOutboxDatabase(path: string): { db: Database.Database; freshFrom: number } {
  if (path !== ':memory:') preparePrivateFiles(path);
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  db.exec(`
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
  const cols = new Set((db.prepare('PRAGMA table_info(outbox)').all() as Array<{ name: string }>).map((c) => c.name));
  for (const [name, type] of [['event_id', 'TEXT'], ['event_time', 'INTEGER'], ['action_source', 'TEXT']] as const) {
    if (!cols.has(name)) db.exec(`ALTER TABLE outbox ADD COLUMN ${name} ${type}`);
  }
  return { db, freshFrom: migrateQueue(db) };
}

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

/** `outbox_count` rebuilt from the rows (one scan: at open only). Call inside a transaction. */
export function recount(db: Database.Database): void {
  db.exec(`DELETE FROM outbox_count;
    INSERT INTO outbox_count (destination_id, n) SELECT destination_id, count(*) FROM outbox GROUP BY destination_id`);
}

/**
 * Creates the delivery-state tables and migrates files of earlier versions, once: their rows (lease and
 * attempt state included) are queued in `outbox_queue` (copied from the wide row before the queue table
 * existed; rows an older process appended without a queue row are added), the pairing triggers are
 * dropped, and `fresh_from` is set after the last existing row, so only rows enqueued from now on take the
 * fresh path. Returns `fresh_from`. Downgrading is not supported: an older version would queue only the
 * fresh rows after the newest queued row (its migration above); the others would wait for this version.
 */
function migrateQueue(db: Database.Database): number {
  return db.transaction((): number => {
    const queueExisted = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'outbox_queue'").get() !== undefined;
    db.exec(`
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
    const known = db.prepare("SELECT value FROM outbox_meta WHERE key = 'fresh_from'").pluck(true).get() as number | undefined;
    if (known !== undefined) return known;
    if (!queueExisted) {
      db.exec(`INSERT INTO outbox_queue (id, destination_id, available_at, attempts, leased)
        SELECT id, destination_id, available_at, attempts, leased FROM outbox`);
    } else {
      // Rows appended after the newest row that has its queue row (a backwards walk that stops there).
      db.exec(`INSERT OR IGNORE INTO outbox_queue (id, destination_id, available_at, attempts, leased)
        SELECT id, destination_id, available_at, attempts, 0 FROM outbox
        WHERE id > coalesce((SELECT o.id FROM outbox o WHERE EXISTS (SELECT 1 FROM outbox_queue q WHERE q.id = o.id)
          ORDER BY o.id DESC LIMIT 1), 0)`);
    }
    recount(db);
    const freshFrom = ((db.prepare('SELECT max(id) FROM outbox').pluck(true).get() as number | null) ?? 0) + 1;
    db.prepare("INSERT INTO outbox_meta (key, value) VALUES ('fresh_from', ?)").run(freshFrom);
    return freshFrom;
  }).immediate();
}
