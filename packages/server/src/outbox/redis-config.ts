/** Resolves `redis://…` outbox URLs and options into one validated, typed config. Pure. */
import { redactUrl } from '../redact-url.js';

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
      safeUrl: redactUrl(parsed),
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
