/**
 * The one place that reads process.env. Everything else receives an `EnvInput` (a plain record), so tests
 * pass their own and nothing deep in the code depends on the process environment.
 */
export const ENV_NAMES = [
  'FB_PIXEL_ID', 'FB_ACCESS_TOKEN', 'FB_CONSENT_CATEGORY', 'FB_TEST_EVENT_CODE', 'FB_API_VERSION', 'FB_GRAPH_URL',
  'FB_APP_SECRET', 'FB_MATCH_POLICY', 'FB_CONTENT_TYPE', 'FB_DEFAULT_ACTION_SOURCE', 'FB_DEFAULT_PHONE_COUNTRY',
  'FB_SEND_ALL_PROPERTIES',
  'PORT', 'HOST', 'API_KEYS', 'ALLOWED_ORIGINS', 'OUTBOX', 'OUTBOX_THREAD', 'MAP_WORKERS', 'DELIVERY_ENABLED', 'TRUST_PROXY', 'COOKIE_DOMAIN', 'LOG_LEVEL',
  'CAPI_BRIDGE_CONFIG', 'TAG_JS_PATH', 'METRICS_REQUIRE_KEY', 'STATUS_KEYS',
  'BATCH_SIZE', 'FLUSH_INTERVAL_MS', 'DELIVERY_CONCURRENCY', 'MAX_ATTEMPTS', 'MAX_RETRY_AGE_HOURS', 'LEASE_MS',
  'REQUEST_TIMEOUT_MS', 'BACKOFF_BASE_MS', 'BACKOFF_MAX_MS', 'AUTH_PROBE_INTERVAL_MS', 'OUTBOX_MAX_DEPTH',
  'COLLECT_RATE_PER_SEC', 'COLLECT_RATE_BURST', 'SHUTDOWN_TIMEOUT_MS',
  'DEAD_LETTER_MAX_COUNT', 'DEAD_LETTER_MAX_BYTES', 'OUTBOX_MAX_BYTES',
] as const;
export type EnvName = (typeof ENV_NAMES)[number];
export type EnvInput = Partial<Record<EnvName, string>>;

export function readEnv(env: NodeJS.ProcessEnv = process.env): EnvInput {
  const out: EnvInput = {};
  for (const name of ENV_NAMES) {
    const v = env[name];
    if (v !== undefined && v !== '') out[name] = v;
  }
  return out;
}
