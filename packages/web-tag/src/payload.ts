import { SERVER_ONLY_FIELDS } from '@capi-bridge/contract';
import type { TagEvent } from '@capi-bridge/contract';
import type { Obj } from './types.js';

/** Plain object (not array, Date, null…). */
export const isObj = (v: unknown): v is Obj => Object.prototype.toString.call(v) == '[object Object]';

/** Sets a dotted path (`user.email`), creating plain objects on the way. Refuses prototype keys. */
export function setPath(target: Obj, path: string, value: unknown): void {
  if (/__proto__|constructor|prototype/.test(path)) return;
  const keys = path.split('.');
  const last = keys.pop()!;
  let o = target;
  for (const k of keys) o = isObj(o[k]) ? (o[k] as Obj) : (o[k] = {});
  o[last] = value;
}

/** Deep merge into a fresh tree (plain objects are copied, so callers' objects are never mutated); `b` wins. */
export function merge(a: unknown, b: unknown): Obj {
  const out: Obj = {};
  for (const o of [a, b]) if (isObj(o)) for (const k in o) if (k != '__proto__') out[k] = isObj(o[k]) ? merge(out[k], o[k]) : o[k];
  return out;
}

function unset(o: Obj, path: string): void {
  const keys = path.split('.');
  const last = keys.pop()!;
  for (const k of keys) {
    if (!isObj(o[k])) return;
    o = o[k] as Obj;
  }
  delete o[last];
}

/**
 * The `/collect` body (contract `TagEvent`): the original event name and properties at the root,
 * metadata in `context`, the shared id + cookies in `integrations.facebook`, consent in `user`.
 * Server-only fields are removed: the browser may never set them. `props` must be a fresh tree (merge()).
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
  }) as TagEvent;
  for (const f of SERVER_ONLY_FIELDS) unset(ev, f);
  return ev;
}
