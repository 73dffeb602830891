/**
 * Worker entry of the threaded SQLite outbox (see sqlite-thread.ts): owns one `SqliteOutbox` and answers
 * request messages in order. Every error becomes an error reply; nothing here throws to the main thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { lazyEvent } from './lazy-entry.js';
import { SqliteOutbox } from './sqlite.js';
import type { ClaimedColumns, Reply, Request, WorkerInit } from './sqlite-thread.js';
import type { EnqueueItem, EnqueueResult } from './types.js';

const port = parentPort;
if (!port) throw new Error('sqlite-worker must run in a worker thread');
const init = workerData as WorkerInit;

function reply(m: Reply): void {
  port!.postMessage(m);
}

async function handle(outbox: SqliteOutbox, req: Request): Promise<unknown> {
  switch (req.op) {
    case 'enqueue': {
      // One outbox.enqueue per original caller (each gets its own answer, e.g. outbox_full); SqliteOutbox
      // commits every enqueue of this turn in one transaction.
      const calls: Array<Promise<EnqueueResult>> = [];
      let at = 0;
      for (const count of req.counts) {
        const items = new Array<EnqueueItem>(count);
        for (let i = 0; i < count; i++, at++) {
          const json = req.json[at]!;
          const event = lazyEvent(json, req.eventId[at]!, req.eventTime[at]!, req.actionSource[at]!);
          items[i] = { destinationId: req.dest[at]!, event, json };
        }
        calls.push(outbox.enqueue(items));
      }
      return Promise.all(calls);
    }
    case 'claim': {
      const entries = await outbox.claim(req.dest, req.max, req.leaseMs);
      const n = entries.length;
      const c: ClaimedColumns = {
        ids: new Array(n), json: new Array(n), enqueuedAt: new Array(n), attempts: new Array(n),
        eventId: new Array(n), eventTime: new Array(n), actionSource: new Array(n),
      };
      for (let i = 0; i < n; i++) {
        const e = entries[i]!;
        c.ids[i] = e.id;
        c.json[i] = e.json ?? JSON.stringify(e.event);
        c.enqueuedAt[i] = e.enqueuedAt;
        c.attempts[i] = e.attempts;
        c.eventId[i] = e.head ? e.head.event_id : null;
        c.eventTime[i] = e.head ? e.head.event_time : 0;
        c.actionSource[i] = e.head ? e.head.action_source : '';
      }
      return c;
    }
    case 'ack':
      return outbox.ack(req.dest, req.ids);
    case 'retryLater':
      return outbox.retryLater(req.dest, req.ids, req.notBefore);
    case 'deadLetter':
      return outbox.deadLetter(req.dest, req.entries);
    case 'depth':
      return outbox.depth(req.dest);
    case 'status':
      return outbox.status(req.dest);
    case 'listDeadLetters':
      return outbox.listDeadLetters(req.options);
    case 'replayDeadLetters':
      return outbox.replayDeadLetters(req.options);
    case 'close':
      await outbox.close();
      return undefined;
  }
}

let outbox: SqliteOutbox;
try {
  const { path, ...options } = init;
  outbox = new SqliteOutbox(path, options);
} catch (e) {
  reply({ id: 0, fatal: `outbox: sqlite: ${(e as Error).message}` });
  process.exit(1);
}

let closed = false;
/** Requests whose reply is not posted yet. `close` answers only after all of them: the main thread ends the
 * worker on that answer, and a reply still in a microtask would be lost (an acknowledged enqueue reported
 * as failed). */
const inflight = new Set<Promise<void>>();
function answer(req: Request): Promise<void> {
  return handle(outbox, req).then(
    (value) => reply({ id: req.id, ok: true, value }),
    (e: unknown) => reply({ id: req.id, ok: false, error: e instanceof Error ? e.message : String(e) }),
  );
}
port.on('message', (req: Request) => {
  if (closed) {
    reply({ id: req.id, ok: false, error: 'outbox is closed' });
    return;
  }
  if (req.op === 'close') {
    closed = true;
    void Promise.allSettled([...inflight]).then(() => answer(req));
    return;
  }
  const done = answer(req);
  inflight.add(done);
  void done.finally(() => inflight.delete(done));
});
reply({ id: 0, ready: true });
