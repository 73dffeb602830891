import type {
  DeadLetter, DeadLetterError, DeadLetterOutcome, EnqueueItem, EnqueueResult, Outbox, OutboxEntry, OutboxStatus,
} from './types.js';
import { SupervisedWorker, type SupervisedWorkerOptions, type Unnumbered, type WorkerControl } from '../workers/supervised-worker.js';
import { LazyEntry } from './lazy-entry.js';
import type { SqliteOutboxOptions } from './sqlite.js';
import { serialiseItems } from './serialise.js';

/** Options of the threaded SQLite outbox: the worker's `SqliteOutbox` gets the same, minus `now`. */
export type ThreadedSqliteOutboxOptions = Omit<SqliteOutboxOptions, 'now'> & Pick<SupervisedWorkerOptions, 'logger' | 'restartDelayMs'>;

/** What the worker is started with (plain data). */
export type WorkerInit = Omit<SqliteOutboxOptions, 'now'> & { path: string };

/**
 * Wire format. Events cross the thread boundary as JSON text plus head fields in flat parallel arrays, so
 * the structured clone copies strings and numbers, not object graphs.
 */
export type Request =
  /** The enqueues of one main-thread turn: `counts[k]` items belong to caller k (answered one by one). */
  | { id: number; op: 'enqueue'; counts: number[]; dest: string[]; json: string[]; eventId: string[]; eventTime: number[]; actionSource: string[] }
  | { id: number; op: 'claim'; dest: string; max: number; leaseMs: number }
  | { id: number; op: 'ack'; dest: string; ids: readonly string[] }
  | { id: number; op: 'retryLater'; dest: string; ids: readonly string[]; notBefore: number }
  | { id: number; op: 'deadLetter'; dest: string; entries: ReadonlyArray<{ id: string; error: DeadLetterError }> }
  | { id: number; op: 'depth'; dest?: string }
  | { id: number; op: 'status'; dest?: string }
  | { id: number; op: 'listDeadLetters'; options: { destinationId?: string; limit?: number } }
  | { id: number; op: 'replayDeadLetters'; options: { destinationId?: string; ids?: readonly string[] } }
  | { id: number; op: 'close' };

/** Claimed entries, column-wise; a missing head is `null` in `eventId`. */
export interface ClaimedColumns {
  ids: string[];
  json: string[];
  enqueuedAt: number[];
  attempts: number[];
  eventId: Array<string | null>;
  eventTime: number[];
  actionSource: string[];
}

export type Reply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: string }
  | WorkerControl;

type EnqueueBatch = Omit<Extract<Request, { op: 'enqueue' }>, 'id' | 'op'> & { resolvers: Array<(r: EnqueueResult) => void> };

/**
 * The SQLite outbox on its own thread. better-sqlite3 is synchronous: inline, every enqueue `COMMIT`
 * (fsync), every claim and every ack blocks the HTTP event loop. Here a `worker_threads` Worker owns the
 * `SqliteOutbox` (same file, schema and durability) and every method is a message round-trip.
 *
 * Durability is unchanged: `enqueue` resolves `{ok:true}` only after the worker's `COMMIT` returned
 * (`synchronous=FULL`). Group commit happens in the worker: the enqueue messages that arrive in one turn of
 * its loop go into one transaction (`SqliteOutbox`'s own group commit).
 *
 * Failures never crash the main process: a worker error rejects the call (enqueue answers
 * `outbox_unavailable`); if the worker exits unexpectedly, every pending call fails, the exit is logged,
 * calls fail fast (so `/readyz` answers 503) and the worker is restarted with backoff (100 ms doubling to
 * 30 s). An enqueue whose reply was lost with the worker may have been committed: the client sees 503 and
 * retries — a duplicate Meta dedups by event_id, never a loss. Leases held by the dead worker's claims are
 * not released on restart (the in-flight batches may still be sent and acked); they expire by themselves.
 */
export class ThreadedSqliteOutbox implements Outbox {
  readonly #worker: SupervisedWorker<Request, Reply>;
  #closed = false;
  #closing: Promise<void> | undefined;
  #batch: EnqueueBatch | undefined;

  private constructor(worker: SupervisedWorker<Request, Reply>) {
    this.#worker = worker;
  }

  /** Starts the worker and waits until it opened the database (open errors reject here). */
  static async open(path: string, options: ThreadedSqliteOutboxOptions = {}): Promise<ThreadedSqliteOutbox> {
    const init: WorkerInit = { path, releaseLeasesOnOpen: options.releaseLeasesOnOpen ?? false };
    for (const k of ['maxDepth', 'deadLetterMaxCount', 'deadLetterMaxBytes', 'maxBytes'] as const) {
      if (options[k] !== undefined) init[k] = options[k];
    }
    const worker = new SupervisedWorker<Request, Reply>({
      callerUrl: import.meta.url, entry: 'sqlite-worker', name: 'outbox worker', workerData: init,
      // The dead worker's leases belong to batches this process may still ack: not released on restart.
      restartWorkerData: { ...init, releaseLeasesOnOpen: false },
      logger: options.logger, restartDelayMs: options.restartDelayMs,
    });
    await worker.start();
    return new ThreadedSqliteOutbox(worker);
  }

  /** Test hook: ends the worker as a crash would (the outbox sees an unexpected exit). */
  async killWorkerForTest(): Promise<void> {
    await this.#worker.kill();
  }

  /** Sends one request and settles with the worker's answer to it. */
  async #call<T>(op: Unnumbered<Request>): Promise<T> {
    if (this.#closed) throw new Error('outbox is closed');
    const reply = await this.#worker.call(op);
    if ('ok' in reply && reply.ok) return reply.value as T;
    throw new Error(`outbox: ${'error' in reply ? reply.error : 'unknown worker error'}`);
  }

  /**
   * Items are serialised now; the enqueues of this main-thread turn leave as ONE message (one structured
   * clone, one worker wake-up) and the worker commits them in one transaction, answering each caller.
   */
  enqueue(items: readonly EnqueueItem[]): Promise<EnqueueResult> {
    if (this.#closed) return Promise.resolve({ ok: false, reason: 'outbox_unavailable', detail: 'outbox is closed' });
    if (items.length === 0) return Promise.resolve({ ok: true });
    // Serialised before the shared batch is touched: a failure here fails this call only.
    const json = serialiseItems(items);
    if (!Array.isArray(json)) return Promise.resolve(json);
    const b = (this.#batch ??= { counts: [], dest: [], json: [], eventId: [], eventTime: [], actionSource: [], resolvers: [] });
    for (let i = 0; i < items.length; i++) {
      const it = items[i]!;
      const e = it.event;
      b.dest.push(it.destinationId);
      b.json.push(json[i]!);
      b.eventId.push(e.event_id);
      b.eventTime.push(e.event_time);
      b.actionSource.push(e.action_source);
    }
    b.counts.push(items.length);
    return new Promise<EnqueueResult>((resolve) => {
      b.resolvers.push(resolve);
      if (b.resolvers.length === 1) setImmediate(() => this.#flush());
    });
  }

  #flush(): void {
    const b = this.#batch;
    this.#batch = undefined;
    if (!b) return;
    const { resolvers, ...cols } = b;
    this.#call<EnqueueResult[]>({ op: 'enqueue', ...cols }).then(
      (results) => { for (let k = 0; k < resolvers.length; k++) resolvers[k]!(results[k]!); },
      (e: Error) => { for (const r of resolvers) r({ ok: false, reason: 'outbox_unavailable', detail: e.message }); },
    );
  }

  async claim(destinationId: string, max: number, leaseMs: number): Promise<OutboxEntry[]> {
    const c = await this.#call<ClaimedColumns>({ op: 'claim', dest: destinationId, max, leaseMs });
    const out = new Array<OutboxEntry>(c.ids.length);
    for (let i = 0; i < out.length; i++) {
      out[i] = new LazyEntry(c.ids[i]!, destinationId, c.json[i]!, c.enqueuedAt[i]!, c.attempts[i]!, c.eventId[i]!, c.eventTime[i]!, c.actionSource[i]!);
    }
    return out;
  }

  async ack(destinationId: string, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.#call({ op: 'ack', dest: destinationId, ids });
  }

  async retryLater(destinationId: string, ids: readonly string[], notBefore: number): Promise<void> {
    if (ids.length === 0) return;
    await this.#call({ op: 'retryLater', dest: destinationId, ids, notBefore });
  }

  async deadLetter(destinationId: string, entries: ReadonlyArray<{ id: string; error: DeadLetterError }>): Promise<DeadLetterOutcome> {
    if (entries.length === 0) return { evicted: 0 };
    return this.#call<DeadLetterOutcome>({ op: 'deadLetter', dest: destinationId, entries });
  }

  status(destinationId?: string): Promise<OutboxStatus> {
    return this.#call<OutboxStatus>(destinationId === undefined ? { op: 'status' } : { op: 'status', dest: destinationId });
  }

  depth(destinationId?: string): Promise<number> {
    return this.#call<number>(destinationId === undefined ? { op: 'depth' } : { op: 'depth', dest: destinationId });
  }

  listDeadLetters(options: { destinationId?: string; limit?: number } = {}): Promise<DeadLetter[]> {
    return this.#call<DeadLetter[]>({ op: 'listDeadLetters', options });
  }

  replayDeadLetters(options: { destinationId?: string; ids?: readonly string[] } = {}): Promise<number> {
    return this.#call<number>({ op: 'replayDeadLetters', options });
  }

  /** Messages are handled in order: everything sent before `close` (pending enqueues included) completes first. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#flush();
      try {
        await this.#call({ op: 'close' });
      } catch {
        // The worker is down or died meanwhile: nothing left to close.
      }
      this.#closed = true;
      await this.#worker.close();
    })();
    return this.#closing;
  }
}
