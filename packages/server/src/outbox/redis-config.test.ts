import { describe, expect, it } from 'vitest';
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
    });
  });
});
