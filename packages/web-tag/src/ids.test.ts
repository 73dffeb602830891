import { afterEach, describe, expect, it, vi } from 'vitest';
import { generateEventId } from './ids.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
afterEach(() => vi.unstubAllGlobals());

describe('generateEventId', () => {
  it('uses crypto.randomUUID when present', () => {
    const randomUUID = vi.fn(() => '11111111-2222-4333-8444-555555555555');
    vi.stubGlobal('crypto', { randomUUID, getRandomValues: () => { throw new Error('not used'); } });
    expect(generateEventId()).toBe('11111111-2222-4333-8444-555555555555');
    expect(randomUUID).toHaveBeenCalledTimes(1);
  });

  it('without randomUUID (http pages, older browsers): UUID v4 from getRandomValues, all variants, no repeats', () => {
    const real = globalThis.crypto;
    vi.stubGlobal('crypto', { getRandomValues: (a: Uint8Array) => real.getRandomValues(a) });
    const ids = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const id = generateEventId();
      expect(id).toMatch(UUID);
      ids.add(id);
    }
    expect(ids.size).toBe(2000);
    expect(new Set([...ids].map((id) => id[19]))).toEqual(new Set(['8', '9', 'a', 'b']));
  });
});
