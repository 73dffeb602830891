import type { ResolvedDestination } from '../config/schema.js';
import type { DeadLetterError, OutboxEntry } from '../outbox/types.js';
import { BatchDelivery, head, newDestState, type DeliveryDeps, type DestinationPause, type DestState } from './batch-delivery.js';
import { isTooOld } from './window.js';

export type { DestinationPause } from './batch-delivery.js';

export interface DispatcherDeps extends DeliveryDeps {
  destinations: readonly ResolvedDestination[];
}

/** What the status page reads of a destination's delivery state. */
export interface DestinationDeliveryState {
  paused: boolean;
  /** Why, while paused (Meta's answer; never the token). */
  pause?: DestinationPause;
  throttledUntil?: number;
  lastClaim?: { at: number; oldestEnqueuedAt: number };
}

/**
 * Per destination, `concurrency` worker loops: claim ≤ batchSize due entries → dead-letter those whose window
 * closed → hand the rest to BatchDelivery (batch-delivery.ts: POST, then ack | retry later | pause | isolate). A paused
 * destination is probed with one batch every authProbeIntervalMs. Claims are atomic in the outbox, so workers
 * (and other instances) never send the same lease twice.
 */
export class Dispatcher {
  readonly #d: DispatcherDeps;
  readonly #now: () => number;
  readonly #batches: BatchDelivery;
  readonly #states = new Map<string, DestState>();
  #workers: Promise<void>[] = [];
  #draining = false;
  #stopped = false;

  constructor(deps: DispatcherDeps) {
    this.#d = deps;
    this.#now = deps.now ?? Date.now;
    this.#batches = new BatchDelivery(deps, (st) => this.#wake(st));
    for (const dest of deps.destinations) {
      this.#states.set(dest.id, newDestState(dest));
    }
  }

  start(): void {
    for (const st of this.#states.values()) {
      for (let i = 0; i < this.#d.settings.concurrency; i++) this.#workers.push(this.#loop(st));
    }
  }

  /** Called after an enqueue in this process. */
  notify(destinationId: string, count: number): void {
    const st = this.#states.get(destinationId);
    if (!st) return;
    st.pending += count;
    if (st.pending >= this.#d.settings.batchSize) this.#wake(st);
  }

  /** A snapshot of each destination's delivery state (status page). */
  deliveryState(): Record<string, DestinationDeliveryState> {
    const out: Record<string, DestinationDeliveryState> = {};
    const now = this.#now();
    for (const st of this.#states.values()) {
      out[st.dest.id] = {
        paused: st.pause !== undefined,
        ...(st.pause ? { pause: { ...st.pause } } : {}),
        ...(st.throttledUntil > now ? { throttledUntil: st.throttledUntil } : {}),
        ...(st.lastClaim ? { lastClaim: { ...st.lastClaim } } : {}),
      };
    }
    return out;
  }

  /** Paused destinations with their cause and Meta's message. */
  pauses(): DestinationPause[] {
    const out: DestinationPause[] = [];
    for (const s of this.#states.values()) if (s.pause) out.push({ ...s.pause });
    return out;
  }

  /**
   * Drains what it can until `deadlineMs` passes (no flush-interval waits, stops at an empty outbox),
   * then stops after the in-flight requests. Whatever is left stays durable in the outbox.
   */
  async stop(deadlineMs: number): Promise<void> {
    this.#draining = true;
    for (const st of this.#states.values()) this.#wake(st);
    const timer = setTimeout(() => {
      this.#stopped = true;
      for (const st of this.#states.values()) this.#wake(st);
    }, Math.max(0, deadlineMs));
    await Promise.all(this.#workers);
    clearTimeout(timer);
    this.#stopped = true;
  }

  #wake(st: DestState): void {
    for (const w of st.sleepers) w();
    st.sleepers.clear();
  }

  #sleep(st: DestState, ms: number): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(t);
        st.sleepers.delete(done);
        resolve();
      };
      const t = setTimeout(done, Math.max(1, ms));
      st.sleepers.add(done);
    });
  }

  async #loop(st: DestState): Promise<void> {
    const s = this.#d.settings;
    while (!this.#stopped) {
      const now = this.#now();
      if (st.throttledUntil > now) {
        if (this.#draining) return;
        await this.#sleep(st, st.throttledUntil - now);
        continue;
      }
      let probe = false;
      if (st.pause) {
        if (this.#draining) return;
        if (st.probing || now < st.nextProbeAt) {
          await this.#sleep(st, Math.min(1000, Math.max(1, st.nextProbeAt - now)));
          continue;
        }
        st.probing = true;
        probe = true;
      }
      let entries: OutboxEntry[];
      try {
        st.pending = 0;
        entries = await this.#d.outbox.claim(st.dest.id, s.batchSize, s.leaseMs);
      } catch (e) {
        if (probe) st.probing = false;
        this.#d.logger.error({ destination: st.dest.id, err: (e as Error).message }, 'outbox claim failed');
        if (this.#draining) return;
        await this.#sleep(st, 1000);
        continue;
      }
      if (entries.length > 0) {
        let oldest = entries[0]!.enqueuedAt;
        for (const e of entries) if (e.enqueuedAt < oldest) oldest = e.enqueuedAt;
        st.lastClaim = { at: this.#now(), oldestEnqueuedAt: oldest };
      }
      if (entries.length === 0) {
        if (probe) {
          st.probing = false;
          st.nextProbeAt = this.#now() + s.authProbeIntervalMs;
        }
        if (this.#draining) return;
        await this.#sleep(st, s.flushIntervalMs);
        continue;
      }
      try {
        await this.#process(st, entries);
      } catch (e) {
        // Outbox errors mid-batch: the lease expires and the entries come back; nothing is lost.
        this.#d.logger.error({ destination: st.dest.id, err: (e as Error).message }, 'delivery step failed');
      } finally {
        if (probe) st.probing = false;
      }
      if (entries.length < s.batchSize && !this.#draining) await this.#sleep(st, s.flushIntervalMs);
    }
  }

  async #process(st: DestState, entries: OutboxEntry[]): Promise<void> {
    const now = this.#now();
    const s = this.#d.settings;
    const dead: Array<{ entry: OutboxEntry; error: DeadLetterError }> = [];
    const live: OutboxEntry[] = [];
    // Retries are bounded by time: an event is kept for as long as Meta can still accept it. An outage,
    // a throttle or a pause never dead-letters anything else.
    for (const e of entries) {
      const h = head(e);
      if (isTooOld(h, now)) dead.push({ entry: e, error: { reason: 'too_old', message: `event_time ${h.event_time} is outside Meta's window` } });
      else if (s.maxRetryAgeMs > 0 && now - e.enqueuedAt > s.maxRetryAgeMs) dead.push({ entry: e, error: { reason: 'retry_window_expired', message: `queued for more than ${s.maxRetryAgeMs} ms` } });
      else live.push(e);
    }
    await this.#batches.deadLetter(st, dead);
    await this.#batches.deliver(st, live);
  }

}
