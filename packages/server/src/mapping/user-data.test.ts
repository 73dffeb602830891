import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildCapiEvent } from './build.js';
import type { DestinationConfig } from './types.js';

const DEST: DestinationConfig = {
  id: 'd', pixelId: '1234567890', matchPolicy: 'none', contentType: 'product', defaultActionSource: 'website', sendAllProperties: false,
};
const CTX = { now: 1_700_000_000_000, ip: '203.0.113.7', userAgent: 'ua' };
const H = '62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f';
const sha = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');

function build(user: unknown, userData?: unknown) {
  const input: Record<string, unknown> = { event_name: 'page_view', context: { event_id: 'e1', event_timestamp: CTX.now - 5000, page: { url: 'https://x.example/' } }, user };
  if (userData !== undefined) input.integrations = { facebook: { user_data: userData } };
  const r = buildCapiEvent(input, DEST, CTX);
  if (!r.ok) throw new Error(`${r.reason}: ${r.detail}`);
  return r;
}

const hexChar = fc.constantFrom(...'0123456789abcdefABCDEF');
const hex64 = fc.array(hexChar, { minLength: 64, maxLength: 64 }).map((a) => a.join(''));
const pad = fc.constantFrom('', ' ', '\t', '  \n');
const padded = fc.tuple(pad, hex64, pad).map(([a, h, b]) => a + h + b);
const element = fc.oneof(padded, fc.string(), fc.emailAddress(), fc.integer(), fc.constant(null), fc.object({ maxDepth: 1 }));

describe('user.email_sha256 (pre-hashed)', () => {
  it('exact warnings for an array with bad elements, in element order, each naming the index', () => {
    const r = build({ email_sha256: [H, 'Bob@Example.com', 123, { h: H }, null, '', 'nothex', [H], H.toUpperCase(), true] });
    expect(r.event.user_data.em).toEqual([H]);
    expect(r.warnings).toEqual([
      'user.email_sha256[1]: not a SHA-256 hex, dropped',
      'user.email_sha256[2]: not a string (a number), dropped',
      'user.email_sha256[3]: not a string (an object), dropped',
      'user.email_sha256[6]: not a SHA-256 hex, dropped',
      'user.email_sha256[7]: not a string (an array), dropped',
      'user.email_sha256[9]: not a string (a boolean), dropped',
    ]);
  });

  it('never echoes a rejected value (it may be a plaintext e-mail)', () => {
    const r = build({ email_sha256: ['secret.person@example.com'] });
    expect(r.event.user_data.em).toBeUndefined();
    expect(JSON.stringify(r.warnings)).not.toContain('secret');
  });

  it('every em value is one of the inputs trimmed and lower-cased: nothing is ever hashed', () => {
    fc.assert(
      fc.property(fc.array(element, { maxLength: 14 }), (list) => {
        const r = build({ email_sha256: list });
        const allowed = new Set(list.filter((v): v is string => typeof v === 'string').map((v) => v.trim().toLowerCase()));
        const em = r.event.user_data.em ?? [];
        for (const h of em) expect(allowed.has(h)).toBe(true);
        expect(new Set(em).size).toBe(em.length);
        expect(em.length).toBeLessThanOrEqual(10);
        // Each hash element is kept unless the cap was hit.
        const hashes = new Set(list.filter((v): v is string => typeof v === 'string' && /^\s*[0-9a-f]{64}\s*$/i.test(v)).map((v) => v.trim().toLowerCase()));
        if (!r.warnings.some((w) => w.includes('more than 10 values'))) expect(new Set(em)).toEqual(hashes);
      }),
      { numRuns: 300 },
    );
  });

  it('a string behaves like a one-element array (minus the index)', () => {
    fc.assert(
      fc.property(element, (v) => {
        const one = build({ email_sha256: v });
        const arr = build({ email_sha256: [v] });
        expect(one.event.user_data.em).toEqual(arr.event.user_data.em);
        expect(one.warnings).toEqual(arr.warnings.map((w) => w.replace('user.email_sha256[0]', 'user.email_sha256')));
      }),
      { numRuns: 300 },
    );
  });

  it('user.email wins over user.email_sha256 (seed: plain email OR email_sha256)', () => {
    const r = build({ email: 'Jane@Example.com', email_sha256: [H] });
    expect(r.event.user_data.em).toEqual([sha('jane@example.com')]);
  });
});

describe('integrations.facebook.user_data.<key> overrides carrying hashes', () => {
  const keys = ['em', 'ph', 'fn', 'ln', 'ge', 'db', 'ct', 'st', 'zp', 'country', 'external_id'] as const;
  it('a SHA-256 hex in any case, padded, alone or in an array, passes through lower-cased for every hashed key', () => {
    fc.assert(
      fc.property(fc.constantFrom(...keys), padded, fc.boolean(), (key, v, asArray) => {
        const r = build({}, { [key]: asArray ? [v, v.toUpperCase()] : v });
        expect(r.event.user_data[key]).toEqual([v.trim().toLowerCase()]);
        expect(r.warnings).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it('array elements that are neither strings nor numbers are warned about with their index', () => {
    const r = build({}, { ph: [H, { x: 1 }, 16505551212, false] });
    expect(r.event.user_data.ph).toEqual([H, sha('16505551212')]);
    expect(r.warnings).toEqual([
      'integrations.facebook.user_data.ph[1]: not a string (an object), dropped',
      'integrations.facebook.user_data.ph[3]: not a string (a boolean), dropped',
    ]);
  });
});
