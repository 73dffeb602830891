import type { RateLimitSettings } from '../config/settings.js';

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Token bucket per key (client IP, IPv6 by /64: see rateLimitKey): `perSecond` refill, `burst` capacity; one
 * token per event. The map is bounded: when full, the
 * least recently seen key is forgotten (Map order is refreshed on every hit), so memory stays flat under a
 * flood of spoofed addresses.
 */
export class RateLimiter {
  readonly #buckets = new Map<string, Bucket>();
  constructor(private readonly s: RateLimitSettings, private readonly now: () => number = Date.now) {}

  /** True = allowed (`cost` tokens were taken; a request of n events costs n). False takes nothing. */
  take(key: string, cost = 1): boolean {
    if (this.s.perSecond === 0) return true;
    const now = this.now();
    let b = this.#buckets.get(key);
    if (b) {
      this.#buckets.delete(key);
      b.tokens = Math.min(this.s.burst, b.tokens + ((now - b.at) / 1000) * this.s.perSecond);
      b.at = now;
    } else {
      b = { tokens: this.s.burst, at: now };
      if (this.#buckets.size >= this.s.maxTrackedIps) {
        const oldest = this.#buckets.keys().next().value;
        if (oldest !== undefined) this.#buckets.delete(oldest);
      }
    }
    this.#buckets.set(key, b);
    if (b.tokens < cost) return false;
    b.tokens -= cost;
    return true;
  }

  get size(): number {
    return this.#buckets.size;
  }
}
