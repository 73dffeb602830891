import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigError, resolveConfig } from './resolve.js';

const env = { FB_PIXEL_ID: '123', FB_ACCESS_TOKEN: 'tok-secret-value' };

function err(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('resolveConfig', () => {
  it('fills defaults for the single-destination env case', () => {
    const c = resolveConfig({ env });
    expect(c.port).toBe(8080);
    expect(c.graphUrl).toBe('https://graph.facebook.com');
    expect(c.outboxUrl).toBe('sqlite:./data/outbox.db');
    expect(c.destinations).toHaveLength(1);
    expect(c.destinations[0]).toMatchObject({ id: '123', pixelId: '123', apiVersion: 'v24.0', matchPolicy: 'meta-baseline', contentType: 'product', defaultActionSource: 'website' });
    expect(c.delivery.batchSize).toBeLessThanOrEqual(1000);
    expect(c.delivery.maxRetryAgeMs).toBeLessThan(7 * 24 * 3600 * 1000);
  });

  it('DELIVERY_ENABLED and OUTBOX_THREAD switch ingest-only instances and the inline outbox', () => {
    expect(resolveConfig({ env }).deliveryEnabled).toBe(true);
    expect(resolveConfig({ env: { ...env, DELIVERY_ENABLED: 'false' } }).deliveryEnabled).toBe(false);
    expect(resolveConfig({ env: { ...env, DELIVERY_ENABLED: '1' } }).deliveryEnabled).toBe(true);
    expect(resolveConfig({ env: { ...env, OUTBOX_THREAD: 'false' } }).outboxThread).toBe(false);
    expect(err(() => resolveConfig({ env: { ...env, DELIVERY_ENABLED: 'sometimes' } })).field).toBe('DELIVERY_ENABLED');
  });

  it('COOKIE_DOMAIN must be a domain browsers accept cookies for (not a public suffix, IP or URL); the error names the field', () => {
    expect(resolveConfig({ env: { ...env, COOKIE_DOMAIN: '.Shop.co.UK' } }).cookieDomain).toBe('shop.co.uk');
    expect(resolveConfig({ env: { ...env, COOKIE_DOMAIN: 'www.shop.example.com' } }).cookieDomain).toBe('www.shop.example.com');
    expect(resolveConfig({ file: { cookieDomain: 'myshop.github.io' }, env }).cookieDomain).toBe('myshop.github.io');
    for (const bad of ['co.uk', 'github.io', 'com', '203.0.113.7', 'localhost', 'https://shop.example.com', 'shop.example.com:443', 'shop example.com']) {
      const e = err(() => resolveConfig({ env: { ...env, COOKIE_DOMAIN: bad } }));
      expect(e.field).toBe('COOKIE_DOMAIN');
    }
    expect(err(() => resolveConfig({ file: { cookieDomain: 'co.uk' }, env })).message).toMatch(/config\.cookieDomain.*public suffix/);
  });

  it('MAP_WORKERS sets the mapping worker pool size (0 = inline), validated', () => {
    expect(resolveConfig({ env }).mapWorkers).toBeUndefined();
    expect(resolveConfig({ env: { ...env, MAP_WORKERS: '0' } }).mapWorkers).toBe(0);
    expect(resolveConfig({ env: { ...env, MAP_WORKERS: '2' } }).mapWorkers).toBe(2);
    expect(resolveConfig({ file: { mapWorkers: 3 }, env }).mapWorkers).toBe(3);
    expect(err(() => resolveConfig({ env: { ...env, MAP_WORKERS: 'many' } })).field).toBe('MAP_WORKERS');
    expect(err(() => resolveConfig({ env: { ...env, MAP_WORKERS: '-1' } })).field).toBe('MAP_WORKERS');
  });

  it('names the field of a bad value', () => {
    expect(err(() => resolveConfig({ env: { ...env, FB_API_VERSION: '24' } })).message).toBe('FB_API_VERSION: expected vNN.N, got "24"');
    expect(err(() => resolveConfig({ env: { ...env, PORT: 'eighty' } })).field).toBe('PORT');
    expect(err(() => resolveConfig({ env: { ...env, BATCH_SIZE: '5000' } })).message).toBe('BATCH_SIZE: expected 1..1000, got 5000');
    expect(err(() => resolveConfig({ env: { ...env, OUTBOX: 'mysql://x' } })).field).toBe('OUTBOX');
    expect(err(() => resolveConfig({ env: { ...env, OUTBOX: './data/outbox.db' } })).message).toContain('got "./data/outbox.db"');
    const leaky = err(() => resolveConfig({ env: { ...env, OUTBOX: 'mysql://app:s3cr3t-pw@db.internal/x' } }));
    expect(leaky.field).toBe('OUTBOX');
    expect(leaky.message).not.toContain('s3cr3t-pw');
    const thread = err(() => resolveConfig({ env: { ...env, OUTBOX: 'sqlite:./data/outbox.db?thread=0' } }));
    expect(thread.field).toBe('OUTBOX');
    expect(thread.message).toContain('set OUTBOX_THREAD');
    expect(err(() => resolveConfig({ env: { ...env, ALLOWED_ORIGINS: 'shop.example' } })).field).toBe('ALLOWED_ORIGINS');
    expect(err(() => resolveConfig({ env: { ...env, API_KEYS: 'short' } })).field).toBe('API_KEYS');
    expect(err(() => resolveConfig({ env: { FB_PIXEL_ID: 'abc', FB_ACCESS_TOKEN: 't' } })).field).toBe('FB_PIXEL_ID');
    expect(err(() => resolveConfig({ env: { FB_PIXEL_ID: '1' } })).field).toBe('FB_ACCESS_TOKEN');
    expect(err(() => resolveConfig({ env: {} })).field).toBe('FB_PIXEL_ID');
    expect(err(() => resolveConfig({ file: { destinations: [{ pixelId: '1', accessToken: 't', matchPolicy: 'strict' as never }] } })).field)
      .toBe('config.destinations[0].matchPolicy');
    expect(err(() => resolveConfig({ file: { destinations: [{ pixelId: '1', accessToken: 't' }], delivery: { batchSize: 0 } } })).field)
      .toBe('config.delivery.batchSize');
    expect(err(() => resolveConfig({ file: { destinations: [{ pixelId: '1', accessToken: 't' }], colour: 1 } as never })).field).toBe('config.colour');
  });

  it('reads several destinations from a file; env overrides file scalars', () => {
    const c = resolveConfig({
      env: { PORT: '0' },
      file: {
        port: 9000,
        destinations: [
          { id: 'eu', pixelId: '1', accessToken: 'a', consentCategory: '3', testEventCode: 'TEST1', appSecret: 'shh', apiVersion: 'v23.0' },
          { pixelId: '2', accessToken: 'b', matchPolicy: 'none', contentType: null },
        ],
      },
    });
    expect(c.port).toBe(0);
    expect(c.destinations.map((d) => d.id)).toEqual(['eu', '2']);
    expect(c.destinations[0]).toMatchObject({ consentCategory: '3', testEventCode: 'TEST1', apiVersion: 'v23.0' });
    expect(c.destinations[1]).toMatchObject({ matchPolicy: 'none', contentType: null });
  });

  it('secrets never serialise', () => {
    const c = resolveConfig({ env: { ...env, API_KEYS: 'key-0123456789abcdef', FB_APP_SECRET: 'app-secret-value' } });
    const dump = JSON.stringify(c) + inspect(c, { depth: 10 }) + String(c.destinations[0]!.accessToken);
    expect(dump).not.toContain('tok-secret-value');
    expect(dump).not.toContain('key-0123456789abcdef');
    expect(dump).not.toContain('app-secret-value');
    expect(c.destinations[0]!.accessToken.reveal()).toBe('tok-secret-value');
  });
});
