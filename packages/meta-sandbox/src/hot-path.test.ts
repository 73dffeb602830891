/**
 * The Graph hot path replaced a few general-purpose calls with cheaper equivalents (a hex table instead of a
 * regex, a plain-URL regex in front of `new URL`, a bitmask for Meta's insufficient combinations, an index by
 * id instead of composite key strings, lazily allocated queues). Each is checked here against the simple
 * reference it replaced, on generated inputs built to hit the edges.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SUBCODES } from './errors.js';
import { KeyIndex } from './key-index.js';
import { SeqQueue } from './seq-queue.js';
import { isHttpUrl, isSha256Hex, validateEvent } from './validate-event.js';

const HEX_RE = /^[a-f0-9]{64}$/;
const refHttpUrl = (s: string): boolean => {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
};

describe('isSha256Hex ≡ /^[a-f0-9]{64}$/', () => {
  // Hex digits, their upper-case forms, near misses, and non-ASCII code units whose low byte is a hex digit.
  const chars = fc.constantFrom(...'0123456789abcdefABCDEFgG z', '\u0161', '\u0130', '\u0a30', '\uff41', '\ud83d');
  const strings = fc.oneof(
    fc.array(chars, { minLength: 62, maxLength: 66 }).map((a) => a.join('')),
    fc.array(fc.constantFrom(...'0123456789abcdef'), { minLength: 64, maxLength: 64 }).chain((a) =>
      fc.tuple(fc.nat(63), chars).map(([i, c]) => [...a.slice(0, i), c, ...a.slice(i + 1)].join(''))),
    fc.string(),
  );

  it('agrees on generated strings', () => {
    fc.assert(fc.property(strings, (s) => isSha256Hex(s) === HEX_RE.test(s)), { numRuns: 5000 });
  });

  it('accepts real hashes and rejects non-strings', () => {
    expect(isSha256Hex('62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f')).toBe(true);
    expect(isSha256Hex('62A14E44F765419D10FEA99367361A727C12365E2520F32218D505ED9AA0F62F')).toBe(false);
    for (const v of [undefined, null, 1, ['a'.repeat(64)], { length: 64 }]) expect(isSha256Hex(v)).toBe(false);
  });
});

describe('isHttpUrl ≡ new URL(s) with protocol http(s):', () => {
  const corpus = [
    'https://shop.example.test/products/item-1?utm_source=newsletter&utm_medium=email', 'http://a.b', 'HTTPS://A.COM/x y',
    'http://xn--a.com', 'http://a.xn--zz', 'http://a-.com', 'http://-a.com', 'http://a..b.com', 'http://1.2.3.256',
    'http://1.2.3.4', 'http://1.2.3.a', 'http://999999999999', 'http://0x1.com', 'http://a.0x1', 'http://a.com:99999',
    'http://a.com:65535', 'http://a.com:', 'http://a.com:0', 'http://localhost:3000/', 'http:///a.com', 'http:/a.com',
    ' http://a.com', 'ht\ttp://a.com', 'ftp://a.com', 'javascript:alert(1)', 'http://user@a.com', 'http://a.com\\x',
    'http://[::1]/', 'http://exa mple.com', 'http://a.com/%zz', 'http://é.com', 'http://a.com?q=\ud800', '', 'http://',
    'http://a.com.', 'http://a.b-c.d9', 'http://a.9b', 'http://a.b#f', 'http://a.b?', 'https://a.b/\n',
  ];

  it('agrees on a corpus of edge cases', () => {
    for (const s of corpus) expect(isHttpUrl(s), s).toBe(refHttpUrl(s));
  });

  it('agrees on generated URL-like strings', () => {
    const scheme = fc.constantFrom('http://', 'https://', 'HtTp://', 'ftp://', 'http:/', 'http:///', ' http://', 'http:', '');
    const label = fc.constantFrom('a', 'shop', 'xn--', 'xn--zz', 'a-b', '-', '0x1', '0X1f', '256', '1', '09', 'com', 'é', '%41', '@', '[::1]', '', 'a_b', 'A');
    const host = fc.array(label, { minLength: 1, maxLength: 5 }).map((ls) => ls.join('.'));
    const port = fc.constantFrom('', ':', ':80', ':8080', ':65535', ':65536', ':99999', ':x');
    const rest = fc.constantFrom('', '/', '/p?q=1#f', '?x', '#', ' ', '/a b', '\\p', '/\u0000', '/é', '\t/x');
    fc.assert(fc.property(scheme, host, port, rest, (a, b, c, d) => {
      const s = a + b + c + d;
      return isHttpUrl(s) === refHttpUrl(s);
    }), { numRuns: 20_000 });
  });
});

describe("insufficient customer information ≡ subset of one of Meta's combinations", () => {
  const COMBOS = [
    new Set(['ct', 'country', 'st', 'zp', 'ge', 'client_user_agent']),
    new Set(['db', 'client_user_agent']),
    new Set(['fn', 'ge']),
    new Set(['ln', 'ge']),
  ];
  const HASH = '62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f';
  const VALUES: Record<string, unknown> = {
    em: HASH, ph: [HASH], fn: HASH, ln: HASH, ge: HASH, db: HASH, ct: HASH, st: HASH, zp: HASH, country: HASH,
    external_id: [HASH], client_user_agent: 'UA', client_ip_address: '203.0.113.9', fbp: 'fb.1.1596403881668.1116446470',
  };
  // A key is present with a value, absent, or (client_ip_address, the one key where the checks allow it) sent
  // as '' and then not counted as customer information.
  const entry = fc.constantFrom<'value' | 'absent' | 'empty'>('value', 'absent', 'empty');
  const userData = fc.record(Object.fromEntries(Object.keys(VALUES).map((k) => [k, entry])) as Record<string, fc.Arbitrary<string>>);

  it('agrees with the Set-based definition on generated user_data', () => {
    fc.assert(fc.property(userData, fc.constantFrom('email', 'website'), (spec, actionSource) => {
      const ud: Record<string, unknown> = {};
      const present: string[] = [];
      for (const [k, how] of Object.entries(spec)) {
        if (how === 'value') {
          ud[k] = VALUES[k];
          present.push(k);
        } else if (how === 'empty' && k === 'client_ip_address') {
          ud[k] = '';
        }
      }
      if (actionSource === 'website' && ud.client_user_agent === undefined) return true;
      const check = validateEvent({
        event_name: 'Lead', event_time: 1_800_000_000, action_source: actionSource,
        event_source_url: 'https://a.example/x', user_data: ud,
      }, 0, 1_800_000_000);
      const expected = COMBOS.some((c) => present.every((k) => c.has(k)));
      const got = !check.ok && check.issue.subcode === SUBCODES.INSUFFICIENT_CUSTOMER_INFORMATION;
      if (!check.ok && !got) return false;
      return got === expected;
    }), { numRuns: 3000 });
  });
});

describe('KeyIndex ≡ Map keyed by pixel + name + id', () => {
  interface V { pixelId: string; eventName: string; id: string; n: number }
  const part = (xs: string[]) => fc.constantFrom(...xs);
  const key = fc.tuple(part(['1', '2']), part(['Purchase', 'purchase', 'Lead']), part(['a', 'b', 'c', '1\u0000Lead']));
  const op = fc.oneof(
    key.map((k) => ({ kind: 'add' as const, k })),
    key.map((k) => ({ kind: 'delete' as const, k })),
    key.map((k) => ({ kind: 'deleteStale' as const, k })),
    fc.constant({ kind: 'clear' as const, k: ['', '', ''] as [string, string, string] }),
  );

  it('answers like the composite-key Map after any sequence of adds and deletes', () => {
    fc.assert(fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
      const idx = new KeyIndex<V>();
      const ref = new Map<string, V>();
      const rk = (p: string, n: string, id: string) => JSON.stringify([p, n, id]);
      let n = 0;
      for (const { kind, k: [p, name, id] } of ops) {
        if (kind === 'add') {
          if (ref.has(rk(p, name, id))) continue; // the store only adds a missing key
          const v = { pixelId: p, eventName: name, id, n: n++ };
          idx.add(v);
          ref.set(rk(p, name, id), v);
        } else if (kind === 'delete') {
          const v = ref.get(rk(p, name, id));
          if (v) idx.delete(v);
          ref.delete(rk(p, name, id));
        } else if (kind === 'deleteStale') {
          idx.delete({ pixelId: p, eventName: name, id, n: -1 }); // not the stored value: no effect
        } else {
          idx.clear();
          ref.clear();
        }
        for (const pp of ['1', '2']) for (const nn of ['Purchase', 'purchase', 'Lead']) for (const ii of ['a', 'b', 'c', '1\u0000Lead']) {
          if (idx.get(pp, nn, ii) !== ref.get(rk(pp, nn, ii))) return false;
        }
      }
      return true;
    }), { numRuns: 1000 });
  });
});

describe('SeqQueue ≡ an array', () => {
  const op = fc.oneof(
    fc.integer({ min: 0, max: 999 }).map((x) => ({ kind: 'push' as const, x })),
    fc.constant({ kind: 'shiftFront' as const, x: 0 }),
    fc.integer({ min: 0, max: 999 }).map((x) => ({ kind: 'shiftIf' as const, x })),
    fc.constant({ kind: 'popBack' as const, x: 0 }),
    fc.integer({ min: 0, max: 999 }).map((x) => ({ kind: 'remove' as const, x })),
    fc.constant({ kind: 'clear' as const, x: 0 }),
  );

  it('keeps the same elements in the same order, including across the compaction threshold', () => {
    fc.assert(fc.property(fc.array(op, { maxLength: 200 }), fc.integer({ min: 0, max: 2500 }), (ops, preload) => {
      const q = new SeqQueue<number>();
      const ref: number[] = [];
      for (let i = 0; i < preload; i++) {
        q.push(i);
        ref.push(i);
      }
      for (let i = 0; i < preload - 10; i++) {
        q.shiftIf(i);
        ref.shift();
      }
      for (const { kind, x } of ops) {
        if (kind === 'push') {
          q.push(x);
          ref.push(x);
        } else if (kind === 'shiftFront') {
          const f = q.front();
          if (f !== undefined) q.shiftIf(f);
          ref.shift();
        } else if (kind === 'shiftIf') {
          const did = q.shiftIf(x);
          if (did !== (ref[0] === x && ref.length > 0)) return false;
          if (did) ref.shift();
        } else if (kind === 'popBack') {
          q.popBack();
          ref.pop();
        } else if (kind === 'remove') {
          q.remove(x);
          const i = ref.indexOf(x);
          if (i >= 0) ref.splice(i, 1);
        } else {
          q.clear();
          ref.length = 0;
        }
        if (q.length !== ref.length || q.front() !== ref[0] || q.back() !== ref[ref.length - 1]) return false;
      }
      for (let i = 0; i < ref.length; i++) if (q.at(i) !== ref[i]) return false;
      return true;
    }), { numRuns: 300 });
  });
});
