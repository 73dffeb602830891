import { isMetaStandardEvent, metaEventName } from '@capi-bridge/contract';
import { MAX_CUSTOM_EVENT_NAME_LENGTH } from '../meta/rules.js';
import type { DropReason } from './types.js';
import { describe, own, type Obj } from './util.js';

export type EventNameResult =
  | { ok: true; name: string; standard: boolean }
  | { ok: false; reason: DropReason; detail: string };

/** `event_name` via the shared seed table; `integrations.facebook.event_name` overrides. `fb` = integrations.facebook. */
export function resolveEventName(input: Obj, fb: unknown): EventNameResult {
  const raw = own(input, 'event_name');
  const override = own(fb, 'event_name');
  let ov: string | undefined;
  if (override !== undefined && override !== null) {
    if (typeof override !== 'string' || override.trim() === '') {
      return { ok: false, reason: 'invalid_event_name', detail: `integrations.facebook.event_name: not a non-empty string (${describe(override)})` };
    }
    ov = override.trim();
  }
  if (ov === undefined) {
    if (raw === undefined || raw === null || raw === '') return { ok: false, reason: 'missing_event_name', detail: 'event_name: missing' };
    if (typeof raw !== 'string') return { ok: false, reason: 'invalid_event_name', detail: `event_name: not a string (${describe(raw)})` };
  }
  const base = typeof raw === 'string' ? raw.trim() : '';
  if (ov === undefined && base === '') return { ok: false, reason: 'missing_event_name', detail: 'event_name: empty' };
  // The contract's resolver, which the web tag calls for the pixel's name too, so browser and server cannot disagree.
  const name = metaEventName(base, ov);
  const standard = isMetaStandardEvent(name);
  if (!standard && name.length > MAX_CUSTOM_EVENT_NAME_LENGTH) {
    const field = ov === undefined ? 'event_name' : 'integrations.facebook.event_name';
    return { ok: false, reason: 'invalid_event_name', detail: `${field}: custom event names are limited to ${MAX_CUSTOM_EVENT_NAME_LENGTH} characters (got ${name.length})` };
  }
  return { ok: true, name, standard };
}
