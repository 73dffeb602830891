import { randomUUID } from 'node:crypto';
import type { MappingContext } from './types.js';
import { describe, own, type Obj } from './util.js';

/** Longer ids are almost certainly a bug (Meta documents no limit; uuids are 36 characters). */
export const MAX_EVENT_ID_LENGTH = 256;

export type EventIdResult = { ok: true; value: string; generated: boolean } | { ok: false; detail: string };

/** Scratch result of readId(): 0 = not present, 1 = id in `idValue`, 2 = error in `idValue`. */
let idValue = '';

function readId(raw: unknown, field: string): 0 | 1 | 2 {
  if (raw === undefined || raw === null || raw === '') return 0;
  let s: string;
  if (typeof raw === 'string') s = raw.trim();
  else if (typeof raw === 'number' && Number.isFinite(raw)) s = String(raw);
  else {
    idValue = `${field}: not a string or number (${describe(raw)})`;
    return 2;
  }
  if (s === '') return 0;
  if (s.length > MAX_EVENT_ID_LENGTH) {
    idValue = `${field}: longer than ${MAX_EVENT_ID_LENGTH} characters`;
    return 2;
  }
  idValue = s;
  return 1;
}

/**
 * integrations.facebook.event_id > event_id > context.event_id > the id the ingest derived for it
 * (`ctx.eventId`, see derived-event-id.ts) > a fresh uuid. Numbers become strings.
 * `fb` = integrations.facebook, `context` = the event's context (whatever they are).
 */
export function resolveEventId(input: Obj, fb: unknown, context: unknown, ctx: MappingContext): EventIdResult {
  let r = readId(own(fb, 'event_id'), 'integrations.facebook.event_id');
  if (r === 0) r = readId(own(input, 'event_id'), 'event_id');
  if (r === 0) r = readId(own(context, 'event_id'), 'context.event_id');
  if (r === 1) return { ok: true, value: idValue, generated: false };
  if (r === 2) return { ok: false, detail: idValue };
  return { ok: true, value: ctx.eventId ?? randomUUID(), generated: true };
}
