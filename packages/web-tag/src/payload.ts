import { SERVER_ONLY_FIELDS } from '@capi-bridge/contract';
import type { TagEvent } from '@capi-bridge/contract';
import type { Obj } from './types.js';

/** Plain object (not array, Date, null…). */
export const isObj = (v: unknown): v is Obj => Object.prototype.toString.call(v) == '[object Object]';

/** Deep merge into a fresh tree (plain objects are copied, so callers' objects are never mutated); `b` wins. */
export function merge(a: unknown, b: unknown): Obj {
  const out: Obj = {};
  for (const o of [a, b]) if (isObj(o)) for (const k in o) if (k != '__proto__') out[k] = isObj(o[k]) ? merge(out[k], o[k]) : o[k];
  return out;
}

/**
 * `target` with a dotted path (`user.email`) set to `value`, as a fresh tree: plain objects on the way are
 * created or copied, a plain-object value is merged. `__proto__` segments are ignored (merge skips them).
 */
export const setPath = (target: Obj, path: string, value: unknown): Obj =>
  merge(target, path.split('.').reduceRight((v, k) => ({ [k]: v }), value));

/**
 * The `/collect` body (contract `TagEvent`): the original event name and properties at the root,
 * metadata in `context`, the shared id + cookies in `integrations.facebook`, consent in `user`.
 * Server-only fields are removed: the browser may never set them. `props` is never mutated.
 */
export function buildPayload(
  name: string,
  props: Obj,
  id: string,
  ts: number,
  page: { url: string; referrer: string; title: string },
  fbp?: string,
  fbc?: string,
  categories?: string[],
): TagEvent {
  const ev = merge(props, {
    event_name: name,
    context: { event_id: id, event_timestamp: ts, page },
    integrations: { facebook: { event_id: id, fbp, fbc } },
    user: { consent_categories: categories },
  });
  for (const f of SERVER_ONLY_FIELDS) {
    const keys = f.split('.');
    const last = keys.pop()!;
    const o = keys.reduce<unknown>((o, k) => isObj(o) && o[k], ev);
    if (isObj(o)) delete o[last];
  }
  return ev as TagEvent;
}
