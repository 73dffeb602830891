import { ACTION_SOURCES, type ActionSource, type DestinationConfig } from './types.js';
import { describe, own, path, type Obj } from './util.js';

const VALID: ReadonlySet<string> = new Set(ACTION_SOURCES);
export const isActionSource = (v: unknown): v is ActionSource => typeof v === 'string' && VALID.has(v);

export type ActionSourceResult = { ok: true; value: ActionSource } | { ok: false; detail: string };

/** integrations.facebook.action_source > type 'offline' → physical_store > destination default. */
export function resolveActionSource(input: Obj, dest: DestinationConfig): ActionSourceResult {
  const ov = path(input, 'integrations', 'facebook', 'action_source');
  if (ov !== undefined && ov !== null) {
    const v = typeof ov === 'string' ? ov.trim().toLowerCase() : ov;
    if (!isActionSource(v)) {
      return { ok: false, detail: `integrations.facebook.action_source: ${describe(ov)} is not one of ${ACTION_SOURCES.join(', ')}` };
    }
    return { ok: true, value: v };
  }
  const type = own(input, 'type');
  if (typeof type === 'string' && type.trim().toLowerCase() === 'offline') return { ok: true, value: 'physical_store' };
  return { ok: true, value: dest.defaultActionSource };
}
