import type Database from 'better-sqlite3';
import { serialiseItems } from '../serialise.js';
import type { EnqueueItem, EnqueueResult } from '../types.js';
import { CHUNK, INSERT_COLS, type Statements } from './statements.js';

/** Share of `maxBytes` above which enqueue answers `storage_full` (the rest is delivery's headroom). */
const STORAGE_HEADROOM = 0.95;

/** What the outbox and its group commit both change: the row count and the storage state. */
export interface OutboxCounters {
  /** Exact after every local change; refreshed from `outbox_count` by depth(). */
  count: number;
  /** The last write hit SQLITE_FULL (or the headroom) and nothing freed space since. */
  storageFull: boolean;
}

/** `maxPages`: `max_page_count` when a size cap is set, else 0. */
type CommitLimits = { maxDepth: number; now: () => number; maxPages: number };

interface Pending {
  items: readonly EnqueueItem[];
  /** Every item's JSON, serialised when the call arrived (before it joined the group commit). */
  json: string[];
  resolve: (r: EnqueueResult) => void;
}

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

/**
 * Group commit: the enqueues of one event-loop turn go into one transaction, one fsync
 * (`synchronous=FULL`), and each caller's promise resolves only after that commit returned, with its own
 * answer (a call that would pass `maxDepth` is refused alone).
 */
export class GroupCommit {
  readonly #db: Database.Database;
  readonly #s: Statements;
  readonly #counters: OutboxCounters;
  readonly #opts: CommitLimits;
  readonly #args: unknown[] = new Array<unknown>(CHUNK * INSERT_COLS);
  readonly #oneArgs: unknown[] = new Array<unknown>(INSERT_COLS);
  #pending: Pending[] = [];
  #scheduled = false;

  constructor(db: Database.Database, statements: Statements, counters: OutboxCounters, options: CommitLimits) {
    this.#db = db;
    this.#s = statements;
    this.#counters = counters;
    this.#opts = options;
  }

  /** Serialises now (a bad item fails this call only), then joins this turn's commit. `items` is not empty. */
  enqueue(items: readonly EnqueueItem[]): Promise<EnqueueResult> {
    const json = serialiseItems(items);
    if (!Array.isArray(json)) return Promise.resolve(json);
    return new Promise((resolve) => {
      this.#pending.push({ items, json, resolve });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Above the storage headroom of the size cap (never with no cap). */
  nearCap(): boolean {
    return this.#opts.maxPages > 0 && (this.#s.pagesInUse.get() as number) >= this.#opts.maxPages * STORAGE_HEADROOM;
  }

  /** Commits every pending enqueue now (also called by close). */
  flush(): void {
    this.#scheduled = false;
    const batch = this.#pending;
    this.#pending = [];
    if (batch.length === 0) return;
    const c = this.#counters;
    if (this.nearCap()) {
      c.storageFull = true;
      const detail = `sqlite: the outbox database is at ${Math.round(STORAGE_HEADROOM * 100)} % of its size cap (OUTBOX_MAX_BYTES); delivery frees space`;
      for (const p of batch) p.resolve({ ok: false, reason: 'storage_full', detail });
      return;
    }
    const now = this.#opts.now();
    const max = this.#opts.maxDepth;
    const results: EnqueueResult[] = [];
    let added = 0;
    try {
      this.#db.transaction(() => {
        for (const p of batch) {
          if (c.count + added + p.items.length > max) {
            results.push({ ok: false, reason: 'outbox_full', detail: `outbox holds ${c.count + added} events (max ${max})` });
            continue;
          }
          this.#insertAll(p.items, p.json, now);
          added += p.items.length;
          results.push({ ok: true });
        }
        if (added > 0) this.#countAdded(batch, results);
      })();
    } catch (e) {
      const full = (e as { code?: unknown }).code === 'SQLITE_FULL';
      if (full) c.storageFull = true;
      for (const p of batch) p.resolve({ ok: false, reason: full ? 'storage_full' : 'outbox_unavailable', detail: `sqlite: ${(e as Error).message}` });
      return;
    }
    c.storageFull = false;
    c.count += added;
    batch.forEach((p, i) => p.resolve(results[i]!));
  }

  /** Adds the committed enqueues' rows to `outbox_count`, one statement per destination. */
  #countAdded(batch: readonly Pending[], results: readonly EnqueueResult[]): void {
    const perDest = new Map<string, number>();
    for (let b = 0; b < batch.length; b++) {
      if (!results[b]!.ok) continue;
      for (const it of batch[b]!.items) perDest.set(it.destinationId, (perDest.get(it.destinationId) ?? 0) + 1);
    }
    for (const [d, n] of perDest) this.#s.countAdd.run(d, n);
  }

  /** Inserts the events with multi-row statements: CHUNK rows each, then 1-row statements for the rest. */
  #insertAll(items: readonly EnqueueItem[], json: readonly string[], now: number): void {
    const args = this.#args;
    let i = 0;
    for (; i + CHUNK <= items.length; i += CHUNK) {
      for (let k = 0; k < CHUNK; k++) fill(args, k * INSERT_COLS, items[i + k]!, json[i + k]!, now);
      this.#s.insertChunk.run(args);
    }
    const one = this.#oneArgs;
    for (; i < items.length; i++) {
      fill(one, 0, items[i]!, json[i]!, now);
      this.#s.insertOne.run(one);
    }
  }
}
