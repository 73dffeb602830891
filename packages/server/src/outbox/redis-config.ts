/** Resolves `redis://…` outbox URLs and options into one validated, typed config. Pure. */

export interface RedisOutboxOptions {
  /** Prefix of every key (default `capi:`). Lets several deployments or test servers share one Redis. */
  keyPrefix?: string;
  /** Max entries (queued + leased + delayed) per destination; enqueue beyond it returns `outbox_full`. */
  maxDepth?: number;
  /** Consumer name inside the `delivery` group; default `<hostname>-<pid>-<random>`, unique per process. */
  consumerName?: string;
  /** A Redis command that takes longer fails (enqueue → `outbox_unavailable`). Default 5000. */
  commandTimeoutMs?: number;
  /** Connecting at start gives up after this long. Default 5000. */
  connectTimeoutMs?: number;
  /** Dead letters kept per destination (`:dead` stream); the oldest are evicted beyond it. Default 100,000. */
  deadLetterMaxCount?: number;
  /** Bytes of dead letters (event + error JSON) kept per destination; the oldest are evicted beyond it. Default 256 MiB. */
  deadLetterMaxBytes?: number;
}

export interface RedisOutboxConfig extends Required<Omit<RedisOutboxOptions, 'consumerName'>> {
  /** URL handed to ioredis: our own query parameters removed. May contain a password: never log it. */
  connectUrl: string;
  /** Same URL with any password replaced, safe for logs and errors. */
  safeUrl: string;
  consumerName: string | undefined;
}

export const REDIS_OUTBOX_DEFAULTS = {
  keyPrefix: 'capi:',
  maxDepth: 1_000_000,
  commandTimeoutMs: 5000,
  connectTimeoutMs: 5000,
  deadLetterMaxCount: 100_000,
  deadLetterMaxBytes: 256 * 1024 * 1024,
} as const;

export type RedisConfigResult = { ok: true; config: RedisOutboxConfig } | { ok: false; error: string };

/**
 * Query parameters we consume (`?prefix=…&maxDepth=…&commandTimeoutMs=…`), so OUTBOX alone can configure them.
 * They win over `options` (the server passes its generic outboxMaxDepth there; the URL is more specific).
 */
const QUERY_KEYS: readonly string[] = ['prefix', 'maxDepth', 'commandTimeoutMs', 'connectTimeoutMs', 'consumer'];

const INT_KEYS = ['maxDepth', 'commandTimeoutMs', 'connectTimeoutMs', 'deadLetterMaxCount', 'deadLetterMaxBytes'] as const;

function positiveInt(name: string, raw: unknown): number | string {
  const n = typeof raw === 'string' ? Number(raw) : raw;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1) return `OUTBOX: ${name} must be a positive integer`;
  return n;
}

const MASK = '***';
/** Query parameters whose value may be a credential (ioredis takes e.g. `?password=` as a connect option). */
const SECRET_PARAM = /pass|pwd|secret|token|auth|cred|key/i;
/** What an unparseable URL is reduced to: where a secret sits in it cannot be told. */
const UNPARSEABLE = '[unparseable URL, redacted]';

/**
 * The one redaction of outbox URLs for logs and errors (server start-up log, Redis connect errors).
 * The password, credential-like query values and any fragment become `***`; the user name stays
 * (`redis://user:***@host`). A string without `@`, `?` or `#` cannot hold one and comes back as given,
 * parseable or not (`./data/outbox.db`). Userinfo the parser mistook for a path or query (an unencoded `/` or `?`
 * in it) shows up as an `@` after the host: then path and query are masked too. A string that needed
 * no change (e.g. `sqlite:./data/outbox.db`) comes back as given.
 */
export function redactOutboxUrl(url: string | URL): string {
  // Without `@`, `?` or `#` a string has no userinfo, query or fragment that could hold a secret.
  if (typeof url === 'string' && !/[@?#]/.test(url)) return url;
  let copy: URL;
  try {
    copy = new URL(typeof url === 'string' ? url : url.href);
  } catch {
    return UNPARSEABLE;
  }
  let changed = false;
  if (copy.password) {
    copy.password = MASK;
    changed = true;
  }
  if (copy.host !== '' && (copy.pathname.includes('@') || copy.search.includes('@'))) {
    copy.pathname = `/${MASK}`;
    copy.search = '';
    changed = true;
  }
  const params = [...copy.searchParams];
  if (params.some(([name, value]) => value !== '' && SECRET_PARAM.test(name))) {
    copy.search = new URLSearchParams(
      params.map(([name, value]): [string, string] => [name, value !== '' && SECRET_PARAM.test(name) ? MASK : value]),
    ).toString();
    changed = true;
  }
  if (copy.hash) {
    copy.hash = MASK;
    changed = true;
  }
  return changed || typeof url !== 'string' ? copy.href : url;
}

export function resolveRedisOutboxConfig(url: string, options: RedisOutboxOptions = {}): RedisConfigResult {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, error: 'OUTBOX: not a valid URL (expected redis://host:port[/db])' };
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    return { ok: false, error: `OUTBOX: unsupported scheme ${parsed.protocol} (expected redis:// or rediss://)` };
  }
  if (!parsed.hostname) return { ok: false, error: 'OUTBOX: redis URL has no host' };
  const db = parsed.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db)) {
    // An unencoded `/` in the password puts the rest of it in the path: echo only what cannot be one.
    const shown = /^[\w.-]{1,32}$/.test(db) ? `, got "${db}"` : '';
    return { ok: false, error: `OUTBOX: redis database must be a number${shown}` };
  }

  const q = parsed.searchParams;
  const ints = {} as Record<(typeof INT_KEYS)[number], number>;
  for (const name of INT_KEYS) {
    const n = positiveInt(name, (QUERY_KEYS.includes(name) ? q.get(name) : null) ?? options[name] ?? REDIS_OUTBOX_DEFAULTS[name]);
    if (typeof n === 'string') return { ok: false, error: n };
    ints[name] = n;
  }
  const keyPrefix = q.get('prefix') ?? options.keyPrefix ?? REDIS_OUTBOX_DEFAULTS.keyPrefix;
  if (/[{}\s]/.test(keyPrefix)) return { ok: false, error: 'OUTBOX: prefix must not contain braces or whitespace' };
  const consumerName = q.get('consumer') ?? options.consumerName ?? undefined;

  for (const k of QUERY_KEYS) q.delete(k);
  return {
    ok: true,
    config: {
      connectUrl: parsed.href,
      safeUrl: redactOutboxUrl(parsed),
      keyPrefix,
      consumerName,
      ...ints,
    },
  };
}

/**
 * Key layout. The destination id sits in braces — a Redis Cluster hash tag — so all keys of one
 * destination share a slot and each per-destination script touches a single slot.
 */
export function redisKeys(prefix: string, destinationId: string) {
  const base = `${prefix}{${destinationId}}`;
  return { events: `${base}:events`, delayed: `${base}:delayed`, dead: `${base}:dead`, deadInfo: `${base}:deadinfo` };
}

export function destinationsKey(prefix: string): string {
  return `${prefix}destinations`;
}
