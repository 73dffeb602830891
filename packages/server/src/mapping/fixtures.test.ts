import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildCapiEvent } from './build.js';
import type { DestinationConfig, MappingContext } from './types.js';

/**
 * One test per JSON fixture in ./fixtures. Expected hashed values may be written `sha256(<normalised>)`:
 * the test hashes the plaintext independently (node:crypto createHash), so fixtures stay readable.
 */
interface Fixture {
  name: string;
  destination?: Partial<DestinationConfig>;
  ctx?: MappingContext;
  input: unknown;
  expected:
    | { ok: true; event: Record<string, unknown>; matchKeys?: string[]; warnings?: string[]; mustNotContain?: string[] }
    | { ok: false; reason: string; detail?: string; matchKeys?: string[]; mustNotContain?: string[] };
}

const DEST: DestinationConfig = {
  id: 'test', pixelId: '1234567890', matchPolicy: 'none', contentType: 'product', defaultActionSource: 'website', sendAllProperties: false,
};
const CTX: MappingContext = { now: 1_700_000_000_000, ip: '203.0.113.7', userAgent: 'Mozilla/5.0 test', source: 'api' };

const dir = new URL('./fixtures/', import.meta.url);
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

function resolveHashes(v: unknown): unknown {
  if (typeof v === 'string') {
    const m = /^sha256\((.*)\)$/s.exec(v);
    return m ? createHash('sha256').update(m[1]!, 'utf8').digest('hex') : v;
  }
  if (Array.isArray(v)) return v.map(resolveHashes);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolveHashes(x)]));
  return v;
}

describe('mapping fixtures', () => {
  it('has fixtures', () => expect(files.length).toBeGreaterThan(80));

  for (const file of files) {
    const fx = JSON.parse(readFileSync(new URL(file, dir), 'utf8')) as Fixture;
    it(`${file}: ${fx.name}`, () => {
      const dest = { ...DEST, ...fx.destination } as DestinationConfig;
      const ctx = fx.ctx ?? CTX;
      const r = buildCapiEvent(fx.input, dest, ctx);
      const exp = fx.expected;
      // Personal data that must appear nowhere: not in the payload, the warnings or the drop detail.
      for (const s of exp.mustNotContain ?? []) expect(JSON.stringify(r).toLowerCase()).not.toContain(s.toLowerCase());
      if (!exp.ok) {
        expect(r).toMatchObject({ ok: false, reason: exp.reason });
        if (!r.ok && exp.detail) expect(r.detail).toContain(exp.detail);
        if (!r.ok && exp.matchKeys) expect(r.matchKeys).toEqual(exp.matchKeys);
        return;
      }
      if (!r.ok) throw new Error(`expected ok, got ${r.reason}: ${r.detail}`);
      const want = resolveHashes(exp.event) as Record<string, unknown>;
      const { user_data: wantUd, custom_data: wantCd, ...rest } = want;
      expect(r.event).toMatchObject(rest);
      // user_data / custom_data, when given, must match exactly: no unexpected keys.
      if (wantUd !== undefined) expect(r.event.user_data).toEqual(wantUd);
      if (wantCd !== undefined) expect(r.event.custom_data).toEqual(wantCd);
      if (exp.matchKeys) expect(r.matchKeys).toEqual(exp.matchKeys);
      if (exp.warnings) for (const w of exp.warnings) expect(r.warnings.some((x) => x.includes(w)), `warning containing ${w} in ${JSON.stringify(r.warnings)}`).toBe(true);
      else expect(r.warnings).toEqual([]);
    });
  }
});
