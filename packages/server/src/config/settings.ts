import { cookieDomainProblem } from '../http/cookies.js';
import { ACTION_SOURCES, type ActionSource, type MatchPolicy } from '../mapping/types.js';
import { MAX_EVENTS_PER_REQUEST, MAX_OFFLINE_EVENT_AGE_S } from '../meta/rules.js';
import {
  apiVersion, bool, ConfigError, int, keys, oneOf, origins, outboxUrl, show, str, trustProxy, url, type Parse,
} from './parse.js';

/**
 * One setting: where it is read (config-file key, environment variable), how (parser, which names the field in
 * its errors), its default and what it means. These tables drive resolveConfig(), the list of environment
 * variables read, and the settings table of the server README (settings.test.ts keeps it in step).
 */
export interface Setting<T> {
  /** Environment variable (wins over the file). */
  env?: string;
  parse: Parse<T>;
  /** The environment variable's parser when it differs (another unit). */
  parseEnv?: Parse<T>;
  /** undefined: unset unless given. */
  default: T | undefined;
  /** The README's default column when `default` alone does not say it. */
  shownDefault?: string;
  doc: string;
}

const setting = <T>(s: Setting<T>): Setting<T> => s;
const HOUR_MS = 3_600_000;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const MATCH_POLICIES: readonly MatchPolicy[] = ['commanders-act', 'meta-baseline', 'none'];

/** Top-level settings (config file key = table key). */
export const SETTINGS = {
  port: setting({ env: 'PORT', parse: int(0, 65535), default: 8080, doc: 'Listen port. `PORT=0` picks a free port; the URL is printed in the `listening` log line.' }),
  host: setting({ env: 'HOST', parse: str, default: '0.0.0.0', doc: 'Listen address.' }),
  graphUrl: setting({ env: 'FB_GRAPH_URL', parse: url, default: 'https://graph.facebook.com', doc: 'Graph base URL (the meta-sandbox in tests and in the demo).' }),
  apiVersion: setting({ env: 'FB_API_VERSION', parse: apiVersion, default: 'v24.0', doc: 'Graph API version (`vNN.N`); the default of every destination.' }),
  apiKeys: setting({
    env: 'API_KEYS', parse: keys('API key'), default: [], shownDefault: 'none',
    doc: 'Comma-separated keys (≥ 16 chars) for `/v1/*` and `/metrics`. With no key, those endpoints answer 401.',
  }),
  allowedOrigins: setting({
    env: 'ALLOWED_ORIGINS', parse: origins, default: [], shownDefault: 'none',
    doc: 'Comma-separated origins allowed to POST `/collect`: `https://shop.example`, `https://*.shop.example`, or `*`. Same-origin requests are always allowed.',
  }),
  outbox: setting({ env: 'OUTBOX', parse: outboxUrl, default: 'sqlite:./data/outbox.db', doc: '`sqlite:<path>`, or `redis://host:port[/db]` (Redis Streams backend, see its section).' }),
  outboxThread: setting({
    env: 'OUTBOX_THREAD', parse: bool, default: undefined, shownDefault: '`true`',
    doc: 'SQLite only: run the database on a worker thread (off the HTTP event loop). `false` runs it inline.',
  }),
  mapWorkers: setting({
    env: 'MAP_WORKERS', parse: int(0, 64), default: undefined, shownDefault: 'min(2, cores − 1), ≥ 1',
    doc: 'Worker threads that parse and map `POST /v1/events` bodies of ≥ 16 KiB off the HTTP event loop (same replies; a busy, crashed or slow worker means that request is mapped inline). `0` maps everything inline.',
  }),
  deliveryEnabled: setting({
    env: 'DELIVERY_ENABLED', parse: bool, default: true,
    doc: '`false` runs an ingest-only instance: events are accepted and durably queued, never sent by this process (deliver them from other instances sharing a Redis outbox, or a later process on the same SQLite file).',
  }),
  trustProxy: setting<boolean | number | string>({
    env: 'TRUST_PROXY', parse: trustProxy, default: false,
    doc: 'Express `trust proxy`: `true`, a hop count, `loopback`, CIDRs… Only then are `X-Forwarded-For/-Host/-Proto` used.',
  }),
  cookieDomain: setting({
    env: 'COOKIE_DOMAIN', default: undefined, shownDefault: 'derived', doc: 'Domain for the `_fbp`/`_fbc` refresh cookies (see below).',
    parse: (field, raw) => {
      const domain = str(field, raw).replace(/^\./, '').toLowerCase();
      const problem = cookieDomainProblem(domain);
      if (problem !== undefined) throw new ConfigError(field, problem);
      return domain;
    },
  }),
  logLevel: setting<string>({ env: 'LOG_LEVEL', parse: oneOf(LOG_LEVELS), default: 'info', doc: 'pino level. The `listening` line is always printed.' }),
  tagJsPath: setting({ env: 'TAG_JS_PATH', parse: str, default: undefined, shownDefault: '`@capi-bridge/web-tag/tag.js`', doc: 'File served at `/tag.js`; `/tag-debug.js` (imported by the tag with `debug`) is the file of that name next to it.' }),
  metricsRequireKey: setting({ env: 'METRICS_REQUIRE_KEY', parse: bool, default: true, doc: '`false` serves `/metrics` without a key.' }),
  statusKeys: setting({
    env: 'STATUS_KEYS', parse: keys('status key'), default: [], shownDefault: 'unset',
    doc: 'Comma-separated keys (≥ 16 characters) that open `/status` and `/status.json` only, in addition to `API_KEYS`: for operators or dashboards that must not send events.',
  }),
  shutdownTimeoutMs: setting({ env: 'SHUTDOWN_TIMEOUT_MS', parse: int(0, 600_000), default: 10_000, doc: 'Drain deadline on SIGTERM/SIGINT.' }),
};

const n = (min: number, max: number, def: number, doc: string, env?: string): Setting<number> =>
  env === undefined ? { parse: int(min, max), default: def, doc } : { env, parse: int(min, max), default: def, doc };

/** `limits` in the config file. */
export const LIMIT_SETTINGS = {
  collectBodyBytes: n(256, 1024 * 1024, 64 * 1024, 'Max bytes of a /collect body.'),
  collectMaxBatch: n(1, MAX_EVENTS_PER_REQUEST, 50, 'Max events in one /collect body.'),
  apiBodyBytes: n(1024, 64 * 1024 * 1024, 8 * 1024 * 1024, 'Max bytes of a /v1/events or /v1/preview body.'),
  apiMaxBatch: n(1, MAX_EVENTS_PER_REQUEST, MAX_EVENTS_PER_REQUEST, 'Max events in one /v1/events batch.'),
  csvBodyBytes: n(1024, 10 * 1024 ** 3, 200 * 1024 * 1024, 'Max bytes of a /v1/events/csv upload.'),
  csvChunk: n(1, MAX_EVENTS_PER_REQUEST, 500, 'Conversions enqueued per outbox transaction while streaming a CSV.'),
  csvMaxBadRows: n(0, 100_000, 100, 'Bad rows listed in a CSV reply.'),
  outboxMaxDepth: n(1, 100_000_000, 1_000_000, 'Beyond this, ingestion answers 503 `outbox_full`.', 'OUTBOX_MAX_DEPTH'),
  sentLogSize: n(0, 1_000_000, 10_000, 'Events remembered for `/v1/sent`.'),
  deadLetterMaxCount: n(1, 100_000_000, 100_000, 'Dead letters kept (SQLite: the whole file; Redis: per destination). Beyond it the oldest are evicted, counted in `dead_letters_evicted_total` and logged.', 'DEAD_LETTER_MAX_COUNT'),
  deadLetterMaxBytes: { ...n(1024, 1024 ** 4, 256 * 1024 * 1024, 'Bytes of dead letters (event + error JSON) kept, same scope and eviction as the count.', 'DEAD_LETTER_MAX_BYTES'), shownDefault: '`268435456` (256 MiB)' },
  outboxMaxBytes: {
    ...n(0, 1024 ** 5, 0, 'SQLite: size cap of the outbox file (`PRAGMA max_page_count`). From 95 % of it ingestion answers 503 `storage_full` and `/readyz` is not ready; the last 5 % stay for delivery (leases, retries, dead letters), which frees space as Meta accepts events. Set it below the filesystem\'s free space.', 'OUTBOX_MAX_BYTES'),
    shownDefault: '`0` (none)',
  },
};

/** `delivery` in the config file. */
export const DELIVERY_SETTINGS = {
  batchSize: n(1, MAX_EVENTS_PER_REQUEST, MAX_EVENTS_PER_REQUEST, `Events per Graph request (1..${MAX_EVENTS_PER_REQUEST}).`, 'BATCH_SIZE'),
  flushIntervalMs: n(1, 60_000, 250, 'Longest wait before a partial batch is sent.', 'FLUSH_INTERVAL_MS'),
  concurrency: n(1, 64, 4, 'Graph requests in flight per destination.', 'DELIVERY_CONCURRENCY'),
  maxAttempts: n(1, 10_000, 50, 'Accepted for existing configs; dead-letters nothing. Retries are bounded by time (the event\'s window), see below.', 'MAX_ATTEMPTS'),
  maxRetryAgeMs: {
    ...n(0, MAX_OFFLINE_EVENT_AGE_S * 1000, 0, 'Optional cap: no retry after this long in the outbox (`retry_window_expired`, at most 62 days). By default only the event\'s own window (7 days, 62 for `physical_store`) ends its retries (`too_old`). The variable counts hours, the file\'s `maxRetryAgeMs` milliseconds.', 'MAX_RETRY_AGE_HOURS'),
    parseEnv: (field: string, raw: unknown) => int(0, MAX_OFFLINE_EVENT_AGE_S / 3600)(field, raw) * HOUR_MS,
    shownDefault: '`0` (off)',
  },
  leaseMs: n(100, HOUR_MS, 60_000, 'How long a claimed batch stays invisible to other claimers.', 'LEASE_MS'),
  requestTimeoutMs: n(100, 300_000, 15_000, 'Graph request timeout.', 'REQUEST_TIMEOUT_MS'),
  backoffBaseMs: n(1, HOUR_MS, 1000, 'First retry delay: exponential backoff with ±20 % jitter.', 'BACKOFF_BASE_MS'),
  backoffMaxMs: n(1, 24 * HOUR_MS, 5 * 60_000, 'Longest retry delay (≥ the base). Retry-After is honoured and capped at it.', 'BACKOFF_MAX_MS'),
  authProbeIntervalMs: n(100, 24 * HOUR_MS, 60_000, 'While a destination is paused, how often one batch is tried.', 'AUTH_PROBE_INTERVAL_MS'),
};

/** `rateLimit` in the config file. */
export const RATE_LIMIT_SETTINGS = {
  perSecond: n(0, 1_000_000, 20, 'Per-client token bucket on `/collect`, in **events** per second (a 50-event batch costs 50 tokens). IPv4 clients by address, IPv6 clients by /64. `0` disables it.', 'COLLECT_RATE_PER_SEC'),
  burst: n(1, 10_000_000, 100, 'The bucket\'s size (a batch never costs more than the burst).', 'COLLECT_RATE_BURST'),
  maxTrackedIps: n(1, 10_000_000, 100_000, 'Client IPs tracked at once (least recently seen are forgotten first).'),
};

/** The numeric groups of the config file. */
export const GROUPS = { limits: LIMIT_SETTINGS, delivery: DELIVERY_SETTINGS, rateLimit: RATE_LIMIT_SETTINGS };

export type Limits = Record<keyof typeof LIMIT_SETTINGS, number>;
export type DeliverySettings = Record<keyof typeof DELIVERY_SETTINGS, number>;
export type RateLimitSettings = Record<keyof typeof RATE_LIMIT_SETTINGS, number>;

/** The delivery defaults (tests start from them). */
export const DEFAULT_DELIVERY = Object.fromEntries(Object.entries(DELIVERY_SETTINGS).map(([k, s]) => [k, s.default])) as DeliverySettings;

const contentType: Parse<'product' | 'product_group' | null> = (field, raw) => {
  if (raw === null || raw === 'product' || raw === 'product_group') return raw;
  throw new ConfigError(field, `expected product, product_group or null, got ${show(raw)}`);
};

/**
 * A destination's settings: `destinations[i].<key>` in the file, or the single destination from FB_* variables
 * (FB_API_VERSION is the top-level apiVersion). `id` defaults to the pixel id.
 */
export const DESTINATION_SETTINGS = {
  id: setting<string | undefined>({ parse: str, default: undefined, doc: 'Destination id (metrics label, outbox key); default the pixel id.' }),
  pixelId: setting({
    env: 'FB_PIXEL_ID', default: undefined, shownDefault: '—', doc: 'Pixel (dataset) id. Sets up the single destination when the config file has no `destinations`.',
    parse: (field, raw) => {
      const v = str(field, raw);
      if (!/^\d{1,30}$/.test(v)) throw new ConfigError(field, `expected digits, got ${show(raw)}`);
      return v;
    },
  }),
  accessToken: setting({ env: 'FB_ACCESS_TOKEN', parse: str, default: undefined, shownDefault: '—', doc: 'Conversions API access token. Never logged or returned.' }),
  consentCategory: setting({ env: 'FB_CONSENT_CATEGORY', parse: (f, raw) => str(f, String(raw)), default: undefined, doc: 'Send only events whose `consent_categories` contain this id.' }),
  testEventCode: setting({ env: 'FB_TEST_EVENT_CODE', parse: str, default: undefined, doc: 'Adds `test_event_code` (Events Manager › Test events). Remove it in production.' }),
  appSecret: setting({ env: 'FB_APP_SECRET', parse: str, default: undefined, doc: 'Adds `appsecret_proof` = HMAC-SHA256(app secret, token).' }),
  // Default: drop only what Meta itself rejects; commanders-act is the seed-compatible, stricter choice.
  matchPolicy: setting<MatchPolicy>({
    env: 'FB_MATCH_POLICY', parse: oneOf(MATCH_POLICIES), default: 'meta-baseline',
    doc: '`meta-baseline` (drop only what Meta rejects) \\| `commanders-act` (the seed\'s stricter rule; drops anonymous visitors) \\| `none` (see [Match keys](../../README.md#match-keys)).',
  }),
  contentType: setting<'product' | 'product_group' | null>({
    env: 'FB_CONTENT_TYPE', default: 'product', doc: '`product` \\| `product_group` \\| `none`.',
    parse: contentType,
    parseEnv: (field, raw) => (raw === 'none' ? null : contentType(field, raw)),
  }),
  defaultActionSource: setting<ActionSource>({ env: 'FB_DEFAULT_ACTION_SOURCE', parse: oneOf(ACTION_SOURCES), default: 'website', doc: 'One of Meta\'s 9 `action_source` values.' }),
  defaultPhoneCountry: setting({
    env: 'FB_DEFAULT_PHONE_COUNTRY', default: undefined, doc: 'ISO-2 country for phone numbers written without a country code.',
    parse: (field, raw) => {
      const c = str(field, raw).toUpperCase();
      if (!/^[A-Z]{2}$/.test(c)) throw new ConfigError(field, `expected an ISO-3166 alpha-2 code, got ${show(raw)}`);
      return c;
    },
  }),
  sendAllProperties: setting({ env: 'FB_SEND_ALL_PROPERTIES', parse: bool, default: false, doc: 'Copy every scalar event property into `custom_data`.' }),
  apiVersion: setting<string | undefined>({ parse: apiVersion, default: undefined, doc: 'Graph API version of this destination; default the top-level apiVersion.' }),
};

/** Read from the environment only: the config file's own path. */
export const CONFIG_PATH_SETTING = setting<string | undefined>({ env: 'CAPI_BRIDGE_CONFIG', parse: str, default: undefined, doc: 'Path of the JSON config file (same as `--config`).' });

/** Every setting, for the README and the list of environment variables: [config-file path, setting]. */
export function allSettings(): Array<[string | undefined, Setting<unknown>]> {
  const out: Array<[string | undefined, Setting<unknown>]> = [];
  for (const [k, s] of Object.entries(DESTINATION_SETTINGS)) out.push([`destinations[].${k}`, s as Setting<unknown>]);
  for (const [k, s] of Object.entries(SETTINGS)) out.push([k, s as Setting<unknown>]);
  out.push([undefined, CONFIG_PATH_SETTING as Setting<unknown>]);
  for (const [g, table] of Object.entries(GROUPS)) for (const [k, s] of Object.entries(table)) out.push([`${g}.${k}`, s as Setting<unknown>]);
  return out;
}

type FileValues<T> = { [K in keyof T]?: T[K] extends Setting<infer V> ? Exclude<V, undefined> : never };

/** What a config file may contain (JSON), as the tables above read it. Env variables override scalars. */
export type ConfigFile = FileValues<typeof SETTINGS> & {
  destinations?: ConfigFileDestination[];
  limits?: Partial<Limits>;
  delivery?: Partial<DeliverySettings>;
  rateLimit?: Partial<RateLimitSettings>;
};

export type ConfigFileDestination = FileValues<typeof DESTINATION_SETTINGS> & { pixelId: string; accessToken: string };
