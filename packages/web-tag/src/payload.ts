import type { Obj } from './types.js';

import { isObj } from '@capi-bridge/contract';

/** Deep merge into a fresh tree (plain objects are copied, so callers' objects are never mutated); `b` wins. */
export const merge = (a: unknown, b: unknown): Obj => {
  const out: Obj = {};
  for (const o of [a, b]) if (isObj(o)) for (const k in o) if (k != '__proto__') out[k] = isObj(o[k]) ? merge(out[k], o[k]) : o[k];
  return out;
};
