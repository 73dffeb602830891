import { randomUUID } from 'node:crypto';
import { describe, own, path, type Obj } from './util.js';

/** Longer ids are almost certainly a bug (Meta documents no limit; uuids are 36 characters). */
export const MAX_EVENT_ID_LENGTH = 256;

export type EventIdResult = { ok: true; value: string; generated: boolean } | { ok: false; detail: string };

const SOURCES: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['integrations.facebook.event_id', ['integrations', 'facebook', 'event_id']],
  ['event_id', ['event_id']],
  ['context.event_id', ['context', 'event_id']],
];

/** integrations.facebook.event_id > event_id > context.event_id > a fresh uuid. Numbers become strings. */
export function resolveEventId(input: Obj): EventIdResult {
  for (const [field, keys] of SOURCES) {
    const raw = keys.length === 1 ? own(input, keys[0]!) : path(input, ...keys);
    if (raw === undefined || raw === null || raw === '') continue;
    let s: string;
    if (typeof raw === 'string') s = raw.trim();
    else if (typeof raw === 'number' && Number.isFinite(raw)) s = String(raw);
    else return { ok: false, detail: `${field}: not a string or number (${describe(raw)})` };
    if (s === '') continue;
    if (s.length > MAX_EVENT_ID_LENGTH) return { ok: false, detail: `${field}: longer than ${MAX_EVENT_ID_LENGTH} characters` };
    return { ok: true, value: s, generated: false };
  }
  return { ok: true, value: randomUUID(), generated: true };
}
