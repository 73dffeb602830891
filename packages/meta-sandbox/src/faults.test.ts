import { describe, expect, it } from 'vitest';
import { parseFaultSpec } from './faults.js';

describe('parseFaultSpec', () => {
  it('allows a 3xx only for a proxy fault (Graph itself never redirects)', () => {
    expect(parseFaultSpec({ kind: 'proxy', status: 302 }).ok).toBe(true);
    const r = parseFaultSpec({ kind: 'status', status: 302 });
    expect(r).toEqual({ ok: false, reason: 'status must be from 400 to 599 (3xx only for a proxy fault)' });
    expect(parseFaultSpec({ kind: 'status', status: 503 }).ok).toBe(true);
  });
});
