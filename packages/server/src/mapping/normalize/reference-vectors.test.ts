import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { expectedOf, label, ours, type Field, type ReferenceFile } from './reference-vectors/compare.js';

/**
 * Meta's own normaliser test vectors (capi-param-builder, the Node business SDK) and Segment's, run through
 * our normalisers. Every pair must agree, except those listed in reference-vectors/exceptions.json, grouped
 * by the rule (`why`) under which Meta's documentation (or a stated rule of ours) says the reference is wrong;
 * for those we check our stated output and that the reference still differs (a stale exception fails too).
 */
type ReferenceSource = 'param-builder' | 'sdk' | 'segment';
type ExceptionCase = [source: ReferenceSource, field: string, input: string, ours: string | null];
const SOURCES: ReferenceSource[] = ['param-builder', 'sdk', 'segment'];
const readJson = <T>(name: string): T => JSON.parse(readFileSync(new URL(`./reference-vectors/${name}.json`, import.meta.url), 'utf8')) as T;
const load = (s: ReferenceSource): ReferenceFile => readJson<ReferenceFile>(s);
const EXCEPTIONS = readJson<{ groups: Array<{ reason: string; why: string; cases: ExceptionCase[] }> }>('exceptions').groups;

const exceptionKey = (source: string, field: string, input: string | null): string => `${source}\u0000${field}\u0000${label(input)}`;
const exceptions = new Map<string, { ours: string | null; reason: string; used: boolean }>();
for (const group of EXCEPTIONS) {
  for (const [source, field, input, o] of group.cases) {
    const key = exceptionKey(source, field, input);
    if (exceptions.has(key)) throw new Error(`duplicate exception ${source} ${field} ${input}`);
    exceptions.set(key, { ours: o, reason: group.reason, used: false });
  }
}

describe('reference normaliser vectors', () => {
  for (const source of SOURCES) {
    const file = load(source);
    for (const [field, pairs] of Object.entries(file.vectors)) {
      it(`${source} ${field}: ${pairs.length} pairs`, () => {
        const mismatches: string[] = [];
        for (const [input, expected, country] of pairs) {
          const got = ours(field as Field, input, country);
          const want = expectedOf(expected);
          const exception = exceptions.get(exceptionKey(source, field, input));
          if (exception) {
            exception.used = true;
            if (label(got) !== exception.ours) mismatches.push(`exception ${JSON.stringify(label(input))}: ours ${JSON.stringify(label(got))}, listed ${JSON.stringify(exception.ours)}`);
            if (got === want) mismatches.push(`stale exception ${JSON.stringify(label(input))}: we now agree with the reference`);
          } else if (got !== want) {
            mismatches.push(`${JSON.stringify(label(input))}: reference ${JSON.stringify(label(want))}, ours ${JSON.stringify(label(got))}`);
          }
        }
        expect(mismatches).toEqual([]);
      });
    }
  }

  it('every listed exception matches a reference pair', () => {
    expect([...exceptions].filter(([, e]) => !e.used).map(([k]) => k.replaceAll('\u0000', ' '))).toEqual([]);
  });

  it('agrees with most of each reference (the exception list stays the exception)', () => {
    let total = 0;
    for (const source of SOURCES) for (const pairs of Object.values(load(source).vectors)) total += pairs.length;
    expect(total).toBeGreaterThan(1800);
    expect(exceptions.size / total).toBeLessThan(0.15);
  });
});
