import { describe, expect, it } from 'vitest';
import { backoffMs, parseRetryAfter } from './backoff.js';

describe('backoffMs', () => {
  it('grows exponentially, capped, with bounded jitter', () => {
    const mid = () => 0.5;
    expect(backoffMs({ attempt: 0, baseMs: 100, maxMs: 10_000, random: mid })).toBe(100);
    expect(backoffMs({ attempt: 3, baseMs: 100, maxMs: 10_000, random: mid })).toBe(800);
    expect(backoffMs({ attempt: 30, baseMs: 100, maxMs: 10_000, random: mid })).toBe(10_000);
    for (let i = 0; i < 200; i++) {
      const v = backoffMs({ attempt: 2, baseMs: 100, maxMs: 10_000 });
      expect(v).toBeGreaterThanOrEqual(320);
      expect(v).toBeLessThanOrEqual(480);
    }
  });
  it('honours Retry-After, capped at maxMs', () => {
    expect(backoffMs({ attempt: 5, baseMs: 100, maxMs: 10_000, retryAfterMs: 2500 })).toBe(2500);
    expect(backoffMs({ attempt: 0, baseMs: 100, maxMs: 10_000, retryAfterMs: 999_999 })).toBe(10_000);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});
