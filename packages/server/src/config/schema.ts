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

/** The resolved settings; what each means is documented in its settings table (settings.ts). */
export interface ResolvedConfig {
  port: number;
  host: string;
  graphUrl: string;
  destinations: ResolvedDestination[];
  apiKeys: Secret[];
  allowedOrigins: string[];
  outboxUrl: string;
  outboxThread?: boolean;
  mapWorkers?: number;
  deliveryEnabled?: boolean;
  trustProxy: boolean | number | string;
  cookieDomain?: string;
  logLevel: string;
  tagJsPath?: string;
  metricsRequireKey: boolean;
  statusKeys?: Secret[];
  limits: Limits;
  delivery: DeliverySettings;
  rateLimit: RateLimitSettings;
  shutdownTimeoutMs: number;
}
