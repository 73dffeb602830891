import type { Outbox } from './types.js';
import { SqliteOutbox } from './sqlite.js';

export interface CreateOutboxOptions {
  /** Entries beyond which enqueue answers `outbox_full`. */
  maxDepth?: number;
  /** SQLite: release leases left by a previous (dead) run of the owning server. */
  releaseLeasesOnOpen?: boolean;
}

type RedisModule = { createRedisOutbox(url: string, options: CreateOutboxOptions): Promise<Outbox> | Outbox };

/** `sqlite:<path>` → SqliteOutbox; `redis://…` → the Redis Streams backend (loaded only when used). */
export async function createOutbox(url: string, options: CreateOutboxOptions = {}): Promise<Outbox> {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    return new SqliteOutbox(path, options);
  }
  if (url.startsWith('redis://') || url.startsWith('rediss://')) {
    // A variable specifier keeps this file compiling while the Redis backend is optional.
    const spec = './redis.js';
    let mod: RedisModule;
    try {
      mod = (await import(spec)) as RedisModule;
    } catch (e) {
      throw new Error(`OUTBOX: the Redis backend is not available (${(e as Error).message})`);
    }
    return mod.createRedisOutbox(url, options);
  }
  throw new Error(`OUTBOX: expected sqlite:<path> or redis://host:port[/db], got ${JSON.stringify(url)}`);
}

export { SqliteOutbox };
