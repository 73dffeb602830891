import type Database from 'better-sqlite3';

/** Rows per multi-row INSERT (7 parameters each). */
export const CHUNK = 50;
export const INSERT_COLS = 7;

/** A payload read (`raw`): id, event JSON, enqueued_at, and the head columns. */
export type PayloadRow = [number, string, number, string | null, number | null, string | null];

const insertSql = (rows: number) => `INSERT INTO outbox (destination_id, event, enqueued_at, available_at, event_id, event_time, action_source)
  VALUES ${Array.from({ length: rows }, () => '(?, ?, ?, ?, ?, ?, ?)').join(', ')}`;
const payload = 'SELECT id, event, enqueued_at, event_id, event_time, action_source FROM outbox';

/**
 * Every statement of the hot paths, as data: its SQL and how it returns rows. `raw` statements return
 * arrays instead of one keyed object per row (a claim's largest allocation after the event text); `pluck`
 * ones the first column. `+destination_id` keeps SQLite on the primary key where an id range or list
 * already selects the rows.
 */
const SQL = {
  insertChunk: [insertSql(CHUNK)],
  insertOne: [insertSql(1)],
  payloadRange: [`${payload} WHERE id BETWEEN ? AND ? ORDER BY id`, 'raw'],
  payloadList: [`${payload} WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id`, 'raw'],
  // Fresh rows: at or after the destination's cursor, without a queue row (an older process's trigger may
  // have given a new row one: then it is claimed through the queue, not twice).
  fresh: [`${payload} WHERE id >= ? AND +destination_id = ?
    AND NOT EXISTS (SELECT 1 FROM outbox_queue q WHERE q.id = outbox.id) ORDER BY id LIMIT ?`, 'raw'],
  claimQueued: [`UPDATE outbox_queue SET available_at = @until, leased = 1
    WHERE id IN (SELECT id FROM outbox_queue WHERE destination_id = @dest AND available_at <= @now ORDER BY available_at, id LIMIT @max)
    RETURNING id, attempts`],
  cursorGet: ['SELECT next_id FROM outbox_cursor WHERE destination_id = ?', 'pluck'],
  cursorSet: [`INSERT INTO outbox_cursor (destination_id, next_id) VALUES (?, ?)
    ON CONFLICT (destination_id) DO UPDATE SET next_id = max(next_id, excluded.next_id)`],
  leaseInsert: ['INSERT INTO outbox_lease (destination_id, first_id, last_id, until) VALUES (?, ?, ?, ?)'],
  leasesExpired: ['SELECT id, destination_id, first_id, last_id FROM outbox_lease WHERE destination_id = ? AND until <= ?', 'raw'],
  leasesAll: ['SELECT id, destination_id, first_id, last_id FROM outbox_lease', 'raw'],
  leaseDelete: ['DELETE FROM outbox_lease WHERE id = ?'],
  // OR IGNORE: rows of the range that were rescheduled (retryLater) keep their own state.
  requeueRange: [`INSERT OR IGNORE INTO outbox_queue (id, destination_id, available_at, attempts, leased)
    SELECT id, destination_id, ?, 0, 0 FROM outbox WHERE id BETWEEN ? AND ? AND +destination_id = ?`],
  releaseQueued: ['UPDATE outbox_queue SET available_at = ?, leased = 0 WHERE leased = 1'],
  ackQueueRange: ['DELETE FROM outbox_queue WHERE id BETWEEN ? AND ? AND +destination_id = ?'],
  ackOutboxRange: ['DELETE FROM outbox WHERE id BETWEEN ? AND ? AND +destination_id = ?'],
  ackQueueList: ['DELETE FROM outbox_queue WHERE id IN (SELECT value FROM json_each(?)) AND +destination_id = ?'],
  ackOutboxList: ['DELETE FROM outbox WHERE id IN (SELECT value FROM json_each(?)) AND +destination_id = ?'],
  // A fresh row gets its queue row here (attempts 1); a queued one is updated.
  retry: [`INSERT INTO outbox_queue (id, destination_id, available_at, attempts, leased)
    SELECT id, destination_id, ?, 1, 0 FROM outbox WHERE id IN (SELECT value FROM json_each(?)) AND +destination_id = ?
    ON CONFLICT (id) DO UPDATE SET available_at = excluded.available_at, attempts = outbox_queue.attempts + 1, leased = 0`],
  toDead: [`INSERT INTO dead_letters (destination_id, event, error, attempts, enqueued_at, dead_lettered_at)
    SELECT o.destination_id, o.event, ?, coalesce(q.attempts, o.attempts), o.enqueued_at, ?
    FROM outbox o LEFT JOIN outbox_queue q ON q.id = o.id WHERE o.destination_id = ? AND o.id = ?
    RETURNING octet_length(event) + octet_length(error)`, 'pluck'],
  deleteQueue: ['DELETE FROM outbox_queue WHERE destination_id = ? AND id = ?'],
  deleteOutbox: ['DELETE FROM outbox WHERE destination_id = ? AND id = ?'],
  countAdd: [`INSERT INTO outbox_count (destination_id, n) VALUES (?, ?)
    ON CONFLICT (destination_id) DO UPDATE SET n = n + excluded.n`],
  countSub: ['UPDATE outbox_count SET n = max(0, n - ?) WHERE destination_id = ?'],
  countAll: ['SELECT coalesce(sum(n), 0) FROM outbox_count', 'pluck'],
  countDest: ['SELECT coalesce(sum(n), 0) FROM outbox_count WHERE destination_id = ?', 'pluck'],
  pagesInUse: ['SELECT (SELECT page_count FROM pragma_page_count()) - (SELECT freelist_count FROM pragma_freelist_count()) AS n', 'pluck'],
  syncNormal: ['PRAGMA synchronous = NORMAL'],
  syncFull: ['PRAGMA synchronous = FULL'],
} satisfies Record<string, readonly [string, ('raw' | 'pluck')?]>;

export type Statements = { readonly [K in keyof typeof SQL]: Database.Statement };

/** Prepares every statement once, when the outbox opens. */
export function prepareStatements(db: Database.Database): Statements {
  const out: Record<string, Database.Statement> = {};
  for (const [name, [sql, mode]] of Object.entries(SQL) as Array<[string, readonly [string, ('raw' | 'pluck')?]]>) {
    const st = db.prepare(sql);
    out[name] = mode === 'raw' ? st.raw(true) : mode === 'pluck' ? st.pluck(true) : st;
  }
  // A literal copy: the keyed stores above leave `out` as a hash map; the copy gets fast, cached property reads.
  return { ...out } as Statements;
}
