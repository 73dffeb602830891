import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../config/resolve.js';
import { createLogger } from '../log.js';
import { startServer, type RunningServer } from '../server.js';
import { NullOutbox } from '../../test/support/null-outbox.js';
import { forwardedHeaderWarning, rateLimitKey } from './client-address.js';
import { RateLimiter } from './rate-limit.js';

describe('rate-limit key', () => {
  it('IPv4 as is; IPv6 by its /64, however the address is written', () => {
    expect(rateLimitKey('203.0.113.7')).toBe('203.0.113.7');
    const k = rateLimitKey('2001:db8:85a3:1:aaaa:bbbb:cccc:dddd');
    expect(k).toBe('2001:db8:85a3:1::/64');
    expect(rateLimitKey('2001:0DB8:85a3:0001::1')).toBe(k);
    expect(rateLimitKey('2001:db8:85a3:1:ffff::9%eth0')).toBe(k);
    expect(rateLimitKey('2001:db8:85a3:2::1')).not.toBe(k);
    expect(rateLimitKey('::1')).toBe('0:0:0:0::/64');
    expect(rateLimitKey('2001:db8::')).toBe('2001:db8:0:0::/64');
  });

  it('a request costs one token per event; a refused charge takes nothing', () => {
    const rl = new RateLimiter({ perSecond: 1, burst: 100, maxTrackedIps: 10 }, () => 0);
    expect(rl.take('a', 50)).toBe(true);
    expect(rl.take('a', 50)).toBe(true);
    expect(rl.take('a', 1)).toBe(false);
    expect(rl.take('b', 60)).toBe(true);
    expect(rl.take('b', 60)).toBe(false);
    expect(rl.take('b', 40)).toBe(true);
  });

  it('warns once when forwarded headers arrive with TRUST_PROXY unset, never when it is set', () => {
    const lines: string[] = [];
    const logger = { warn: (_o: unknown, msg: string) => { lines.push(msg); } };
    const warn = forwardedHeaderWarning(false, logger as never);
    warn({ headers: {} } as never);
    expect(lines).toHaveLength(0);
    warn({ headers: { 'x-forwarded-for': '198.51.100.1' } } as never);
    warn({ headers: { forwarded: 'for=198.51.100.2' } } as never);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('TRUST_PROXY=');
    const set = forwardedHeaderWarning('loopback', logger as never);
    set({ headers: { 'x-forwarded-for': '198.51.100.1' } } as never);
    expect(lines).toHaveLength(1);
  });
});


describe('POST /collect rate limit (real HTTP)', () => {
  let server: RunningServer;
  let log = '';
  beforeAll(async () => {
    const config = resolveConfig({
      env: { PORT: '0', HOST: '127.0.0.1', FB_PIXEL_ID: '1234567890', FB_ACCESS_TOKEN: 'tok-0123456789', ALLOWED_ORIGINS: 'https://shop.example',
        COLLECT_RATE_PER_SEC: '1', COLLECT_RATE_BURST: '60', MAP_WORKERS: '0' },
    });
    const destination = new Writable({ write(c, _e, cb) { log += c.toString(); cb(); } });
    server = await startServer(config, { outbox: new NullOutbox(), delivery: false, logger: createLogger({ level: 'warn', destination }) });
  });
  afterAll(async () => server?.close());

  const post = (events: number, headers: Record<string, string> = {}) => fetch(`${server.url}/collect`, {
    method: 'POST',
    headers: { origin: 'https://shop.example', 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ batch: Array.from({ length: events }, (_, i) => ({ event_name: 'page_view', event_id: `e${i}` })) }),
  });

  it('a 50-event batch costs 50 tokens (burst 60: the second batch is refused), and the proxy warning is logged once', async () => {
    const xff = { 'x-forwarded-for': '198.51.100.7' };
    expect((await post(50, xff)).status).not.toBe(429);
    const second = await post(50, xff);
    expect(second.status).toBe(429);
    expect(((await second.json()) as { error: { message: string } }).error.message).toContain('events/s');
    const warnings = log.split('\n').filter((l) => l.includes('TRUST_PROXY'));
    expect(warnings).toHaveLength(1);
  });
});
