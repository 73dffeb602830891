import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { DROP_REASONS, EVENT_SOURCES } from './mapping/types.js';
import { DEAD_LETTER_REASONS, type OutboxStatus } from './outbox/types.js';
import type { CoverageRow } from './status/coverage.js';

/** Request-level refusals: the events in such a request are not accepted. */
export const HTTP_DROP_REASONS = [
  'invalid_json', 'invalid_utf8', 'invalid_body', 'body_too_large', 'batch_too_large', 'unsupported_media_type',
  'origin_refused', 'rate_limited', 'unauthorized', 'outbox_full', 'outbox_unavailable', 'shutting_down', 'invalid_csv',
  'invalid_event', 'storage_full',
] as const;
export type HttpDropReason = (typeof HTTP_DROP_REASONS)[number];

/** What the gauges read on every scrape (so they are exact): the outbox's depth and status, the coverage counters. */
export interface ScrapeSources {
  depthOf?: (destination?: string) => Promise<number>;
  statusOf?: ((destination?: string) => Promise<OutboxStatus>) | undefined;
  coverage?: () => CoverageRow[];
}

export type Metrics = ReturnType<typeof createMetrics>;

/** One registry per server instance (tests start several in one process). Each metric's meaning is its `help`. */
export function createMetrics(destinationIds: readonly string[], sources: ScrapeSources = {}) {
  const { depthOf, statusOf, coverage } = sources;
  /** One status read per destination and scrape, shared by the dead-letter gauges. */
  let scrape: Promise<Map<string, OutboxStatus>> | undefined;
  const statuses = (): Promise<Map<string, OutboxStatus>> => {
    scrape ??= (async () => {
      const out = new Map<string, OutboxStatus>();
      if (statusOf) for (const d of destinationIds) out.set(d, await statusOf(d));
      return out;
    })().finally(() => setImmediate(() => { scrape = undefined; }));
    return scrape;
  };
  const fromStatus = async (g: Gauge<'destination'>, pick: (s: OutboxStatus) => number): Promise<void> => {
    try {
      for (const [d, s] of await statuses()) g.set({ destination: d }, pick(s));
    } catch {
      // outbox unreachable: keep the last value; /readyz reports it
    }
  };
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'capi_bridge_' });
  const p = 'capi_bridge_';
  const m = {
    registry,
    received: new Counter({ name: `${p}events_received_total`, help: 'Events received, by source', labelNames: ['source'], registers: [registry] }),
    dropped: new Counter({ name: `${p}events_dropped_total`, help: 'Events not accepted, by reason and source (per destination for mapping reasons)', labelNames: ['reason', 'source'], registers: [registry] }),
    enqueued: new Counter({ name: `${p}events_enqueued_total`, help: 'Events durably queued, by destination', labelNames: ['destination'], registers: [registry] }),
    sent: new Counter({ name: `${p}events_sent_total`, help: 'Events Meta accepted, by destination', labelNames: ['destination'], registers: [registry] }),
    retried: new Counter({ name: `${p}events_retried_total`, help: 'Events scheduled for another attempt, by destination and kind (retry|throttled|unnamed_refusal: Meta refused one event with code 100 naming none; retried with others to find out)', labelNames: ['destination', 'kind'], registers: [registry] }),
    deadLettered: new Counter({ name: `${p}events_dead_lettered_total`, help: 'Events moved to the dead-letter store, by destination and reason', labelNames: ['destination', 'reason'], registers: [registry] }),
    graphRequests: new Counter({ name: `${p}graph_requests_total`, help: 'Graph API requests, by destination and outcome', labelNames: ['destination', 'outcome'], registers: [registry] }),
    graphLatency: new Histogram({
      name: `${p}graph_request_duration_seconds`, help: 'Graph API request latency', labelNames: ['destination', 'outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers: [registry],
    }),
    mapFallbacks: new Counter({ name: `${p}map_worker_fallbacks_total`, help: 'Large /v1/events batches mapped on the main thread although mapping workers are on, by reason (queue_full|unavailable|timeout|worker_exit|worker_error)', labelNames: ['reason'], registers: [registry] }),
    coverageEvents: new Counter({
      name: `${p}coverage_events_total`, help: 'Events queued, by destination and event name (the denominator of match-key coverage)', labelNames: ['destination', 'event_name'], registers: [registry],
      collect() {
        if (!coverage) return;
        this.reset();
        for (const r of coverage()) this.inc({ destination: r.destination, event_name: r.event_name }, r.events);
      },
    }),
    matchKeyEvents: new Counter({
      name: `${p}match_key_events_total`, help: 'Events queued carrying a match key (user_data field), by destination, event name and key', labelNames: ['destination', 'event_name', 'key'], registers: [registry],
      collect() {
        if (!coverage) return;
        this.reset();
        for (const r of coverage()) {
          for (const [key, n] of Object.entries(r.keys)) this.inc({ destination: r.destination, event_name: r.event_name, key }, n);
        }
      },
    }),
    paused: new Gauge({ name: `${p}destination_paused`, help: '1 while a destination is paused: Meta refused the request itself (token, permission, pixel, path, version, unknown code); its events are kept and /readyz says why', labelNames: ['destination'], registers: [registry] }),
    outboxDepth: new Gauge({
      name: `${p}outbox_depth`, help: 'Events waiting in the outbox, by destination', labelNames: ['destination'], registers: [registry],
      async collect() {
        if (!depthOf) return;
        for (const d of destinationIds) {
          try {
            this.set({ destination: d }, await depthOf(d));
          } catch {
            // outbox unreachable: keep the last value; /readyz reports it
          }
        }
      },
    }),
    deadLetters: new Gauge({
      name: `${p}dead_letters`, help: 'Dead letters stored, by destination (bounded: DEAD_LETTER_MAX_COUNT / _BYTES)', labelNames: ['destination'], registers: [registry],
      async collect() { await fromStatus(this, (s) => s.deadLetters); },
    }),
    deadLetterBytes: new Gauge({
      name: `${p}dead_letter_bytes`, help: 'Bytes of stored dead letters (event + error JSON), by destination', labelNames: ['destination'], registers: [registry],
      async collect() { await fromStatus(this, (s) => s.deadLetterBytes); },
    }),
    deadLettersEvicted: new Counter({ name: `${p}dead_letters_evicted_total`, help: 'Oldest dead letters evicted to keep the store within its bounds', registers: [registry] }),
    storageFull: new Gauge({
      name: `${p}outbox_storage_full`, help: '1 while the outbox storage is full (SQLITE_FULL / OUTBOX_MAX_BYTES, Redis OOM): ingestion answers 503 storage_full', registers: [registry],
      async collect() {
        try {
          let full = 0;
          for (const s of (await statuses()).values()) if (s.storageFull) full = 1;
          this.set(full);
        } catch {
          // outbox unreachable: keep the last value
        }
      },
    }),
  };
  for (const s of EVENT_SOURCES) {
    m.received.inc({ source: s }, 0);
    for (const r of [...DROP_REASONS, ...HTTP_DROP_REASONS]) m.dropped.inc({ reason: r, source: s }, 0);
  }
  for (const d of destinationIds) {
    m.sent.inc({ destination: d }, 0);
    m.enqueued.inc({ destination: d }, 0);
    m.paused.set({ destination: d }, 0);
    for (const k of ['retry', 'throttled', 'unnamed_refusal']) m.retried.inc({ destination: d, kind: k }, 0);
    for (const r of DEAD_LETTER_REASONS) m.deadLettered.inc({ destination: d, reason: r }, 0);
  }
  return m;
}
