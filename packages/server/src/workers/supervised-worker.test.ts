import { describe, expect, it } from 'vitest';
import { SupervisedWorker, WorkerCallError, type SupervisedWorkerOptions, type WorkerLoss } from './supervised-worker.js';

type Req = { id: number; op: 'echo' | 'hang' | 'exit'; value?: unknown };
type Rep = { id: number; value?: unknown };

const entryUrl = new URL('../../test/support/echo-worker.ts', import.meta.url).href;

function logs() {
  const errors: Array<[Record<string, unknown>, string]> = [];
  const infos: string[] = [];
  return { errors, infos, logger: { error: (o: Record<string, unknown>, m: string) => errors.push([o, m]), info: (_: object, m: string) => infos.push(m) } };
}

function worker(options: Partial<SupervisedWorkerOptions> = {}) {
  return new SupervisedWorker<Req, Rep>({ callerUrl: entryUrl, entry: 'echo-worker', name: 'echo worker', workerData: {}, restartDelayMs: 20, ...options });
}

async function loss(p: Promise<unknown>): Promise<WorkerLoss | 'resolved'> {
  try {
    await p;
    return 'resolved';
  } catch (e) {
    expect(e).toBeInstanceOf(WorkerCallError);
    return (e as WorkerCallError).loss;
  }
}

async function untilReady(w: SupervisedWorker<Req, Rep>): Promise<void> {
  for (let i = 0; i < 200 && !w.ready; i++) await new Promise((r) => setTimeout(r, 25));
  expect(w.ready).toBe(true);
}

describe('SupervisedWorker', () => {
  it('answers calls after the ready handshake, each with its own reply', async () => {
    const w = worker();
    expect(await loss(w.call({ op: 'echo', value: 0 }))).toBe('unavailable');
    await w.start();
    try {
      const replies = await Promise.all([1, 2, 3].map((value) => w.call({ op: 'echo', value })));
      expect(replies.map((r) => r.value)).toEqual([1, 2, 3]);
      expect(w.inFlight).toBe(0);
    } finally {
      await w.close();
    }
  });

  it('a worker that posts fatal rejects start with its message', async () => {
    await expect(worker({ workerData: { fatal: 'cannot open x' } }).start()).rejects.toThrow('cannot open x');
  });

  it('an exit fails the calls in flight, is logged, and the worker restarts', async () => {
    const l = logs();
    const w = worker({ logger: l.logger });
    await w.start();
    try {
      const hung = loss(w.call({ op: 'hang' }));
      void w.call({ op: 'exit' }).catch(() => undefined);
      expect(await hung).toBe('worker_exit');
      expect(await loss(w.call({ op: 'echo' }))).toBe('unavailable');
      expect(l.errors.map(([, m]) => m)).toContain('echo worker exited unexpectedly; restarting (unavailable until then)');
      await untilReady(w);
      expect((await w.call({ op: 'echo', value: 'again' })).value).toBe('again');
      expect(l.infos).toContain('echo worker restarted');
    } finally {
      await w.close();
    }
  });

  it('a call past its timeout fails with timeout, the other calls with worker_exit; the worker restarts', async () => {
    const w = worker({ callTimeoutMs: 200 });
    await w.start();
    try {
      const first = loss(w.call({ op: 'hang' }));
      await new Promise((r) => setTimeout(r, 50));
      const second = loss(w.call({ op: 'hang' }));
      expect(await first).toBe('timeout');
      expect(await second).toBe('worker_exit');
      await untilReady(w);
      expect((await w.call({ op: 'echo', value: 5 })).value).toBe(5);
    } finally {
      await w.close();
    }
  });

  it('failed restarts back off: each delay doubles', async () => {
    const l = logs();
    const w = worker({ logger: l.logger, restartWorkerData: { fatal: 'still broken' } });
    await w.start();
    try {
      void w.call({ op: 'exit' }).catch(() => undefined);
      for (let i = 0; i < 200 && l.errors.filter(([, m]) => m === 'echo worker restart failed').length < 3; i++) await new Promise((r) => setTimeout(r, 25));
      const delays = l.errors.filter(([, m]) => m === 'echo worker restart failed').slice(0, 3).map(([o]) => o.restartInMs);
      expect(delays).toEqual([40, 80, 160]);
      expect(await loss(w.call({ op: 'echo' }))).toBe('unavailable');
    } finally {
      await w.close();
    }
  });

  it('close fails the calls in flight and every later call with closed', async () => {
    const w = worker();
    await w.start();
    const hung = loss(w.call({ op: 'hang' }));
    await w.close();
    expect(await hung).toBe('closed');
    expect(await loss(w.call({ op: 'echo' }))).toBe('closed');
    expect(w.ready).toBe(false);
  });
});
