import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { redactUrl } from '../redact-url.js';
import { redisKeys, resolveRedisOutboxConfig } from './redis-config.js';

describe('resolveRedisOutboxConfig', () => {
  it('applies defaults and keeps host, port and db for ioredis', () => {
    const r = resolveRedisOutboxConfig('redis://10.0.0.5:6380/2');
    expect(r).toEqual({
      ok: true,
      config: {
        connectUrl: 'redis://10.0.0.5:6380/2',
        safeUrl: 'redis://10.0.0.5:6380/2',
        keyPrefix: 'capi:',
        maxDepth: 1_000_000,
        consumerName: undefined,
        commandTimeoutMs: 5000,
        connectTimeoutMs: 5000,
        deadLetterMaxCount: 100_000,
        deadLetterMaxBytes: 256 * 1024 * 1024,
      },
    });
  });

  it('reads our query parameters, strips them from the ioredis URL; the URL wins over options', () => {
    const r = resolveRedisOutboxConfig('redis://h:1/0?prefix=shop1:&maxDepth=50&commandTimeoutMs=900&family=4', {
      maxDepth: 70,
      keyPrefix: 'ignored:',
      connectTimeoutMs: 1234,
    });
    if (!r.ok) throw new Error(r.error);
    expect(r.config.keyPrefix).toBe('shop1:');
    expect(r.config.maxDepth).toBe(50);
    expect(r.config.connectTimeoutMs).toBe(1234);
    expect(r.config.commandTimeoutMs).toBe(900);
    expect(r.config.connectUrl).toBe('redis://h:1/0?family=4');
  });

  it('redacts the password in the loggable URL', () => {
    const r = resolveRedisOutboxConfig('redis://user:s3cret@h:6379');
    if (!r.ok) throw new Error(r.error);
    expect(r.config.safeUrl).not.toContain('s3cret');
    expect(r.config.connectUrl).toContain('s3cret');
    expect(r.config.safeUrl).toBe('redis://user:***@h:6379');
  });

  it('does not echo a password that an unencoded slash pushed into the database path', () => {
    const r = resolveRedisOutboxConfig('redis://us/er:s3cret@h:6379');
    expect(r).toEqual({ ok: false, error: 'OUTBOX: redis database must be a number' });
  });

  it.each([
    ['nonsense', /not a valid URL/],
    ['http://h:1', /unsupported scheme/],
    ['redis://h:1/abc', /database must be a number/],
    ['redis://h:1?maxDepth=0', /maxDepth must be a positive integer/],
    ['redis://h:1?maxDepth=1.5', /maxDepth/],
    ['redis://h:1?commandTimeoutMs=-3', /commandTimeoutMs/],
    ['redis://h:1?prefix=a{b', /prefix/],
  ])('refuses %s naming OUTBOX and the field', (url, message) => {
    const r = resolveRedisOutboxConfig(url);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error).toMatch(/^OUTBOX: /);
      expect(r.error).toMatch(message);
    }
  });

  it('puts the destination in a hash tag so its keys share a cluster slot', () => {
    expect(redisKeys('capi:', '123')).toEqual({
      events: 'capi:{123}:events',
      delayed: 'capi:{123}:delayed',
      dead: 'capi:{123}:dead',
      deadInfo: 'capi:{123}:deadinfo',
    });
  });
});

describe('redactUrl', () => {
  it.each([
    ['redis://user:s3cret@h:6379/0', 'redis://user:***@h:6379/0'],
    ['rediss://:s3cret@h:6380', 'rediss://:***@h:6380'],
    ['redis://u:s3%40cr%3Aet@h', 'redis://u:***@h'],
    ['redis://u:s3@cret@h', 'redis://u:***@h'],
    ['redis://u:s3 cret@h/1', 'redis://u:***@h/1'],
    ['redis://h:1?password=s3cret&family=4', 'redis://h:1?password=***&family=4'],
    ['redis://h:1/0?sentinelPassword=s3cret&token=s3cret&token=s3cret2', 'redis://h:1/0?sentinelPassword=***&token=***&token=***'],
    ['redis://us/er:s3cret@h', 'redis://us/***'],
    ['redis://us?er:s3cret@h', 'redis://us/***'],
    ['redis://h:1#s3cret', 'redis://h:1#***'],
    ['redis://u:s3cret@h:99999', '[unparseable URL, redacted]'],
    ['redis://u:s3/cret@h', '[unparseable URL, redacted]'],
  ])('hides the secret in %s', (url, safe) => {
    const out = redactUrl(url);
    expect(out).toBe(safe);
    expect(out).not.toMatch(/s3|cret/);
  });

  it.each(['redis://10.0.0.5:6380/2', 'rediss://user@h:6380?family=6', 'sqlite:./data/outbox.db', 'sqlite:///var/lib/x.db?thread=0'])(
    'leaves %s without secrets unchanged',
    (url) => {
      expect(redactUrl(url)).toBe(url);
      expect(redactUrl(new URL(url))).toBe(url);
    },
  );

  it('returns a string that is not a URL as given when it has no @, ? or # (nowhere to hold a secret)', () => {
    for (const s of ['./data/outbox.db', 'postgres', 'redis//x']) expect(redactUrl(s)).toBe(s);
    expect(redactUrl('not a url@host')).toBe('[unparseable URL, redacted]');
  });

  it('never shows the password, whatever characters it holds, encoded or not', () => {
    fc.assert(
      fc.property(fc.string(), fc.boolean(), (tail, encode) => {
        const password = `S3CRET${tail}`;
        const url = `redis://user:${encode ? encodeURIComponent(password) : password}@127.0.0.1:6379/0`;
        expect(redactUrl(url)).not.toContain('S3CRET');
      }),
      { numRuns: 500 },
    );
  });
});
