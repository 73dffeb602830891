import type { DestinationConfig } from '../mapping/types.js';
import type { Secret } from './secret.js';
import type { DeliverySettings, Limits, RateLimitSettings } from './settings.js';

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
