import type { ActionSource, DestinationConfig, MatchPolicy } from '../mapping/types.js';
import { MAX_EVENTS_PER_REQUEST } from '../meta/rules.js';
import type { Secret } from './secret.js';

/** What a config file may contain (JSON). Every field is optional; env variables override scalars. */
export interface ConfigFile {
  port?: number;
  host?: string;
  graphUrl?: string;
  apiVersion?: string;
  apiKeys?: string[];
  allowedOrigins?: string[];
  outbox?: string;
  outboxThread?: boolean;
  mapWorkers?: number;
  deliveryEnabled?: boolean;
  trustProxy?: boolean | number | string;
  cookieDomain?: string;
  logLevel?: string;
  tagJsPath?: string;
  metricsRequireKey?: boolean;
  /** Keys accepted by /status and /status.json only (in addition to apiKeys). */
  statusKeys?: string[];
  destinations?: ConfigFileDestination[];
  limits?: Partial<Limits>;
  delivery?: Partial<DeliverySettings>;
  rateLimit?: Partial<RateLimitSettings>;
  shutdownTimeoutMs?: number;
}

export interface ConfigFileDestination {
  id?: string;
  pixelId: string;
  accessToken: string;
  consentCategory?: string;
  /** Default `meta-baseline`; `commanders-act` is the seed connector's stricter rule. */
  matchPolicy?: MatchPolicy;
  contentType?: 'product' | 'product_group' | null;
  defaultActionSource?: ActionSource;
  defaultPhoneCountry?: string;
  sendAllProperties?: boolean;
  testEventCode?: string;
  appSecret?: string;
  apiVersion?: string;
}

/** A destination with what delivery needs on top of the mapping settings. */
export interface ResolvedDestination extends DestinationConfig {
  accessToken: Secret;
  appSecret?: Secret;
  testEventCode?: string;
  apiVersion: string;
}

export interface Limits {
  /** Max bytes of a /collect body. */
  collectBodyBytes: number;
  /** Max events in one /collect body (`{batch:[…]}`). */
  collectMaxBatch: number;
  /** Max bytes of a /v1/events or /v1/preview body. */
  apiBodyBytes: number;
  /** Max events in one /v1/events batch (at most Meta's MAX_EVENTS_PER_REQUEST). */
  apiMaxBatch: number;
  /** Max bytes of a /v1/events/csv upload. */
  csvBodyBytes: number;
  /** Conversions enqueued per outbox transaction while streaming a CSV. */
  csvChunk: number;
  /** Bad rows listed in a CSV reply (the count is always complete). */
  csvMaxBadRows: number;
  /** Max outbox entries (all destinations) before ingestion answers 503 `outbox_full`. */
  outboxMaxDepth: number;
  /** Events remembered for `/v1/sent`. */
  sentLogSize: number;
  /** Dead letters kept (SQLite: whole file; Redis: per destination); the oldest are evicted beyond it. */
  deadLetterMaxCount: number;
  /** Bytes of dead letters (event + error JSON) kept, same scope; the oldest are evicted beyond it. */
  deadLetterMaxBytes: number;
  /** SQLite: size cap of the outbox file in bytes (0 = none); ingestion answers 503 `storage_full` from 95 % of it. */
  outboxMaxBytes: number;
}

export interface DeliverySettings {
  /** Events per Graph request (at most Meta's MAX_EVENTS_PER_REQUEST). */
  batchSize: number;
  /** Longest wait before a partial batch is sent. */
  flushIntervalMs: number;
  /** Graph requests in flight per destination. */
  concurrency: number;
  /**
   * Kept so existing configs load; no longer dead-letters anything. Retries are bounded by time (the
   * event's own window, `too_old`), and a per-event rejection is dead-lettered at once.
   */
  maxAttempts: number;
  /** Optional extra cap: no retry after this long in the outbox (`retry_window_expired`). 0 (default) = only the event's window. */
  maxRetryAgeMs: number;
  /** How long a claimed batch stays invisible to other claimers. */
  leaseMs: number;
  requestTimeoutMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** While a destination is paused (auth error), how often one batch is tried. */
  authProbeIntervalMs: number;
}

export interface RateLimitSettings {
  /** Sustained /collect requests per second per client IP. 0 disables. */
  perSecond: number;
  burst: number;
  /** Client IPs tracked at once (least recently seen are forgotten first). */
  maxTrackedIps: number;
}

export interface ResolvedConfig {
  port: number;
  host: string;
  graphUrl: string;
  destinations: ResolvedDestination[];
  apiKeys: Secret[];
  /** Exact origins (`https://shop.example`), `https://*.example.com` wildcards, or `*`. */
  allowedOrigins: string[];
  outboxUrl: string;
  /** SQLite outbox on a worker thread (default true; `OUTBOX_THREAD=false` runs it on the main thread). */
  outboxThread?: boolean;
  /** Mapping worker threads for large `POST /v1/events` batches (`MAP_WORKERS`; 0 = map inline; default min(2, cores - 1)). */
  mapWorkers?: number;
  /**
   * Run the delivery loop in this process (default true). `DELIVERY_ENABLED=false` makes an ingest-only
   * instance: it queues events and never sends them (another instance sharing the outbox delivers them).
   */
  deliveryEnabled?: boolean;
  /** Express `trust proxy` value. */
  trustProxy: boolean | number | string;
  cookieDomain?: string;
  logLevel: string;
  tagJsPath?: string;
  metricsRequireKey: boolean;
  /** Keys that open /status and /status.json only (`STATUS_KEYS`), in addition to `apiKeys`. */
  statusKeys?: Secret[];
  limits: Limits;
  delivery: DeliverySettings;
  rateLimit: RateLimitSettings;
  shutdownTimeoutMs: number;
}

export const DEFAULT_API_VERSION = 'v24.0';
export const DEFAULT_GRAPH_URL = 'https://graph.facebook.com';
export const DEFAULT_OUTBOX = 'sqlite:./data/outbox.db';

export const DEFAULT_LIMITS: Limits = {
  collectBodyBytes: 64 * 1024,
  collectMaxBatch: 50,
  apiBodyBytes: 8 * 1024 * 1024,
  apiMaxBatch: MAX_EVENTS_PER_REQUEST,
  csvBodyBytes: 200 * 1024 * 1024,
  csvChunk: 500,
  csvMaxBadRows: 100,
  outboxMaxDepth: 1_000_000,
  sentLogSize: 10_000,
  deadLetterMaxCount: 100_000,
  deadLetterMaxBytes: 256 * 1024 * 1024,
  outboxMaxBytes: 0,
};

export const DEFAULT_DELIVERY: DeliverySettings = {
  batchSize: MAX_EVENTS_PER_REQUEST,
  flushIntervalMs: 250,
  concurrency: 4,
  maxAttempts: 50,
  maxRetryAgeMs: 0,
  leaseMs: 60_000,
  requestTimeoutMs: 15_000,
  backoffBaseMs: 1000,
  backoffMaxMs: 5 * 60_000,
  authProbeIntervalMs: 60_000,
};

export const DEFAULT_RATE_LIMIT: RateLimitSettings = { perSecond: 20, burst: 100, maxTrackedIps: 100_000 };
