import { randomUUID } from 'node:crypto';
import type { MappingContext } from './types.js';
import { describe, own, type Obj } from './util.js';

/** Longer ids are almost certainly a bug (Meta documents no limit; uuids are 36 characters). */
export const MAX_EVENT_ID_LENGTH = 256;

export type EventIdResult = { ok: true; value: string; generated: boolean } | { ok: false; detail: string };

/** Why a present id is unusable (the id itself is a string, an absent one undefined). */
interface BadId { detail: string }

function readId(raw: unknown, field: string): string | BadId | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  let s: string;
  if (typeof raw === 'string') s = raw.trim();
  else if (typeof raw === 'number' && Number.isFinite(raw)) s = String(raw);
  else return { detail: `${field}: not a string or number (${describe(raw)})` };
  if (s === '') return undefined;
  if (s.length > MAX_EVENT_ID_LENGTH) return { detail: `${field}: longer than ${MAX_EVENT_ID_LENGTH} characters` };
  return s;
}

/**
 * integrations.facebook.event_id > event_id > context.event_id > the id the ingest derived for it
 * (`ctx.eventId`, see derived-event-id.ts) > a fresh uuid. Numbers become strings.
 * `fb` = integrations.facebook, `context` = the event's context (whatever they are).
 */
export function resolveEventId(input: Obj, fb: unknown, context: unknown, ctx: MappingContext): EventIdResult {
  const r = readId(own(fb, 'event_id'), 'integrations.facebook.event_id') ?? readId(own(input, 'event_id'), 'event_id')
    ?? readId(own(context, 'event_id'), 'context.event_id');
  if (typeof r === 'string') return { ok: true, value: r, generated: false };
  if (r !== undefined) return { ok: false, detail: r.detail };
  return { ok: true, value: ctx.eventId ?? randomUUID(), generated: true };
}
