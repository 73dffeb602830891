import type { DestinationConfig } from '../mapping/types.js';
import { MAX_EVENTS_PER_REQUEST } from '../meta/rules.js';
import type { Secret } from './secret.js';

/** A destination with what delivery needs on top of the mapping settings. */
export interface ResolvedDestination extends DestinationConfig {
  accessToken: Secret;
  appSecret?: Secret;
  testEventCode?: string;
  apiVersion: string;
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

/** `limits`, `delivery` and `rateLimit`: what each means is documented in their settings tables (settings.ts). */
export type Limits = typeof DEFAULT_LIMITS;
export type DeliverySettings = typeof DEFAULT_DELIVERY;
export type RateLimitSettings = typeof DEFAULT_RATE_LIMIT;

export const DEFAULT_LIMITS = {
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

export const DEFAULT_DELIVERY = {
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

export const DEFAULT_RATE_LIMIT = { perSecond: 20, burst: 100, maxTrackedIps: 100_000 };
