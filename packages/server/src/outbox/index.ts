import type { Outbox } from './types.js';
import { SqliteOutbox, type SqliteOutboxOptions } from './sqlite.js';
import { ThreadedSqliteOutbox } from './sqlite-thread.js';
import type { WorkerLogger } from '../workers/supervised-worker.js';
import { parseOutboxUrl } from './url.js';

/** The SQLite outbox's options; Redis reads maxDepth and the dead-letter bounds (per destination) from them too. */
export interface CreateOutboxOptions extends Omit<SqliteOutboxOptions, 'now'> {
  /**
   * SQLite: run the database on a worker thread (default true), so commits, claims and acks do not block
   * the HTTP event loop. `false` (config `OUTBOX_THREAD=false`) opens it inline.
   */
  thread?: boolean;
  /** Outbox-level failures (the SQLite worker's exits/restarts). */
  logger?: WorkerLogger;
}

type RedisModule = { createRedisOutbox(url: string, options: CreateOutboxOptions): Promise<Outbox> | Outbox };

/** `sqlite:<path>` → ThreadedSqliteOutbox (default) or SqliteOutbox (`thread: false`); `redis://…` → Redis Streams. */
export async function createOutbox(url: string, options: CreateOutboxOptions = {}): Promise<Outbox> {
  const target = parseOutboxUrl(url);
  if (target.kind === 'sqlite') {
    const { thread, logger, ...sqliteOptions } = options;
    if (thread === false) return new SqliteOutbox(target.path, sqliteOptions);
    return ThreadedSqliteOutbox.open(target.path, logger ? { ...sqliteOptions, logger } : sqliteOptions);
  }
  if (target.kind === 'redis') {
    // Loaded only when configured (ioredis stays out of SQLite-only processes).
    let mod: RedisModule;
    try {
      mod = await import('./redis.js');
    } catch (e) {
      throw new Error(`OUTBOX: the Redis backend is not available (${(e as Error).message})`);
    }
    return mod.createRedisOutbox(url, options);
  }
  throw new Error(`OUTBOX: ${target.problem}`);
}

export { SqliteOutbox, ThreadedSqliteOutbox };
