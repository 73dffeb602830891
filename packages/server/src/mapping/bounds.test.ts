import { describe, expect, it } from 'vitest';
import { checkPassThrough, MAX_PASSTHROUGH_BYTES, newBudget } from './bounds.js';

function nested(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

describe('checkPassThrough', () => {
  it('accepts plain values and objects up to 5 levels, charging their size', () => {
    const b = newBudget();
    expect(checkPassThrough('abc', 'x.', 'k', b)).toBeUndefined();
    expect(checkPassThrough(nested(5), 'x.', 'k', b)).toBeUndefined();
    expect(checkPassThrough([1, 'two', { three: [3] }], 'x.', 'k', b)).toBeUndefined();
    expect(b.used).toBeGreaterThan(5);
  });

  it('rejects 6,000 levels of nesting after reading 5, naming the path', () => {
    expect(checkPassThrough(nested(6000), 'integrations.facebook.custom_data.', 'deep', newBudget()))
      .toBe('integrations.facebook.custom_data.deep.a.a.a.a.a: nested deeper than 5 levels');
  });

  it('rejects huge keys, long strings, wide objects and arrays, and too many bytes in total', () => {
    expect(checkPassThrough({ ['k'.repeat(100_000)]: 1 }, 'p.', 'o', newBudget())).toBe('p.o: a key longer than 2048 characters');
    expect(checkPassThrough({ list: ['a', 'b'.repeat(3000)] }, 'p.', 'o', newBudget())).toBe('p.o.list[1]: longer than 2048 characters');
    expect(checkPassThrough(Array.from({ length: 101 }, () => 0), 'p.', 'o', newBudget())).toBe('p.o: more than 100 elements');
    const b = newBudget();
    let bad: string | undefined;
    for (let i = 0; i < 10 && bad === undefined; i++) bad = checkPassThrough('z'.repeat(2000), 'p.', `k${i}`, b);
    expect(bad).toBe(`p.k8: pass-through data of this event larger than ${MAX_PASSTHROUGH_BYTES} bytes`);
  });

  it('never echoes a value and cuts long keys in field names', () => {
    const bad = checkPassThrough({ [`secret-${'s'.repeat(60)}`]: nested(10) }, 'p.', 'o', newBudget())!;
    expect(bad).toContain('p.o.secret-');
    expect(bad.length).toBeLessThan(120);
  });
});

describe('checkPassThrough keys', () => {
  it('bounds the key under which the value sits too', () => {
    expect(checkPassThrough(1, 'integrations.facebook.custom_data.', 'k'.repeat(2049), newBudget()))
      .toMatch(/^integrations\.facebook\.custom_data\.k{40}…: key longer than 2048 characters$/);
  });
});
