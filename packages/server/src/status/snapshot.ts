import type { DestinationDeliveryState } from '../delivery/dispatcher.js';
import type { Metrics } from '../metrics.js';
import type { Outbox } from '../outbox/types.js';
import { COVERAGE_KEYS, type Coverage, type CoverageKey } from './coverage.js';
import { RateWindow } from './rate.js';

/** What the status page reads: live objects of the running server (injected; tests pass their own). */
export interface StatusSource {
  snapshot(): Promise<StatusSnapshot>;
}

export interface DeadLetterSummary {
  id: string;
  event_id: string;
  event_name: string;
  reason: string;
  /** Meta's message (or delivery's own reason text). */
  message?: string;
  code?: number;
  error_subcode?: number;
  dead_lettered_at: string;
}

export interface DestinationStatus {
  id: string;
  pixel_id: string;
  /** Events Meta accepted per second over the last `rate_window_s` seconds (this process). */
  delivered_per_s: number;
  rate_window_s: number;
  delivered_total: number;
  /** Events waiting (all instances sharing the outbox); null when the outbox did not answer. */
  queue_depth: number | null;
  /** Age of the oldest event in the last batch this process claimed, while the queue is not empty. */
  oldest_age_s: number | null;
  retries_total: number;
  dead_letters_total: number;
  dead_letters_by_reason: Record<string, number>;
  /** The newest dead letters among the first 1000 kept in the outbox, newest first, with Meta's message. */
  recent_dead_letters: DeadLetterSummary[];
  paused: boolean;
  paused_since?: string;
  pause_reason?: string;
  /** While Meta throttles (or answers 5xx), when the destination tries again. */
  backing_off_until?: string;
}

export interface CoverageStatus {
  destination: string;
  event_name: string;
  events: number;
  /** Per key: share (0–1) of the events carrying it. */
  share: Record<CoverageKey, number>;
}

export interface StatusSnapshot {
  generated_at: string;
  uptime_s: number;
  destinations: DestinationStatus[];
  /** Events not accepted since start, by reason (all sources). */
  drops: Record<string, number>;
  received: Record<string, number>;
  coverage: CoverageStatus[];
  coverage_keys: readonly CoverageKey[];
}

export interface StatusDeps {
  destinations: ReadonlyArray<{ id: string; pixelId: string }>;
  metrics: Metrics;
  outbox: Outbox;
  coverage: Coverage;
  deliveryState?: () => Record<string, DestinationDeliveryState>;
  now?: () => number;
  /** How many recent dead letters per destination (default 5). */
  deadLetterLimit?: number;
  /** The delivered/s window (default 60 s). */
  rateWindowMs?: number;
}

type Values = Array<{ labels: Record<string, string | number | undefined>; value: number }>;

async function values(c: { get(): Promise<{ values: Values }> | { values: Values } }): Promise<Values> {
  return (await c.get()).values;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * Builds the status from the metrics registry (counters since start), the dispatcher's state, the outbox
 * (depth, latest dead letters) and the coverage counters. `start()` samples the delivered counters so the
 * rate covers a recent window; `stop()` ends that.
 */
export class StatusReporter implements StatusSource {
  readonly #d: StatusDeps;
  readonly #now: () => number;
  readonly #startedAt: number;
  readonly #rates = new Map<string, RateWindow>();
  #timer: NodeJS.Timeout | undefined;

  constructor(deps: StatusDeps) {
    this.#d = deps;
    this.#now = deps.now ?? Date.now;
    this.#startedAt = this.#now();
    for (const d of deps.destinations) this.#rates.set(d.id, new RateWindow(deps.rateWindowMs ?? 60_000));
  }

  start(stepMs = 5000): void {
    void this.#sample();
    this.#timer ??= setInterval(() => void this.#sample(), stepMs).unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async #sample(): Promise<Map<string, number>> {
    const totals = new Map<string, number>();
    for (const v of await values(this.#d.metrics.sent)) totals.set(String(v.labels.destination), v.value);
    const at = this.#now();
    for (const [id, rate] of this.#rates) rate.sample(at, totals.get(id) ?? 0);
    return totals;
  }

  async snapshot(): Promise<StatusSnapshot> {
    const { metrics, outbox } = this.#d;
    const now = this.#now();
    const sent = await this.#sample();
    const sumBy = async (c: Parameters<typeof values>[0], key: string): Promise<Record<string, number>> => {
      const out: Record<string, number> = {};
      for (const v of await values(c)) {
        const k = String(v.labels[key]);
        out[k] = (out[k] ?? 0) + v.value;
      }
      return out;
    };
    const retries = await sumBy(metrics.retried, 'destination');
    const deadByDest = await values(metrics.deadLettered);
    const state = this.#d.deliveryState?.() ?? {};
    const limit = this.#d.deadLetterLimit ?? 5;
    const destinations: DestinationStatus[] = [];
    for (const d of this.#d.destinations) {
      let depth: number | null = null;
      try {
        depth = await outbox.depth(d.id);
      } catch {
        // outbox unreachable: shown as unknown (/readyz reports it)
      }
      let recent: DeadLetterSummary[] = [];
      try {
        recent = latestDeadLetters(await outbox.listDeadLetters({ destinationId: d.id, limit: 1000 }), limit);
      } catch {
        // same
      }
      const byReason: Record<string, number> = {};
      let deadTotal = 0;
      for (const v of deadByDest) {
        if (v.labels.destination !== d.id || v.value === 0) continue;
        byReason[String(v.labels.reason)] = v.value;
        deadTotal += v.value;
      }
      const st = state[d.id];
      const rate = this.#rates.get(d.id)!;
      const ds: DestinationStatus = {
        id: d.id, pixel_id: d.pixelId,
        delivered_per_s: Math.round(rate.perSecond() * 100) / 100, rate_window_s: Math.round(rate.seconds()),
        delivered_total: sent.get(d.id) ?? 0,
        queue_depth: depth,
        oldest_age_s: depth !== null && depth > 0 && st?.lastClaim ? Math.max(0, Math.round((now - st.lastClaim.oldestEnqueuedAt) / 1000)) : depth === 0 ? 0 : null,
        retries_total: retries[d.id] ?? 0,
        dead_letters_total: deadTotal, dead_letters_by_reason: byReason, recent_dead_letters: recent,
        paused: st?.paused ?? false,
      };
      if (st?.paused) {
        const r = st.pause;
        if (r) {
          ds.paused_since = iso(r.since);
          ds.pause_reason = `${r.cause}: Meta refused the request (HTTP ${r.httpStatus}${r.code !== undefined ? `, code ${r.code}` : ''}${r.errorSubcode !== undefined ? `/${r.errorSubcode}` : ''}): ${r.message}`;
        } else {
          ds.pause_reason = 'Meta refused the request';
        }
      }
      if (st?.throttledUntil !== undefined) ds.backing_off_until = iso(st.throttledUntil);
      destinations.push(ds);
    }
    const drops: Record<string, number> = {};
    for (const [k, v] of Object.entries(await sumBy(metrics.dropped, 'reason'))) if (v > 0) drops[k] = v;
    const coverage: CoverageStatus[] = this.#d.coverage.rows().map((r) => {
      const share = {} as Record<CoverageKey, number>;
      for (const k of COVERAGE_KEYS) share[k] = r.events === 0 ? 0 : Math.round((r.keys[k] / r.events) * 1000) / 1000;
      return { destination: r.destination, event_name: r.event_name, events: r.events, share };
    });
    return {
      generated_at: iso(now), uptime_s: Math.round((now - this.#startedAt) / 1000),
      destinations, drops, received: await sumBy(metrics.received, 'source'), coverage, coverage_keys: COVERAGE_KEYS,
    };
  }
}

function latestDeadLetters(list: ReadonlyArray<import('../outbox/types.js').DeadLetter>, limit: number): DeadLetterSummary[] {
  return [...list].sort((a, b) => b.deadLetteredAt - a.deadLetteredAt).slice(0, limit).map((l) => {
    const s: DeadLetterSummary = {
      id: l.id, event_id: l.event.event_id, event_name: l.event.event_name, reason: l.error.reason, dead_lettered_at: iso(l.deadLetteredAt),
    };
    const message = l.error.errorUserMsg ?? l.error.message;
    if (message !== undefined) s.message = message.slice(0, 500);
    if (l.error.code !== undefined) s.code = l.error.code;
    if (l.error.errorSubcode !== undefined) s.error_subcode = l.error.errorSubcode;
    return s;
  });
}
