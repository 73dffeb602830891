/**
 * The API-key comparer is constant-time by construction, proven structurally rather than by timing: every
 * presented key — any length, right or wrong — goes through crypto.timingSafeEqual on equal-length
 * digests, once per configured key (no early exit that would reveal which key matched or how far a
 * prefix got). A timing measurement would be flaky; this can only fail if the construction changes.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';

const calls: Array<[number, number]> = [];
vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:crypto')>();
  return {
    ...real,
    timingSafeEqual: (a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView) => {
      calls.push([a.byteLength, b.byteLength]);
      return real.timingSafeEqual(a, b);
    },
  };
});

const { createKeyCheck } = await import('../../src/http/auth.js');
const { Secret } = await import('../../src/config/secret.js');

const KEYS = ['key-one-0123456789abcdef', 'key-two-fedcba9876543210', 'key-three-aaaaaaaaaaaaaaaa'];
const check = createKeyCheck(KEYS.map((k) => new Secret(k)));

beforeEach(() => {
  calls.length = 0;
});

describe('API key comparison', () => {
  it('accepts each configured key and nothing else (prefixes, extensions, case, empty, huge)', () => {
    for (const k of KEYS) expect(check(k)).toBe(true);
    for (const k of ['', 'k', KEYS[0]!.slice(0, -1), `${KEYS[0]}0`, KEYS[1]!.toUpperCase(), ` ${KEYS[2]}`, 'x'.repeat(100_000), KEYS.join(',')]) {
      expect(check(k), JSON.stringify(k.slice(0, 40))).toBe(false);
    }
    expect(check(undefined)).toBe(false);
  });

  it('uses timingSafeEqual on equal-length digests for every configured key, whatever the presented length', () => {
    for (const presented of ['a', KEYS[0]!, 'y'.repeat(10_000), KEYS[2]!]) {
      calls.length = 0;
      check(presented);
      // One comparison per configured key, even after a match (no early exit).
      expect(calls).toHaveLength(KEYS.length);
      // Always 32-byte SHA-256 digests on both sides: the presented length never reaches the comparison.
      for (const [a, b] of calls) {
        expect(a).toBe(32);
        expect(b).toBe(32);
      }
    }
  });

  it('no configured keys: everything is refused without comparing', () => {
    const none = createKeyCheck([]);
    expect(none(KEYS[0]!)).toBe(false);
    expect(calls).toHaveLength(0);
  });
});
