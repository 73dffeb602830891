import type { ResolvedConfig } from './schema.js';

/** A configuration that starts but is open or useless: the setting to look at and what it means. */
export interface ConfigWarning {
  field: string;
  message: string;
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Warnings for the startup log (pure: names settings, never echoes a secret). */
export function configWarnings(config: ResolvedConfig): ConfigWarning[] {
  const out: ConfigWarning[] = [];
  const noKeys = config.apiKeys.length === 0;
  const noOrigins = config.allowedOrigins.length === 0;
  if (noKeys && noOrigins) {
    out.push({
      field: 'API_KEYS, ALLOWED_ORIGINS',
      message: 'both unset: /v1/events, /v1/sent and /status answer 401 to everyone (unless STATUS_KEYS opens /status), and /collect accepts only pages served by this server itself (same origin); set ALLOWED_ORIGINS to your site\'s origin and API_KEYS for server-to-server calls',
    });
  } else if (noKeys) {
    out.push({ field: 'API_KEYS', message: 'unset: /v1/events, /v1/events/csv, /v1/preview, /v1/sent and /status answer 401 to everyone (only /collect is usable)' });
  } else if (noOrigins) {
    out.push({ field: 'ALLOWED_ORIGINS', message: 'unset: /collect refuses every page not served by this server (403 origin_refused); set it to your site\'s origin, e.g. https://shop.example' });
  }
  if (config.allowedOrigins.includes('*')) {
    out.push({ field: 'ALLOWED_ORIGINS', message: '"*": any website can send events to your pixel through /collect; list your own origins instead' });
  }
  for (const o of config.allowedOrigins) {
    if (!o.startsWith('http://')) continue;
    const host = o.slice(7).replace(/:\d+$/, '');
    if (!LOCAL_HOSTS.has(host)) out.push({ field: 'ALLOWED_ORIGINS', message: `${o}: plain http origin; browsers send cookies and events from https pages, list the https origin` });
  }
  if (!config.metricsRequireKey) {
    out.push({ field: 'METRICS_REQUIRE_KEY', message: 'false: /metrics is public (event counts, destinations, coverage); keep the port private or require the key' });
  }
  if (config.trustProxy === true) {
    out.push({ field: 'TRUST_PROXY', message: 'true trusts every X-Forwarded-For hop: a client can set its own IP (client_ip_address, rate limit); use the proxy count (1) or its address' });
  }
  if (config.deliveryEnabled === false) {
    out.push({ field: 'DELIVERY_ENABLED', message: 'false: events are queued and never sent by this instance (another instance sharing OUTBOX must deliver them)' });
  }
  return out;
}
