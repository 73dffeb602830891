/**
 * Bounds on values that pass through the mapping unmapped (integrations.facebook.custom_data overrides,
 * properties copied by sendAllProperties, user_data pass-through keys). Such a value is stored in the outbox
 * and sent to Meta as given, so its shape is the caller's: without a bound, one event nested thousands of
 * levels deep overflows the stack of every later `JSON.stringify`, and a few huge keys fill the queue.
 */

/** Object/array nesting of one pass-through value (a string or number is depth 0, `{"a":1}` depth 1). */
export const MAX_PASSTHROUGH_DEPTH = 5;
/** Keys of one object, elements of one array, inside a pass-through value. */
export const MAX_PASSTHROUGH_KEYS = 100;
/** Characters of one string (and of one key) inside a pass-through value. */
export const MAX_PASSTHROUGH_STRING = 2048;
/** Estimated JSON bytes of all pass-through values of one event together. */
export const MAX_PASSTHROUGH_BYTES = 16 * 1024;

/** The first bound a value broke, as a detail naming the field (never the value). */
export type BoundViolation = string;

/**
 * Running byte budget of one event's pass-through values. `used` is an estimate of their JSON size
 * (string lengths in UTF-16 units + punctuation), enough to bound memory and stored bytes.
 */
export interface PassThroughBudget {
  used: number;
}

export const newBudget = (): PassThroughBudget => ({ used: 0 });

/**
 * Checks `value` (found at `prefix` + `key`) against the bounds and charges its size to `budget`. Returns undefined
 * when it fits, else the detail of the first violation. Descends at most MAX_PASSTHROUGH_DEPTH levels and
 * MAX_PASSTHROUGH_KEYS entries per level, so a hostile value is rejected after reading little of it.
 * Field names of nested entries are built only for a violation (the common, fitting value allocates nothing).
 */
export function checkPassThrough(value: unknown, prefix: string, key: string, budget: PassThroughBudget): BoundViolation | undefined {
  if (key.length > MAX_PASSTHROUGH_STRING) return `${prefix}${safeKey(key)}: key longer than ${MAX_PASSTHROUGH_STRING} characters`;
  budget.used += key.length + 4;
  const bad = check(value, 0, budget);
  return bad === undefined ? undefined : prefix + safeKey(key) + bad;
}

/** The violation relative to `v` (`<path suffix>: <why>`), or undefined. `depth` = nesting of `v`'s container. */
function check(v: unknown, depth: number, budget: PassThroughBudget): string | undefined {
  if (typeof v === 'string') {
    if (v.length > MAX_PASSTHROUGH_STRING) return `: longer than ${MAX_PASSTHROUGH_STRING} characters`;
    budget.used += v.length + 2;
  } else if (typeof v === 'object' && v !== null) {
    if (depth >= MAX_PASSTHROUGH_DEPTH) return `: nested deeper than ${MAX_PASSTHROUGH_DEPTH} levels`;
    budget.used += 2;
    if (Array.isArray(v)) {
      if (v.length > MAX_PASSTHROUGH_KEYS) return `: more than ${MAX_PASSTHROUGH_KEYS} elements`;
      for (let i = 0; i < v.length; i++) {
        budget.used += 1;
        const bad = check(v[i], depth + 1, budget);
        if (bad !== undefined) return `[${i}]${bad}`;
      }
    } else {
      let n = 0;
      for (const k in v) {
        if (!Object.hasOwn(v, k)) continue;
        if (++n > MAX_PASSTHROUGH_KEYS) return `: more than ${MAX_PASSTHROUGH_KEYS} keys`;
        if (k.length > MAX_PASSTHROUGH_STRING) return `: a key longer than ${MAX_PASSTHROUGH_STRING} characters`;
        budget.used += k.length + 4;
        const bad = check((v as Record<string, unknown>)[k], depth + 1, budget);
        if (bad !== undefined) return `.${safeKey(k)}${bad}`;
      }
    }
  } else {
    budget.used += 8;
  }
  return budget.used > MAX_PASSTHROUGH_BYTES ? `: pass-through data of this event larger than ${MAX_PASSTHROUGH_BYTES} bytes` : undefined;
}

/** A key as it may appear in a field name: short keys as is, long ones cut (the key is caller data). */
function safeKey(k: string): string {
  return k.length <= 40 ? k : `${k.slice(0, 40)}…`;
}
