import { Worker } from 'node:worker_threads';

/** What a worker entry posts once it can take requests, or instead when it cannot start. Request ids start at 1. */
export type WorkerControl = { id: 0; ready: true } | { id: 0; fatal: string };

export interface WorkerLogger {
  error(obj: Record<string, unknown>, msg: string): void;
  info(obj: Record<string, unknown>, msg: string): void;
}

/** Why a call got no reply: the worker exited or was ended, the call timed out, or the worker is closed. */
export type WorkerLoss = 'worker_exit' | 'timeout' | 'closed' | 'unavailable';

/** A request as the caller writes it: the supervisor numbers it. */
export type Unnumbered<R> = R extends unknown ? Omit<R, 'id'> : never;

export class WorkerCallError extends Error {
  constructor(readonly loss: WorkerLoss, message: string) {
    super(message);
  }
}

export interface SupervisedWorkerOptions {
  /** The caller's `import.meta.url`; the entry file `<entry>.js` (or `.ts`) sits next to it. */
  callerUrl: string;
  entry: string;
  /** Names the worker in logs and errors, e.g. `outbox worker`. */
  name: string;
  workerData: unknown;
  /** workerData of restarts, when they differ from the first start's. */
  restartWorkerData?: unknown;
  logger?: WorkerLogger | undefined;
  /** First restart delay after an unexpected exit; doubles up to 30 s, back to this once a worker is ready. */
  restartDelayMs?: number | undefined;
  /** A call not answered within this fails with `timeout`, and the worker is ended and restarted. */
  callTimeoutMs?: number | undefined;
}

interface Waiter {
  resolve: (reply: unknown) => void;
  reject: (e: WorkerCallError) => void;
  timer: NodeJS.Timeout | undefined;
}

const MAX_RESTART_DELAY_MS = 30_000;
/** Request ids wrap well below 2^31 (small integers stay unboxed); 0 is the control id. */
const MAX_ID = 0x3fffffff;

/**
 * Starts the worker entry `name` next to `callerUrl`: built, the `.js` file; from TS sources (vitest, tsx),
 * a one-line eval entry registers tsx's loader in the worker and then imports the `.ts` file (Node 20 will
 * not start a `.ts` worker entry by itself, even with `--import tsx` in `execArgv`). Workers inherit the
 * process's execArgv minus `--input-type` (refused in a worker).
 */
function startWorker(callerUrl: string, name: string, workerData: unknown): Worker {
  const execArgv = process.execArgv.filter((a) => !a.startsWith('--input-type'));
  if (!callerUrl.endsWith('.ts')) return new Worker(new URL(`./${name}.js`, callerUrl), { workerData, execArgv });
  const entry = new URL(`./${name}.ts`, callerUrl).href;
  const code = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(code, { eval: true, workerData, execArgv });
}

/**
 * One worker thread answering numbered requests, kept alive: the ready handshake, request ids, per-call
 * timeouts, and restarts with backoff after an unexpected exit (or a timeout). Calls never hang on a lost
 * worker: they reject with a `WorkerCallError` saying why. The thread does not keep the process alive
 * while no call is in flight.
 */
export class SupervisedWorker<Request extends { id: number }, Reply extends { id: number }> {
  readonly #o: SupervisedWorkerOptions;
  readonly #baseDelay: number;
  #worker: Worker | undefined;
  #ready = false;
  #waiters = new Map<number, Waiter>();
  #seq = 0;
  #closed = false;
  #restartDelay: number;
  #restartTimer: NodeJS.Timeout | undefined;
  #downReason: string;

  constructor(options: SupervisedWorkerOptions) {
    this.#o = options;
    this.#baseDelay = options.restartDelayMs ?? 100;
    this.#restartDelay = this.#baseDelay;
    this.#downReason = `${options.name} is starting`;
  }

  /** Ready to take calls now. */
  get ready(): boolean {
    return this.#ready;
  }

  /** Calls sent and not answered yet. */
  get inFlight(): number {
    return this.#waiters.size;
  }

  /** Starts the worker; resolves once it is ready. A failed first start is not retried: see `restartLater`. */
  start(): Promise<void> {
    return this.#spawn(this.#o.workerData);
  }

  /** Sends one request (numbered here); resolves with the worker's reply to it. */
  call(request: Unnumbered<Request>): Promise<Reply> {
    const w = this.#worker;
    if (this.#closed) return Promise.reject(new WorkerCallError('closed', `${this.#o.name} is closed`));
    if (!w || !this.#ready) return Promise.reject(new WorkerCallError('unavailable', this.#downReason));
    this.#seq = this.#seq >= MAX_ID ? 1 : this.#seq + 1;
    const id = this.#seq;
    return new Promise<Reply>((resolve, reject) => {
      const timeoutMs = this.#o.callTimeoutMs;
      const timer = timeoutMs === undefined ? undefined : setTimeout(() => this.#timedOut(w, id, timeoutMs), timeoutMs);
      if (this.#waiters.size === 0) w.ref();
      this.#waiters.set(id, { resolve: resolve as (reply: unknown) => void, reject, timer });
      w.postMessage({ ...request, id });
    });
  }

  /** Schedules a restart (after a failed first start); the delay doubles on every failure. */
  restartLater(): void {
    if (this.#closed || this.#restartTimer) return;
    const delay = this.#restartDelay;
    this.#restartDelay = Math.min(MAX_RESTART_DELAY_MS, this.#restartDelay * 2);
    this.#restartTimer = setTimeout(() => {
      this.#restartTimer = undefined;
      if (this.#closed) return;
      this.#spawn(this.#o.restartWorkerData ?? this.#o.workerData).then(
        () => this.#o.logger?.info({}, `${this.#o.name} restarted`),
        (e: Error) => {
          if (this.#closed) return;
          this.#downReason = `${this.#o.name} restart failed: ${e.message}`;
          this.#o.logger?.error({ err: e.message, restartInMs: this.#restartDelay }, `${this.#o.name} restart failed`);
          this.restartLater();
        },
      );
    }, delay);
    this.#restartTimer.unref();
  }

  /** Test hook: ends the worker as a crash would (its calls fail with `worker_exit`; it restarts). */
  async kill(): Promise<void> {
    await this.#worker?.terminate();
  }

  /** Ends the worker; calls still in flight fail with `closed`. No restarts after this. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#restartTimer) clearTimeout(this.#restartTimer);
    const w = this.#worker;
    this.#down('closed', `${this.#o.name} is closed`);
    if (w) await w.terminate();
  }

  #spawn(workerData: unknown): Promise<void> {
    const name = this.#o.name;
    const w = startWorker(this.#o.callerUrl, this.#o.entry, workerData);
    w.unref();
    this.#worker = w;
    this.#ready = false;
    return new Promise<void>((resolve, reject) => {
      let started = false;
      w.on('message', (m: Reply | WorkerControl) => {
        if (m.id !== 0) {
          this.#settle(w, m as Reply);
        } else if ('ready' in m) {
          started = true;
          if (this.#worker === w) {
            this.#ready = true;
            this.#restartDelay = this.#baseDelay;
          }
          resolve();
        } else if ('fatal' in m) {
          reject(new Error(m.fatal));
          void w.terminate();
        }
      });
      w.on('error', (e) => {
        // Followed by 'exit'. Before ready it is a start failure.
        if (!started) reject(new Error(`${name} failed to start: ${e.message}`));
        else this.#o.logger?.error({ err: e.message }, `${name} error`);
      });
      w.on('exit', (code) => {
        if (!started) reject(new Error(`${name} exited during start (code ${code})`));
        if (this.#worker !== w) return;
        if (!started || this.#closed) this.#down('worker_exit', `${name} exited (code ${code})`);
        else this.#lost(`${name} exited (code ${code})`, 'exited unexpectedly', { code });
      });
    });
  }

  #settle(w: Worker, reply: Reply): void {
    const waiter = this.#waiters.get(reply.id);
    if (!waiter) return;
    this.#waiters.delete(reply.id);
    if (waiter.timer) clearTimeout(waiter.timer);
    if (this.#waiters.size === 0) w.unref();
    waiter.resolve(reply);
  }

  /** The call gets `timeout`; the worker (stuck or too slow) is ended, its other calls get `worker_exit`. */
  #timedOut(w: Worker, id: number, timeoutMs: number): void {
    const waiter = this.#waiters.get(id);
    if (!waiter) return;
    this.#waiters.delete(id);
    waiter.reject(new WorkerCallError('timeout', `${this.#o.name} did not answer within ${timeoutMs} ms`));
    if (this.#worker !== w) return;
    this.#lost(`${this.#o.name} ended after a timeout`, 'timed out', { timeoutMs });
    void w.terminate();
  }

  /** An unexpected loss of the running worker: its calls fail, it is logged, a restart is scheduled. */
  #lost(message: string, what: string, detail: Record<string, unknown>): void {
    this.#down('worker_exit', message);
    this.#downReason = `${message}; restarting`;
    this.#o.logger?.error({ ...detail, restartInMs: this.#restartDelay }, `${this.#o.name} ${what}; restarting (unavailable until then)`);
    this.restartLater();
  }

  /** The worker is gone (or going): every call in flight fails with `loss`. */
  #down(loss: WorkerLoss, message: string): void {
    this.#worker = undefined;
    this.#ready = false;
    const waiters = this.#waiters;
    this.#waiters = new Map();
    for (const waiter of waiters.values()) {
      if (waiter.timer) clearTimeout(waiter.timer);
      waiter.reject(new WorkerCallError(loss, message));
    }
  }
}
