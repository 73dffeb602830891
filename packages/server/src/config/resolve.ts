import { ACTION_SOURCES, type ActionSource, type MatchPolicy } from '../mapping/types.js';
import { cookieDomainProblem } from '../http/cookies.js';
import { parseOutboxUrl } from '../outbox/url.js';
import { redactUrl, redactUrlsInText } from '../redact-url.js';
import type { EnvInput } from './env.js';
import {
  DEFAULT_API_VERSION, DEFAULT_DELIVERY, DEFAULT_GRAPH_URL, DEFAULT_LIMITS, DEFAULT_OUTBOX, DEFAULT_RATE_LIMIT,
  SEVEN_DAYS_MS, SIXTY_TWO_DAYS_MS,
  type ConfigFile, type ConfigFileDestination, type DeliverySettings, type Limits, type RateLimitSettings,
  type ResolvedConfig, type ResolvedDestination,
} from './schema.js';
import { Secret } from './secret.js';

/** A bad configuration value. `field` names it as the user wrote it (env name or file path). */
export class ConfigError extends Error {
  constructor(readonly field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'ConfigError';
  }
}

export interface ResolveInput {
  env?: EnvInput;
  file?: ConfigFile;
  /** The dead-letters CLI only needs the outbox. */
  requireDestinations?: boolean;
}

const VERSION_RE = /^v\d{1,3}\.\d$/;
const PIXEL_RE = /^\d{1,30}$/;
const MATCH_POLICIES: readonly MatchPolicy[] = ['commanders-act', 'meta-baseline', 'none'];
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

const show = (v: unknown): string => JSON.stringify(v) ?? String(v);

function int(field: string, raw: unknown, min: number, max: number): number {
  const n = typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw) : raw;
  if (typeof n !== 'number' || !Number.isInteger(n)) throw new ConfigError(field, `expected an integer, got ${show(raw)}`);
  if (n < min || n > max) throw new ConfigError(field, `expected ${min}..${max}, got ${n}`);
  return n;
}

function bool(field: string, raw: unknown): boolean {
  if (typeof raw === 'boolean') return raw;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(field, `expected true or false, got ${show(raw)}`);
}

function str(field: string, raw: unknown): string {
  if (typeof raw !== 'string' || raw.trim() === '') throw new ConfigError(field, `expected a non-empty string, got ${show(raw)}`);
  return raw.trim();
}

function list(field: string, raw: unknown): string[] {
  if (typeof raw === 'string') return raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (Array.isArray(raw) && raw.every((s) => typeof s === 'string')) return raw.map((s: string) => s.trim()).filter(Boolean);
  throw new ConfigError(field, `expected a comma-separated string or an array of strings, got ${show(raw)}`);
}

function apiVersion(field: string, raw: unknown): string {
  const v = str(field, raw);
  if (!VERSION_RE.test(v)) throw new ConfigError(field, `expected vNN.N, got ${show(raw)}`);
  return v;
}

function url(field: string, raw: unknown): string {
  const v = str(field, raw);
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new ConfigError(field, `expected an http(s) URL, got ${show(redactUrlsInText(v))}`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new ConfigError(field, `expected an http(s) URL, got ${show(redactUrl(v))}`);
  return v.replace(/\/+$/, '');
}

function origin(field: string, raw: string): string {
  if (raw === '*') return raw;
  const m = /^(https?):\/\/(\*\.)?([a-z0-9.-]+|\[[0-9a-f:]+\])(:\d{1,5})?\/?$/i.exec(raw);
  if (!m) throw new ConfigError(field, `expected origins like https://shop.example.com or https://*.example.com, got ${show(raw)}`);
  return raw.toLowerCase().replace(/\/$/, '');
}

function outboxUrl(field: string, raw: unknown): string {
  const v = str(field, raw);
  const target = parseOutboxUrl(v);
  if (target.kind === 'invalid') throw new ConfigError(field, target.problem);
  return v;
}

function trustProxy(field: string, raw: unknown): boolean | number | string {
  if (typeof raw === 'boolean' || typeof raw === 'number') return raw;
  if (typeof raw !== 'string') throw new ConfigError(field, `expected true, false, a hop count or a list of addresses, got ${show(raw)}`);
  if (raw === 'true' || raw === 'false') return raw === 'true';
  if (/^\d+$/.test(raw)) return Number(raw);
  return raw; // express accepts 'loopback', 'uniquelocal', CIDRs, comma lists
}

function destination(path: string, d: ConfigFileDestination, fallbackVersion: string): ResolvedDestination {
  if (typeof d !== 'object' || d === null) throw new ConfigError(path, `expected an object, got ${show(d)}`);
  const pixelId = str(`${path}.pixelId`, d.pixelId);
  if (!PIXEL_RE.test(pixelId)) throw new ConfigError(`${path}.pixelId`, `expected digits, got ${show(d.pixelId)}`);
  const accessToken = new Secret(str(`${path}.accessToken`, d.accessToken));
  // Default: drop only what Meta itself rejects; commanders-act is the seed-compatible, stricter choice.
  const matchPolicy = d.matchPolicy ?? 'meta-baseline';
  if (!MATCH_POLICIES.includes(matchPolicy)) {
    throw new ConfigError(`${path}.matchPolicy`, `expected one of ${MATCH_POLICIES.join(', ')}, got ${show(d.matchPolicy)}`);
  }
  const contentType = d.contentType === undefined ? 'product' : d.contentType;
  if (contentType !== null && contentType !== 'product' && contentType !== 'product_group') {
    throw new ConfigError(`${path}.contentType`, `expected product, product_group or null, got ${show(d.contentType)}`);
  }
  const defaultActionSource = d.defaultActionSource ?? 'website';
  if (!(ACTION_SOURCES as readonly string[]).includes(defaultActionSource)) {
    throw new ConfigError(`${path}.defaultActionSource`, `expected one of ${ACTION_SOURCES.join(', ')}, got ${show(d.defaultActionSource)}`);
  }
  const out: ResolvedDestination = {
    id: d.id === undefined ? pixelId : str(`${path}.id`, d.id),
    pixelId,
    accessToken,
    matchPolicy,
    contentType,
    defaultActionSource: defaultActionSource as ActionSource,
    sendAllProperties: d.sendAllProperties === undefined ? false : bool(`${path}.sendAllProperties`, d.sendAllProperties),
    apiVersion: d.apiVersion === undefined ? fallbackVersion : apiVersion(`${path}.apiVersion`, d.apiVersion),
  };
  if (d.consentCategory !== undefined) out.consentCategory = str(`${path}.consentCategory`, String(d.consentCategory));
  if (d.defaultPhoneCountry !== undefined) {
    const c = str(`${path}.defaultPhoneCountry`, d.defaultPhoneCountry).toUpperCase();
    if (!/^[A-Z]{2}$/.test(c)) throw new ConfigError(`${path}.defaultPhoneCountry`, `expected an ISO-3166 alpha-2 code, got ${show(d.defaultPhoneCountry)}`);
    out.defaultPhoneCountry = c;
  }
  if (d.testEventCode !== undefined) out.testEventCode = str(`${path}.testEventCode`, d.testEventCode);
  if (d.appSecret !== undefined) out.appSecret = new Secret(str(`${path}.appSecret`, d.appSecret));
  return out;
}

/** Overlays numeric settings: file values, then env values, each range-checked and named. */
function numbers<T extends object>(
  prefix: string, defaults: T, file: Partial<T> | undefined, env: Partial<Record<keyof T, [string, string | undefined]>>,
  ranges: Record<keyof T, [number, number]>,
): T {
  const out = { ...defaults };
  if (file !== undefined && (typeof file !== 'object' || file === null)) throw new ConfigError(prefix, `expected an object, got ${show(file)}`);
  for (const key of Object.keys(file ?? {}) as Array<keyof T>) {
    if (!(key in defaults)) throw new ConfigError(`${prefix}.${String(key)}`, 'unknown setting');
    const [min, max] = ranges[key];
    (out as Record<keyof T, number>)[key] = int(`${prefix}.${String(key)}`, (file as Record<keyof T, unknown>)[key], min, max);
  }
  for (const key of Object.keys(env) as Array<keyof T>) {
    const [name, raw] = env[key] as [string, string | undefined];
    if (raw === undefined) continue;
    const [min, max] = ranges[key];
    (out as Record<keyof T, number>)[key] = int(name, raw, min, max);
  }
  return out;
}

/**
 * Env + config file → a fully typed, validated config. Precedence: env over file over defaults.
 * Destinations come from the file's `destinations`, else from FB_PIXEL_ID + FB_ACCESS_TOKEN.
 * Throws ConfigError naming the field on the first bad value.
 */
export function resolveConfig(input: ResolveInput = {}): ResolvedConfig {
  const env = input.env ?? {};
  const file = input.file ?? {};
  if (typeof file !== 'object' || file === null || Array.isArray(file)) throw new ConfigError('config', 'expected a JSON object');
  const known = new Set(['port', 'host', 'graphUrl', 'apiVersion', 'apiKeys', 'allowedOrigins', 'outbox', 'outboxThread', 'mapWorkers', 'deliveryEnabled', 'trustProxy', 'cookieDomain',
    'logLevel', 'tagJsPath', 'metricsRequireKey', 'statusKeys', 'destinations', 'limits', 'delivery', 'rateLimit', 'shutdownTimeoutMs']);
  for (const k of Object.keys(file)) if (!known.has(k)) throw new ConfigError(`config.${k}`, 'unknown setting');

  const version = env.FB_API_VERSION !== undefined ? apiVersion('FB_API_VERSION', env.FB_API_VERSION)
    : file.apiVersion !== undefined ? apiVersion('config.apiVersion', file.apiVersion) : DEFAULT_API_VERSION;

  let destinations: ResolvedDestination[];
  if (file.destinations !== undefined) {
    if (!Array.isArray(file.destinations)) throw new ConfigError('config.destinations', 'expected an array');
    destinations = file.destinations.map((d, i) => destination(`config.destinations[${i}]`, d, version));
  } else if (env.FB_PIXEL_ID !== undefined || env.FB_ACCESS_TOKEN !== undefined) {
    if (env.FB_PIXEL_ID === undefined) throw new ConfigError('FB_PIXEL_ID', 'missing (FB_ACCESS_TOKEN is set)');
    if (env.FB_ACCESS_TOKEN === undefined) throw new ConfigError('FB_ACCESS_TOKEN', 'missing (FB_PIXEL_ID is set)');
    const d: ConfigFileDestination = { pixelId: env.FB_PIXEL_ID, accessToken: env.FB_ACCESS_TOKEN };
    if (env.FB_CONSENT_CATEGORY !== undefined) d.consentCategory = env.FB_CONSENT_CATEGORY;
    if (env.FB_TEST_EVENT_CODE !== undefined) d.testEventCode = env.FB_TEST_EVENT_CODE;
    if (env.FB_APP_SECRET !== undefined) d.appSecret = env.FB_APP_SECRET;
    if (env.FB_MATCH_POLICY !== undefined) d.matchPolicy = env.FB_MATCH_POLICY as MatchPolicy;
    if (env.FB_CONTENT_TYPE !== undefined) d.contentType = env.FB_CONTENT_TYPE === 'none' ? null : env.FB_CONTENT_TYPE as 'product';
    if (env.FB_DEFAULT_ACTION_SOURCE !== undefined) d.defaultActionSource = env.FB_DEFAULT_ACTION_SOURCE as ActionSource;
    if (env.FB_DEFAULT_PHONE_COUNTRY !== undefined) d.defaultPhoneCountry = env.FB_DEFAULT_PHONE_COUNTRY;
    if (env.FB_SEND_ALL_PROPERTIES !== undefined) d.sendAllProperties = bool('FB_SEND_ALL_PROPERTIES', env.FB_SEND_ALL_PROPERTIES);
    try {
      destinations = [destination('FB', d, version)];
    } catch (e) {
      // Name the env variable rather than the internal path.
      if (e instanceof ConfigError) {
        const envName: Record<string, string> = {
          'FB.pixelId': 'FB_PIXEL_ID', 'FB.accessToken': 'FB_ACCESS_TOKEN', 'FB.matchPolicy': 'FB_MATCH_POLICY',
          'FB.contentType': 'FB_CONTENT_TYPE', 'FB.defaultActionSource': 'FB_DEFAULT_ACTION_SOURCE',
          'FB.defaultPhoneCountry': 'FB_DEFAULT_PHONE_COUNTRY', 'FB.consentCategory': 'FB_CONSENT_CATEGORY',
          'FB.testEventCode': 'FB_TEST_EVENT_CODE', 'FB.appSecret': 'FB_APP_SECRET',
        };
        throw new ConfigError(envName[e.field] ?? e.field, e.message.slice(e.field.length + 2));
      }
      throw e;
    }
  } else {
    destinations = [];
  }
  if (destinations.length === 0 && input.requireDestinations !== false) {
    throw new ConfigError('FB_PIXEL_ID', 'no destination configured: set FB_PIXEL_ID and FB_ACCESS_TOKEN, or `destinations` in the config file');
  }
  const ids = new Set<string>();
  for (const d of destinations) {
    if (ids.has(d.id)) throw new ConfigError('config.destinations', `duplicate destination id ${show(d.id)}`);
    ids.add(d.id);
  }

  const pick = <T>(envName: keyof EnvInput, fileKey: keyof ConfigFile): [string, unknown] | undefined =>
    env[envName] !== undefined ? [envName, env[envName]] : file[fileKey] !== undefined ? [`config.${fileKey}`, file[fileKey] as T] : undefined;

  const p = pick('PORT', 'port');
  const h = pick('HOST', 'host');
  const g = pick('FB_GRAPH_URL', 'graphUrl');
  const k = pick('API_KEYS', 'apiKeys');
  const o = pick('ALLOWED_ORIGINS', 'allowedOrigins');
  const ob = pick('OUTBOX', 'outbox');
  const obt = pick('OUTBOX_THREAD', 'outboxThread');
  const de = pick('DELIVERY_ENABLED', 'deliveryEnabled');
  const mw = pick('MAP_WORKERS', 'mapWorkers');
  const tp = pick('TRUST_PROXY', 'trustProxy');
  const cd = pick('COOKIE_DOMAIN', 'cookieDomain');
  const ll = pick('LOG_LEVEL', 'logLevel');
  const tj = pick('TAG_JS_PATH', 'tagJsPath');
  const mk = pick('METRICS_REQUIRE_KEY', 'metricsRequireKey');
  const sk = pick('STATUS_KEYS', 'statusKeys');
  const statusKeys = sk ? list(sk[0], sk[1]) : [];
  for (const key of statusKeys) if (key.length < 16) throw new ConfigError(sk![0], 'every status key must be at least 16 characters');

  const apiKeys = k ? list(k[0], k[1]) : [];
  for (const key of apiKeys) if (key.length < 16) throw new ConfigError(k![0], 'every API key must be at least 16 characters');
  const logLevel = ll ? str(ll[0], ll[1]) : 'info';
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(ll![0], `expected one of ${LOG_LEVELS.join(', ')}, got ${show(logLevel)}`);

  const limits = numbers<Limits>('config.limits', DEFAULT_LIMITS, file.limits, {
    outboxMaxDepth: ['OUTBOX_MAX_DEPTH', env.OUTBOX_MAX_DEPTH], deadLetterMaxCount: ['DEAD_LETTER_MAX_COUNT', env.DEAD_LETTER_MAX_COUNT],
    deadLetterMaxBytes: ['DEAD_LETTER_MAX_BYTES', env.DEAD_LETTER_MAX_BYTES], outboxMaxBytes: ['OUTBOX_MAX_BYTES', env.OUTBOX_MAX_BYTES],
  }, {
    collectBodyBytes: [256, 1024 * 1024], collectMaxBatch: [1, 1000], apiBodyBytes: [1024, 64 * 1024 * 1024],
    apiMaxBatch: [1, 1000], csvBodyBytes: [1024, 10 * 1024 * 1024 * 1024], csvChunk: [1, 1000], csvMaxBadRows: [0, 100_000],
    outboxMaxDepth: [1, 100_000_000], sentLogSize: [0, 1_000_000],
    deadLetterMaxCount: [1, 100_000_000], deadLetterMaxBytes: [1024, 1024 ** 4], outboxMaxBytes: [0, 1024 ** 5],
  });
  const delivery = numbers<DeliverySettings>('config.delivery', DEFAULT_DELIVERY, file.delivery, {
    batchSize: ['BATCH_SIZE', env.BATCH_SIZE], flushIntervalMs: ['FLUSH_INTERVAL_MS', env.FLUSH_INTERVAL_MS],
    concurrency: ['DELIVERY_CONCURRENCY', env.DELIVERY_CONCURRENCY], maxAttempts: ['MAX_ATTEMPTS', env.MAX_ATTEMPTS],
    leaseMs: ['LEASE_MS', env.LEASE_MS], requestTimeoutMs: ['REQUEST_TIMEOUT_MS', env.REQUEST_TIMEOUT_MS],
    backoffBaseMs: ['BACKOFF_BASE_MS', env.BACKOFF_BASE_MS], backoffMaxMs: ['BACKOFF_MAX_MS', env.BACKOFF_MAX_MS],
    authProbeIntervalMs: ['AUTH_PROBE_INTERVAL_MS', env.AUTH_PROBE_INTERVAL_MS],
  }, {
    batchSize: [1, 1000], flushIntervalMs: [1, 60_000], concurrency: [1, 64], maxAttempts: [1, 10_000],
    maxRetryAgeMs: [0, SIXTY_TWO_DAYS_MS], leaseMs: [100, 3_600_000], requestTimeoutMs: [100, 300_000],
    backoffBaseMs: [1, 3_600_000], backoffMaxMs: [1, 24 * 3_600_000], authProbeIntervalMs: [100, 24 * 3_600_000],
  });
  if (env.MAX_RETRY_AGE_HOURS !== undefined) {
    delivery.maxRetryAgeMs = int('MAX_RETRY_AGE_HOURS', env.MAX_RETRY_AGE_HOURS, 0, 62 * 24) * 3_600_000;
  }
  if (delivery.backoffMaxMs < delivery.backoffBaseMs) {
    throw new ConfigError('config.delivery.backoffMaxMs', `must be ≥ backoffBaseMs (${delivery.backoffBaseMs}), got ${delivery.backoffMaxMs}`);
  }
  const rateLimit = numbers<RateLimitSettings>('config.rateLimit', DEFAULT_RATE_LIMIT, file.rateLimit, {
    perSecond: ['COLLECT_RATE_PER_SEC', env.COLLECT_RATE_PER_SEC], burst: ['COLLECT_RATE_BURST', env.COLLECT_RATE_BURST],
  }, { perSecond: [0, 1_000_000], burst: [1, 10_000_000], maxTrackedIps: [1, 10_000_000] });

  const shutdown = env.SHUTDOWN_TIMEOUT_MS !== undefined ? int('SHUTDOWN_TIMEOUT_MS', env.SHUTDOWN_TIMEOUT_MS, 0, 600_000)
    : file.shutdownTimeoutMs !== undefined ? int('config.shutdownTimeoutMs', file.shutdownTimeoutMs, 0, 600_000) : 10_000;

  const allowedOrigins = o ? list(o[0], o[1]).map((x) => origin(o[0], x)) : [];
  const out: ResolvedConfig = {
    port: p ? int(p[0], p[1], 0, 65535) : 8080,
    host: h ? str(h[0], h[1]) : '0.0.0.0',
    graphUrl: g ? url(g[0], g[1]) : DEFAULT_GRAPH_URL,
    destinations,
    apiKeys: apiKeys.map((x) => new Secret(x)),
    allowedOrigins,
    outboxUrl: ob ? outboxUrl(ob[0], ob[1]) : DEFAULT_OUTBOX,
    deliveryEnabled: de ? bool(de[0], de[1]) : true,
    trustProxy: tp ? trustProxy(tp[0], tp[1]) : false,
    logLevel,
    metricsRequireKey: mk ? bool(mk[0], mk[1]) : true,
    ...(statusKeys.length > 0 ? { statusKeys: statusKeys.map((x) => new Secret(x)) } : {}),
    limits,
    delivery,
    rateLimit,
    shutdownTimeoutMs: shutdown,
  };
  if (cd) {
    const domain = str(cd[0], cd[1]).trim().replace(/^\./, '').toLowerCase();
    const problem = cookieDomainProblem(domain);
    if (problem !== undefined) throw new ConfigError(cd[0], problem);
    out.cookieDomain = domain;
  }
  if (tj) out.tagJsPath = str(tj[0], tj[1]);
  if (obt) out.outboxThread = bool(obt[0], obt[1]);
  if (mw) out.mapWorkers = int(mw[0], mw[1], 0, 64);
  return out;
}
