import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CapiServerEvent } from '../mapping/types.js';
import { SqliteOutbox } from './sqlite.js';

const ev = (id: string): CapiServerEvent => ({ event_name: 'Purchase', event_time: 1_700_000_000, event_id: id, action_source: 'website', user_data: { em: ['x'] } });
const open: SqliteOutbox[] = [];
afterEach(async () => {
  while (open.length) await open.pop()!.close();
});

/** The `outbox` table as every earlier layout created it (the event row with its own lease columns). */
const OLD_OUTBOX_TABLE = `CREATE TABLE outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, destination_id TEXT NOT NULL, event TEXT NOT NULL,
  enqueued_at INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, available_at INTEGER NOT NULL, leased INTEGER NOT NULL DEFAULT 0,
  event_id TEXT, event_time INTEGER, action_source TEXT)`;

function make(opts: ConstructorParameters<typeof SqliteOutbox>[1] = {}, path = join(mkdtempSync(join(tmpdir(), 'outbox-')), 'o.db')): { o: SqliteOutbox; path: string; clock: { t: number } } {
  const clock = { t: 1_000_000 };
  const o = new SqliteOutbox(path, { now: () => clock.t, ...opts });
  open.push(o);
  return { o, path, clock };
}

describe('SqliteOutbox', () => {
  it('enqueue → claim (leased, invisible) → ack removes', async () => {
    const { o } = make();
    expect(await o.enqueue([{ destinationId: 'd', event: ev('a') }, { destinationId: 'd', event: ev('b') }, { destinationId: 'e', event: ev('c') }])).toEqual({ ok: true });
    expect(await o.depth()).toBe(3);
    expect(await o.depth('d')).toBe(2);
    const c = await o.claim('d', 10, 1000);
    expect(c.map((x) => x.event.event_id)).toEqual(['a', 'b']);
    expect(c[0]!.attempts).toBe(0);
    expect(await o.claim('d', 10, 1000)).toEqual([]);
    await o.ack('d', c.map((x) => x.id));
    expect(await o.depth('d')).toBe(0);
    expect(await o.depth()).toBe(1);
  });

  it('an expired lease makes entries claimable again; retryLater delays and counts attempts', async () => {
    const { o, clock } = make();
    await o.enqueue([{ destinationId: 'd', event: ev('a') }]);
    const [a] = await o.claim('d', 1, 500);
    clock.t += 501;
    const again = await o.claim('d', 1, 500);
    expect(again[0]!.id).toBe(a!.id);
    await o.retryLater('d', [a!.id], clock.t + 10_000);
    expect(await o.claim('d', 1, 500)).toEqual([]);
    clock.t += 10_000;
    const third = await o.claim('d', 1, 500);
    expect(third[0]!.attempts).toBe(1);
  });

  it('claims at most `max` in FIFO order', async () => {
    const { o } = make();
    await o.enqueue(Array.from({ length: 25 }, (_, i) => ({ destinationId: 'd', event: ev(`e${i}`) })));
    const c = await o.claim('d', 10, 1000);
    expect(c.map((x) => x.event.event_id)).toEqual(Array.from({ length: 10 }, (_, i) => `e${i}`));
  });

  it('bounded: beyond maxDepth enqueue answers outbox_full, all or nothing', async () => {
    const { o } = make({ maxDepth: 3 });
    expect((await o.enqueue([{ destinationId: 'd', event: ev('a') }, { destinationId: 'd', event: ev('b') }])).ok).toBe(true);
    const r = await o.enqueue([{ destinationId: 'd', event: ev('c') }, { destinationId: 'd', event: ev('d') }]);
    expect(r).toMatchObject({ ok: false, reason: 'outbox_full' });
    expect(await o.depth()).toBe(2);
  });

  it('concurrent enqueues are group-committed and all resolve', async () => {
    const { o } = make();
    const rs = await Promise.all(Array.from({ length: 100 }, (_, i) => o.enqueue([{ destinationId: 'd', event: ev(`g${i}`) }])));
    expect(rs.every((r) => r.ok)).toBe(true);
    expect(await o.depth('d')).toBe(100);
  });

  it('dead letters keep Meta\'s error; replay re-queues with attempts reset', async () => {
    const { o } = make();
    await o.enqueue([{ destinationId: 'd', event: ev('a') }, { destinationId: 'd', event: ev('b') }]);
    const c = await o.claim('d', 2, 1000);
    await o.deadLetter('d', [{ id: c[0]!.id, error: { reason: 'meta_rejected', httpStatus: 400, code: 100, errorSubcode: 2804003, errorUserTitle: 'Too old', fbtraceId: 'F' } }]);
    expect(await o.depth('d')).toBe(1);
    const dl = await o.listDeadLetters();
    expect(dl).toHaveLength(1);
    expect(dl[0]).toMatchObject({ destinationId: 'd', event: { event_id: 'a' }, error: { reason: 'meta_rejected', errorUserTitle: 'Too old', fbtraceId: 'F' } });
    expect(await o.listDeadLetters({ destinationId: 'other' })).toHaveLength(0);
    expect(await o.replayDeadLetters({ ids: [dl[0]!.id] })).toBe(1);
    expect(await o.listDeadLetters()).toHaveLength(0);
    const again = await o.claim('d', 10, 1000);
    expect(again.map((x) => x.event.event_id).sort()).toEqual(['a']);
    expect(again[0]!.attempts).toBe(0);
  });

  it('survives reopening: what enqueue acknowledged is there; leases of a dead run are released on open', async () => {
    const { o, path } = make();
    await o.enqueue([{ destinationId: 'd', event: ev('a') }, { destinationId: 'd', event: ev('b') }]);
    await o.claim('d', 1, 3_600_000);
    await o.close();
    open.pop();
    const reopened = make({ releaseLeasesOnOpen: true }, path).o;
    expect(await reopened.depth()).toBe(2);
    expect((await reopened.claim('d', 10, 1000)).map((x) => x.event.event_id)).toEqual(['a', 'b']);
  });

  it('refuses enqueue after close', async () => {
    const { o } = make();
    await o.close();
    open.pop();
    expect(await o.enqueue([{ destinationId: 'd', event: ev('a') }])).toMatchObject({ ok: false, reason: 'outbox_unavailable' });
  });

  it('claim returns the stored JSON and the head (no parse needed); files without head columns are migrated', async () => {
    const { o } = make();
    await o.enqueue([{ destinationId: 'd', event: ev('h1') }]);
    const [e] = await o.claim('d', 10, 1000);
    expect(e!.head).toEqual({ event_id: 'h1', event_time: 1_700_000_000, action_source: 'website' });
    expect(JSON.parse(e!.json!)).toEqual(ev('h1'));
    expect(e!.event).toEqual(ev('h1'));

    // A file written before the head columns existed: opened, migrated, its old rows still delivered.
    const path = join(mkdtempSync(join(tmpdir(), 'outbox-old-')), 'o.db');
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(path);
    db.exec(`CREATE TABLE outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, destination_id TEXT NOT NULL, event TEXT NOT NULL,
      enqueued_at INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, available_at INTEGER NOT NULL, leased INTEGER NOT NULL DEFAULT 0)`);
    db.prepare('INSERT INTO outbox (destination_id, event, enqueued_at, available_at) VALUES (?, ?, 0, 0)').run('d', JSON.stringify(ev('old')));
    db.close();
    const { o: o2 } = make({}, path);
    await o2.enqueue([{ destinationId: 'd', event: ev('new') }]);
    const got = await o2.claim('d', 10, 1000);
    expect(got.map((x) => x.event.event_id)).toEqual(['old', 'new']);
    expect(got[0]!.head).toBeUndefined();
    expect(got[1]!.head?.event_id).toBe('new');
    await o2.ack('d', got.map((x) => x.id));
    expect(await o2.depth()).toBe(0);
  });
  it('files from before the queue table: rows, attempts and leases carry over, copied once', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'outbox-preq-')), 'o.db');
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(path);
    // The previous layout: lease state in the row with the event, the due index on that table.
    db.exec(`${OLD_OUTBOX_TABLE}; CREATE INDEX outbox_due ON outbox (destination_id, available_at);`);
    const ins = db.prepare('INSERT INTO outbox (destination_id, event, enqueued_at, attempts, available_at, leased, event_id, event_time, action_source) VALUES (?, ?, 0, ?, ?, ?, ?, 1700000000, ?)');
    ins.run('d', JSON.stringify(ev('due')), 2, 0, 0, 'due', 'website');
    ins.run('d', JSON.stringify(ev('later')), 1, 5_000_000, 0, 'later', 'website');
    ins.run('d', JSON.stringify(ev('leased')), 0, 4_000_000, 1, 'leased', 'website');
    db.close();

    const { o, clock } = make({}, path);
    expect(await o.depth('d')).toBe(3);
    const first = await o.claim('d', 10, 60_000_000);
    expect(first.map((x) => [x.event.event_id, x.attempts])).toEqual([['due', 2]]);
    clock.t = 5_000_000;
    const rest = await o.claim('d', 10, 1000);
    expect(rest.map((x) => [x.event.event_id, x.attempts])).toEqual([['later', 1], ['leased', 0]]);
    await o.retryLater('d', [rest[1]!.id], 0);
    await o.deadLetter('d', [{ id: rest[0]!.id, error: { reason: 'retries_exhausted' } }]);
    expect((await o.listDeadLetters())[0]).toMatchObject({ attempts: 1, event: { event_id: 'later' } });
    const again = await o.claim('d', 10, 1000);
    expect(again.map((x) => [x.event.event_id, x.attempts])).toEqual([['leased', 1]]);
    await o.ack('d', [...first, ...again].map((x) => x.id));
    expect(await o.depth()).toBe(0);
    await o.close();
    open.pop();

    const check = new Database(path, { readonly: true });
    // Reopening does not copy the rows again; the queue is empty with the outbox, and the old index is gone.
    expect(check.prepare('SELECT count(*) AS n FROM outbox_queue').get()).toEqual({ n: 0 });
    expect(check.prepare("SELECT name FROM sqlite_master WHERE name = 'outbox_due'").get()).toBeUndefined();
    check.close();
    const { o: o3 } = make({}, path);
    await o3.enqueue([{ destinationId: 'd', event: ev('n') }]);
    expect((await o3.claim('d', 10, 1000)).map((x) => x.event.event_id)).toEqual(['n']);
  });

  it('dead-letter replay (an insert into outbox, also from another process) is claimable through the queue table', async () => {
    const { o, path } = make();
    await o.enqueue([{ destinationId: 'd', event: ev('r') }]);
    const [c] = await o.claim('d', 1, 1000);
    await o.retryLater('d', [c!.id], 0);
    await o.deadLetter('d', [{ id: c!.id, error: { reason: 'meta_rejected' } }]);
    expect((await o.listDeadLetters())[0]!.attempts).toBe(1);
    const cli = new SqliteOutbox(path, { now: () => 1_000_000 });
    expect(await cli.replayDeadLetters({})).toBe(1);
    await cli.close();
    expect(await o.depth('d')).toBe(1);
    const again = await o.claim('d', 10, 1000);
    expect(again.map((x) => [x.event.event_id, x.attempts])).toEqual([['r', 0]]);
  });
  it('multi-row enqueue keeps order and pairing across chunk remainders; ack by ranges and by scattered ids', async () => {
    const { o, path } = make();
    // 137 = 2 full chunks + 37 single rows; three enqueues group-committed in one transaction.
    const sizes = [137, 1, 62];
    const rs = await Promise.all(sizes.map((n, b) => o.enqueue(Array.from({ length: n }, (_, i) => ({ destinationId: i % 7 === 0 ? 'e' : 'd', event: ev(`m${b}-${i}`) })))));
    expect(rs.every((r) => r.ok)).toBe(true);
    const expectD = sizes.flatMap((n, b) => Array.from({ length: n }, (_, i) => i).filter((i) => i % 7 !== 0).map((i) => `m${b}-${i}`));
    expect(await o.depth('d')).toBe(expectD.length);
    const got = await o.claim('d', 1000, 60_000);
    expect(got.map((x) => x.event.event_id)).toEqual(expectD);
    // Every other entry: many runs (the json_each path); then the rest, still interleaved with 'e' ids.
    await o.ack('d', got.filter((_, i) => i % 2 === 0).map((x) => x.id));
    expect(await o.depth('d')).toBe(expectD.length - Math.ceil(expectD.length / 2));
    // Acking with the wrong destination removes nothing.
    await o.ack('e', got.map((x) => x.id));
    expect(await o.depth('d')).toBe(expectD.length - Math.ceil(expectD.length / 2));
    await o.ack('d', got.filter((_, i) => i % 2 === 1).map((x) => x.id));
    expect(await o.depth('d')).toBe(0);
    const e = await o.claim('e', 1000, 60_000);
    expect(e).toHaveLength(sizes.reduce((a, n) => a + Math.ceil(n / 7), 0));
    await o.ack('e', e.map((x) => x.id));
    expect(await o.depth()).toBe(0);
    const Database = (await import('better-sqlite3')).default;
    const check = new Database(path, { readonly: true });
    expect(check.prepare('SELECT (SELECT count(*) FROM outbox) AS o, (SELECT count(*) FROM outbox_queue) AS q').get()).toEqual({ o: 0, q: 0 });
    check.close();
  });

  it('stores the caller\'s JSON text as is when given', async () => {
    const { o } = make();
    const text = JSON.stringify(ev('j'));
    await o.enqueue([{ destinationId: 'd', event: ev('j'), json: text }]);
    const [e] = await o.claim('d', 1, 1000);
    expect(e!.json).toBe(text);
    expect(e!.head?.event_id).toBe('j');
  });

  it('files with the pairing triggers: dropped on open; rows an older process adds are claimed once and counted on the server\'s next open; orphan queue rows are dropped by claim', async () => {
    const { o, path } = make();
    await o.enqueue([{ destinationId: 'd', event: ev('t1') }]);
    await o.close();
    open.pop();
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(path);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'trigger'").get()).toEqual({ n: 0 });
    const { o: withTriggers } = make({}, path);
    // An older process opening the file while this version runs re-creates the triggers: both write the
    // queue row, OR IGNORE keeps one.
    db.exec(`CREATE TRIGGER outbox_queue_insert AFTER INSERT ON outbox BEGIN
        INSERT INTO outbox_queue (id, destination_id, available_at, attempts, leased) VALUES (NEW.id, NEW.destination_id, NEW.available_at, NEW.attempts, 0);
      END;
      CREATE TRIGGER outbox_queue_delete AFTER DELETE ON outbox BEGIN DELETE FROM outbox_queue WHERE id = OLD.id; END;`);
    expect(await withTriggers.enqueue([{ destinationId: 'd', event: ev('t2') }])).toEqual({ ok: true });
    // A pre-queue-table process (no trigger) appends a row without its queue row, plus a stray queue row.
    db.exec('DROP TRIGGER outbox_queue_insert');
    db.prepare('INSERT INTO outbox (destination_id, event, enqueued_at, available_at) VALUES (?, ?, 0, 0)').run('d', JSON.stringify(ev('t3')));
    db.prepare('INSERT INTO outbox_queue (id, destination_id, available_at) VALUES (999999, ?, 0)').run('d');
    db.close();
    await withTriggers.close();
    open.pop();
    const { o: again } = make({ releaseLeasesOnOpen: true }, path);
    const got = await again.claim('d', 10, 1000);
    expect(got.map((x) => x.event.event_id)).toEqual(['t1', 't2', 't3']);
    expect(await again.claim('d', 10, 1000)).toEqual([]);
    expect(await again.depth('d')).toBe(3);
    await again.ack('d', got.map((x) => x.id));
    expect(await again.depth()).toBe(0);
    const check = new Database(path, { readonly: true });
    expect(check.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'trigger'").get()).toEqual({ n: 0 });
    expect(check.prepare('SELECT (SELECT count(*) FROM outbox) AS o, (SELECT count(*) FROM outbox_queue) AS q').get()).toEqual({ o: 0, q: 0 });
    check.close();
  });

  describe('the fresh path (cursor + one lease row per claim)', () => {
    async function tables(path: string): Promise<{ outbox: number; queue: number; lease: number; counts: Record<string, number> }> {
      const Database = (await import('better-sqlite3')).default;
      const db = new Database(path, { readonly: true });
      const n = (sql: string) => (db.prepare(sql).pluck(true).get() as number);
      const counts = Object.fromEntries(db.prepare('SELECT destination_id, n FROM outbox_count').raw(true).all() as Array<[string, number]>);
      const r = { outbox: n('SELECT count(*) FROM outbox'), queue: n('SELECT count(*) FROM outbox_queue'), lease: n('SELECT count(*) FROM outbox_lease'), counts };
      db.close();
      return r;
    }

    it('enqueue → claim → ack writes no queue row and one lease row per claim; counts follow', async () => {
      const { o, path } = make();
      await o.enqueue(Array.from({ length: 30 }, (_, i) => ({ destinationId: i % 3 === 0 ? 'e' : 'd', event: ev(`f${i}`) })));
      expect(await tables(path)).toEqual({ outbox: 30, queue: 0, lease: 0, counts: { d: 20, e: 10 } });
      const a = await o.claim('d', 15, 60_000);
      const b = await o.claim('d', 15, 60_000);
      expect([...a, ...b].map((x) => x.event.event_id)).toEqual(Array.from({ length: 30 }, (_, i) => i).filter((i) => i % 3 !== 0).map((i) => `f${i}`));
      expect(await o.claim('d', 15, 60_000)).toEqual([]);
      expect(await tables(path)).toMatchObject({ queue: 0, lease: 2 });
      await o.ack('d', [...a, ...b].map((x) => x.id));
      expect(await tables(path)).toMatchObject({ outbox: 10, queue: 0, counts: { d: 0, e: 10 } });
      // The other destination's cursor is its own.
      expect((await o.claim('e', 100, 60_000)).map((x) => x.event.event_id)).toEqual(Array.from({ length: 10 }, (_, i) => `f${i * 3}`));
    });

    it('an expired lease re-queues only what is left of its range: acked rows stay gone, rescheduled rows keep their schedule', async () => {
      const { o, path, clock } = make();
      await o.enqueue(['a', 'b', 'c', 'd'].map((id) => ({ destinationId: 'd', event: ev(id) })));
      const [a, b, c] = await o.claim('d', 4, 500);
      await o.ack('d', [a!.id]);
      await o.retryLater('d', [b!.id], clock.t + 10_000);
      clock.t += 501;
      const again = await o.claim('d', 10, 500);
      expect(again.map((x) => [x.event.event_id, x.attempts])).toEqual([['c', 0], ['d', 0]]);
      expect(again[0]!.id).toBe(c!.id);
      expect(await tables(path)).toMatchObject({ queue: 3, lease: 0 });
      clock.t += 10_000;
      const later = await o.claim('d', 10, 500);
      expect(later.map((x) => [x.event.event_id, x.attempts])).toEqual([['b', 1], ['c', 0], ['d', 0]]);
      await o.ack('d', later.map((x) => x.id));
      expect(await tables(path)).toEqual({ outbox: 0, queue: 0, lease: 0, counts: { d: 0 } });
    });

    it('a restarted server (releaseLeasesOnOpen) gets the dead run\'s fresh leases back at once; a second opener (the CLI) does not', async () => {
      const { o, path } = make();
      await o.enqueue(['a', 'b', 'c'].map((id) => ({ destinationId: 'd', event: ev(id) })));
      expect(await o.claim('d', 2, 3_600_000)).toHaveLength(2);
      await o.close();
      open.pop();
      const { o: cli } = make({}, path);
      expect((await cli.claim('d', 10, 1000)).map((x) => x.event.event_id)).toEqual(['c']);
      await cli.close();
      open.pop();
      const { o: server } = make({ releaseLeasesOnOpen: true }, path);
      expect((await server.claim('d', 10, 1000)).map((x) => [x.event.event_id, x.attempts])).toEqual([['a', 0], ['b', 0], ['c', 0]]);
    });

    it('files of the previous layout (a queue row per event): old rows are claimed through the queue, new ones fresh, each once', async () => {
      const path = join(mkdtempSync(join(tmpdir(), 'outbox-prevlayout-')), 'o.db');
      const Database = (await import('better-sqlite3')).default;
      const db = new Database(path);
      db.exec(`${OLD_OUTBOX_TABLE};
        CREATE TABLE outbox_queue (id INTEGER PRIMARY KEY, destination_id TEXT NOT NULL, available_at INTEGER NOT NULL,
          attempts INTEGER NOT NULL DEFAULT 0, leased INTEGER NOT NULL DEFAULT 0);
        CREATE INDEX outbox_queue_due ON outbox_queue (destination_id, available_at);`);
      const ins = db.prepare('INSERT INTO outbox (destination_id, event, enqueued_at, available_at, event_id, event_time, action_source) VALUES (?, ?, 0, 0, ?, 1700000000, ?)');
      for (const id of ['o1', 'o2', 'o3']) ins.run('d', JSON.stringify(ev(id)), id, 'website');
      db.exec(`INSERT INTO outbox_queue (id, destination_id, available_at, attempts, leased) SELECT id, destination_id, 0, 0, 0 FROM outbox;
        UPDATE outbox_queue SET attempts = 2 WHERE id = 2;`);
      db.close();
      const { o } = make({ releaseLeasesOnOpen: true }, path);
      expect(await o.depth('d')).toBe(3);
      await o.enqueue([{ destinationId: 'd', event: ev('n1') }]);
      const got = await o.claim('d', 10, 60_000);
      expect(got.map((x) => [x.event.event_id, x.attempts])).toEqual([['o1', 0], ['o2', 2], ['o3', 0], ['n1', 0]]);
      expect(await o.claim('d', 10, 60_000)).toEqual([]);
      await o.ack('d', got.map((x) => x.id));
      expect(await tables(path)).toEqual({ outbox: 0, queue: 0, lease: 1, counts: { d: 0 } });
    });
  });
});
