/**
 * What the contract tests cannot see of the threaded SQLite outbox: group commit across concurrent
 * enqueues, a worker crash (calls fail, never the process; restart), open failures, close with pending
 * work, the LazyEvent path, and the built worker file (dist) next to the TS one used here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CapiServerEvent } from '../mapping/types.js';
import { createOutbox } from './index.js';
import { SqliteOutbox } from './sqlite.js';
import { ThreadedSqliteOutbox } from './sqlite-thread.js';
import { REPO_ROOT, ensureBuilt } from '../../test/support/process.js';

let dir = '';
let n = 0;
const file = () => join(dir, `t-${++n}.db`);
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'capi-outbox-thread-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let seq = 0;
function ev(): CapiServerEvent {
  seq += 1;
  return {
    event_name: 'Purchase', event_time: Math.floor(Date.now() / 1000), event_id: `t-${seq}`, action_source: 'website',
    user_data: { em: ['b'.repeat(64)], client_user_agent: 'UA «ü»' }, custom_data: { value: 3, currency: 'EUR' },
  };
}

describe('ThreadedSqliteOutbox', () => {
  it('createOutbox refuses an unknown scheme without echoing a password', async () => {
    await expect(createOutbox('mysql://app:s3cr3t-pw@db.internal/x')).rejects.toThrow(/^OUTBOX: expected .*mysql:\/\/app:\*\*\*@db\.internal\/x/);
    await expect(createOutbox('mysql://app:s3cr3t-pw@db.internal/x')).rejects.not.toThrow(/s3cr3t-pw/);
    await expect(createOutbox('./outbox.db')).rejects.toThrow('got "./outbox.db"');
  });

  it('is what createOutbox opens for sqlite: by default; thread:false (OUTBOX_THREAD=false) opens it inline', async () => {
    const p = file();
    const a = await createOutbox(`sqlite:${p}`);
    const b = await createOutbox(`sqlite:${p}`, { thread: false });
    const c = await createOutbox(`sqlite:${p}`, { thread: true });
    try {
      expect(a).toBeInstanceOf(ThreadedSqliteOutbox);
      expect(b).toBeInstanceOf(SqliteOutbox);
      expect(c).toBeInstanceOf(ThreadedSqliteOutbox);
      // Same file either way.
      await a.enqueue([{ destinationId: 'x', event: ev() }]);
      expect(await b.depth('x')).toBe(1);
    } finally {
      await Promise.all([a, b, c].map((o) => o.close()));
    }
  });

  it('refuses the old ?thread= URL parameter, naming OUTBOX_THREAD (one way to choose the thread)', async () => {
    await expect(createOutbox(`sqlite:${file()}?thread=0`)).rejects.toThrow(/^OUTBOX: the \?thread= parameter is not read; set OUTBOX_THREAD/);
  });

  it('concurrent enqueues are all durable and each caller gets its own answer (incl. outbox_full)', async () => {
    const p = file();
    const o = await ThreadedSqliteOutbox.open(p, { maxDepth: 150 });
    const sent = Array.from({ length: 20 }, () => Array.from({ length: 10 }, () => ({ destinationId: 'x', event: ev() })));
    const results = await Promise.all(sent.map((items) => o.enqueue(items)));
    await o.close();
    expect(results.filter((r) => r.ok)).toHaveLength(15);
    expect(results.filter((r) => !r.ok && r.reason === 'outbox_full')).toHaveLength(5);
    const inline = new SqliteOutbox(p);
    try {
      const got = await inline.claim('x', 1000, 60_000);
      const accepted = sent.filter((_, i) => results[i]!.ok).flat().map((i) => i.event);
      expect(got.map((e) => e.event).sort((x, y) => x.event_id.localeCompare(y.event_id)))
        .toEqual(accepted.sort((x, y) => x.event_id.localeCompare(y.event_id)));
      // Head columns were written from the fields sent alongside the JSON.
      expect(got[0]!.head).toEqual({ event_id: got[0]!.event.event_id, event_time: got[0]!.event.event_time, action_source: 'website' });
    } finally {
      await inline.close();
    }
  });

  it('claims come back with json + head, and event parses lazily to the stored event', async () => {
    const o = await ThreadedSqliteOutbox.open(file());
    try {
      const e = ev();
      await o.enqueue([{ destinationId: 'x', event: e }]);
      const [c] = await o.claim('x', 10, 60_000);
      expect(c!.json).toBe(JSON.stringify(e));
      expect(c!.head).toEqual({ event_id: e.event_id, event_time: e.event_time, action_source: e.action_source });
      expect(c!.event).toEqual(e);
    } finally {
      await o.close();
    }
  });

  it('a crashed worker makes calls fail (never the process), is logged, restarts, and keeps the data', async () => {
    const errors: string[] = [];
    const infos: string[] = [];
    const logger = { error: (_: object, m: string) => errors.push(m), info: (_: object, m: string) => infos.push(m) };
    const o = await ThreadedSqliteOutbox.open(file(), { logger, restartDelayMs: 200 });
    try {
      await o.enqueue([{ destinationId: 'x', event: ev() }]);
      await o.killWorkerForTest();
      await new Promise((r) => setTimeout(r, 20));
      const r = await o.enqueue([{ destinationId: 'x', event: ev() }]);
      expect(r).toMatchObject({ ok: false, reason: 'outbox_unavailable' });
      await expect(o.depth()).rejects.toThrow(/outbox worker exited/);
      expect(errors.some((m) => /exited unexpectedly/.test(m))).toBe(true);
      // Restarted (bounded polling, no timing assert).
      const end = Date.now() + 15_000;
      let depth: number | undefined;
      while (depth === undefined && Date.now() < end) {
        depth = await o.depth().catch(() => undefined);
        if (depth === undefined) await new Promise((res) => setTimeout(res, 50));
      }
      expect(depth).toBe(1);
      expect(infos).toContain('outbox worker restarted');
      expect(await o.enqueue([{ destinationId: 'x', event: ev() }])).toEqual({ ok: true });
      expect(await o.depth()).toBe(2);
    } finally {
      await o.close();
    }
  });

  it('an unopenable database rejects open (no crash)', async () => {
    const notADir = join(dir, 'plain-file');
    writeFileSync(notADir, 'x');
    await expect(ThreadedSqliteOutbox.open(join(notADir, 'sub', 'outbox.db'))).rejects.toThrow(/outbox: sqlite: .*ENOTDIR/);
  });

  it('close finishes the enqueues sent before it; later calls answer outbox_unavailable / reject', async () => {
    const p = file();
    const o = await ThreadedSqliteOutbox.open(p);
    const pending = Array.from({ length: 25 }, () => o.enqueue([{ destinationId: 'x', event: ev() }]));
    const closed = o.close();
    expect(await Promise.all(pending)).toEqual(Array.from({ length: 25 }, () => ({ ok: true })));
    await closed;
    expect(await o.enqueue([{ destinationId: 'x', event: ev() }])).toMatchObject({ ok: false, reason: 'outbox_unavailable' });
    await expect(o.claim('x', 1, 1000)).rejects.toThrow(/closed/);
    const inline = new SqliteOutbox(p);
    expect(await inline.depth('x')).toBe(25);
    await inline.close();
  });

  it('the built dist/outbox worker works from plain node (no tsx)', () => {
    ensureBuilt();
    const p = file();
    const script = `
      const { createOutbox } = await import(${JSON.stringify(join(REPO_ROOT, 'packages/server/dist/outbox/index.js'))});
      const o = await createOutbox(${JSON.stringify(`sqlite:${p}`)});
      const e = { event_name: 'Lead', event_time: 1, event_id: 'd-1', action_source: 'website', user_data: {} };
      const r = await o.enqueue([{ destinationId: 'x', event: e }]);
      const c = await o.claim('x', 5, 1000);
      await o.close();
      process.stdout.write(JSON.stringify({ kind: o.constructor.name, r, ids: c.map((x) => x.event.event_id) }));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
    expect(JSON.parse(out)).toEqual({ kind: 'ThreadedSqliteOutbox', r: { ok: true }, ids: ['d-1'] });
  });
});
