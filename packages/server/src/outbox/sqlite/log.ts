import type Database from 'better-sqlite3';
import { LazyEntry } from '../lazy-entry.js';
import type { OutboxEntry } from '../types.js';
import { recount } from './schema.js';
import type { PayloadRow, Statements } from './statements.js';

/** Above this many runs of consecutive ids, claim/ack use one json_each list instead of range statements. */
const MAX_RUNS = 8;

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

function entry(dest: string, r: PayloadRow, attempts: number): OutboxEntry {
  return new LazyEntry(String(r[0]), dest, r[1], r[2], attempts, r[3], r[4], r[5]);
}

/**
 * The outbox read as a log: a cursor per destination over fresh rows, one lease row per claimed range, and
 * `outbox_queue` for rows that left that path (retried, lease expired, migrated). Every method runs inside
 * one transaction (claims `BEGIN IMMEDIATE`, so processes sharing the file never hold the same row).
 * docs/sqlite-outbox.md has the layout.
 */
export class OutboxLog {
  readonly #db: Database.Database;
  readonly #s: Statements;
  readonly #freshFrom: number;
  readonly #claimTx: { immediate: (dest: string, now: number, until: number, max: number) => OutboxEntry[] };
  readonly #ackTx: (dest: string, ids: readonly string[]) => number;

  constructor(db: Database.Database, statements: Statements, freshFrom: number) {
    this.#db = db;
    this.#s = statements;
    this.#freshFrom = freshFrom;
    this.#claimTx = db.transaction((dest: string, now: number, until: number, max: number) => this.#claim(dest, now, until, max));
    this.#ackTx = db.transaction((dest: string, ids: readonly string[]) => this.#ack(dest, ids));
  }

  /** Leases up to `max` due entries of `dest` until `until`: queued rows first, then fresh ones, in id order. */
  claim(dest: string, now: number, until: number, max: number): OutboxEntry[] {
    return this.#claimTx.immediate(dest, now, until, max);
  }

  /** Deletes the rows (both tables) and returns how many event rows went. */
  ack(dest: string, ids: readonly string[]): number {
    return this.#ackTx(dest, ids);
  }

  retryLater(dest: string, ids: readonly string[], notBefore: number): void {
    this.#s.retry.run(notBefore, JSON.stringify(ids.map(Number)), dest);
  }

  /** At the owning server's start: every lease (queued or fresh range) is due now; the counts are rebuilt. */
  releaseAll(now: number): void {
    this.#db.transaction(() => {
      this.#s.releaseQueued.run(now);
      this.#expireLeases(undefined, now);
      // Exact again even if another version wrote the file meanwhile (one scan, at start only).
      recount(this.#db);
    }).immediate();
  }

  #claim(dest: string, now: number, until: number, max: number): OutboxEntry[] {
    const s = this.#s;
    this.#expireLeases(dest, now);
    const queued = this.#claimQueued(dest, now, until, max);
    const room = max - queued.rows.length;
    const fresh = room <= 0 ? [] : (s.fresh.all((s.cursorGet.get(dest) as number | undefined) ?? this.#freshFrom, dest, room) as PayloadRow[]);
    if (fresh.length > 0) {
      const lastId = fresh[fresh.length - 1]![0];
      s.leaseInsert.run(dest, fresh[0]![0], lastId, until);
      s.cursorSet.run(dest, lastId + 1);
    }
    // FIFO across both sources (each in id order; queued rows are mostly older, but not always).
    const out = new Array<OutboxEntry>(queued.rows.length + fresh.length);
    let q = 0;
    let f = 0;
    for (let k = 0; k < out.length; k++) {
      if (f >= fresh.length || (q < queued.rows.length && queued.rows[q]![0] < fresh[f]![0])) {
        out[k] = entry(dest, queued.rows[q]!, queued.attempts[q]!);
        q++;
      } else {
        out[k] = entry(dest, fresh[f++]!, 0);
      }
    }
    return out;
  }

  /** Expired fresh-row leases (of `dest`, or every lease) → their remaining rows due in `outbox_queue` at `now`. */
  #expireLeases(dest: string | undefined, now: number): void {
    const s = this.#s;
    const expired = (dest === undefined ? s.leasesAll.all() : s.leasesExpired.all(dest, now)) as Array<[number, string, number, number]>;
    for (const [leaseId, d, firstId, lastId] of expired) {
      s.requeueRange.run(now, firstId, lastId, d);
      s.leaseDelete.run(leaseId);
    }
  }

  /** Leases due `outbox_queue` rows and reads their payloads; both in id order, attempts alongside. */
  #claimQueued(dest: string, now: number, until: number, max: number): { rows: PayloadRow[]; attempts: number[] } {
    const s = this.#s;
    const leases = s.claimQueued.all({ dest, now, until, max }) as Array<{ id: number; attempts: number }>;
    if (leases.length === 0) return { rows: [], attempts: [] };
    leases.sort((a, b) => a.id - b.id);
    const ids = new Array<number>(leases.length);
    for (let i = 0; i < leases.length; i++) ids[i] = leases[i]!.id;
    // Claimed ids are mostly consecutive (FIFO): one range scan per run, the json_each list otherwise.
    const runs = idRuns(ids);
    let rows: PayloadRow[];
    if (runs.length <= 2 * MAX_RUNS) {
      rows = [];
      for (let r = 0; r < runs.length; r += 2) {
        const part = s.payloadRange.all(runs[r], runs[r + 1]) as PayloadRow[];
        for (let k = 0; k < part.length; k++) rows.push(part[k]!);
      }
    } else {
      rows = s.payloadList.all(JSON.stringify(ids)) as PayloadRow[];
    }
    // A queue row without its event row (never expected: every write pairs them in one transaction) is
    // removed rather than leased again and again.
    if (rows.length < leases.length) {
      const have = new Set<number>();
      for (let i = 0; i < rows.length; i++) have.add(rows[i]![0]);
      for (const l of leases) if (!have.has(l.id)) s.deleteQueue.run(dest, l.id);
    }
    const attempts = new Array<number>(rows.length);
    let j = 0;
    for (let i = 0; i < rows.length; i++) {
      const id = rows[i]![0];
      while (j < leases.length && leases[j]!.id < id) j++;
      attempts[i] = leases[j]?.id === id ? leases[j]!.attempts : 0;
    }
    return { rows, attempts };
  }

  /** Both tables in one transaction (no trigger). Acked ids are mostly consecutive: a range delete per run. */
  #ack(dest: string, idStrings: readonly string[]): number {
    const s = this.#s;
    const ids = new Array<number>(idStrings.length);
    for (let i = 0; i < ids.length; i++) ids[i] = Number(idStrings[i]);
    ids.sort((a, b) => a - b);
    const runs = idRuns(ids);
    let n = 0;
    if (runs.length > 2 * MAX_RUNS) {
      const list = JSON.stringify(ids);
      s.ackQueueList.run(list, dest);
      n = s.ackOutboxList.run(list, dest).changes;
    } else {
      for (let r = 0; r < runs.length; r += 2) {
        s.ackQueueRange.run(runs[r], runs[r + 1], dest);
        n += s.ackOutboxRange.run(runs[r], runs[r + 1], dest).changes;
      }
    }
    if (n > 0) s.countSub.run(n, dest);
    return n;
  }
}
