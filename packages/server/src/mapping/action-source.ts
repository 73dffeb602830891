import { ACTION_SOURCES, type ActionSource, type DestinationConfig } from './types.js';
import { describe, own, type Obj } from './util.js';

const VALID: ReadonlySet<string> = new Set(ACTION_SOURCES);
export const isActionSource = (v: unknown): v is ActionSource => typeof v === 'string' && VALID.has(v);

export type ActionSourceResult = { readonly ok: true; readonly value: ActionSource } | { readonly ok: false; readonly detail: string };
const PHYSICAL_STORE: ActionSourceResult = Object.freeze({ ok: true, value: 'physical_store' });
const WEBSITE: ActionSourceResult = Object.freeze({ ok: true, value: 'website' });

/** integrations.facebook.action_source > type 'offline' → physical_store > destination default. */
export function resolveActionSource(input: Obj, fb: unknown, dest: DestinationConfig): ActionSourceResult {
  const ov = own(fb, 'action_source');
  if (ov !== undefined && ov !== null) {
    const v = typeof ov === 'string' ? ov.trim().toLowerCase() : ov;
    if (!isActionSource(v)) {
      return { ok: false, detail: `integrations.facebook.action_source: ${describe(ov)}, not one of ${ACTION_SOURCES.join(', ')}` };
    }
    return { ok: true, value: v };
  }
  const type = own(input, 'type');
  if (typeof type === 'string' && type.trim().toLowerCase() === 'offline') return PHYSICAL_STORE;
  const d = dest.defaultActionSource;
  return d === 'website' ? WEBSITE : { ok: true, value: d };
}
