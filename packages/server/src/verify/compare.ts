/** Pairs browser pixel hits with what the companion server says it sent. Pure. */
import { explainDrop } from './diagnose.js';
import type { PixelHit, SentRecord, Verdict, VerifyReport, VerifyRow } from './types.js';

const DELIVERED = new Set(['queued', 'sent', 'retrying']);
export const VERDICTS: readonly Verdict[] = ['paired', 'browser-only', 'server-only', 'event_name mismatch', 'fbp mismatch', 'no event id'];

/** The server record for a hit: the one for the hit's pixel when the server names destinations, else the first. */
function pickRecord(records: SentRecord[], pixelId: string | undefined): SentRecord | undefined {
  if (records.length === 0) return undefined;
  const forPixel = pixelId ? records.filter((r) => r.destination === pixelId) : [];
  const pool = forPixel.length ? forPixel : records;
  return pool.find((r) => DELIVERED.has(r.status)) ?? pool[0];
}

/**
 * @param hits every pixel hit recorded in the browser
 * @param sent server records by event id (for every event id the browser sent, hit or forwarded)
 * @param forwardedIds event ids the page forwarded to the server (to find server-only events)
 */
export function compare(hits: PixelHit[], sent: Map<string, SentRecord[]>, forwardedIds: Iterable<string> = []): VerifyReport {
  const rows: VerifyRow[] = [];
  const seen = new Set<string>();
  let unkeyedHits = 0;
  const serverNames = new Set<string>();
  for (const records of sent.values()) for (const r of records) if (r.eventName && DELIVERED.has(r.status)) serverNames.add(r.eventName);
  /** The URL each document was loaded at: its first hit's page URL. */
  const loadedAt = new Map<number, string | undefined>();
  for (const hit of hits) {
    const doc = hit.document ?? 0;
    if (!loadedAt.has(doc)) loadedAt.set(doc, hit.pageUrl);
    if (!hit.eventId) {
      if (serverNames.has(hit.eventName)) rows.push(unkeyedRow(hit, hit.pageUrl !== loadedAt.get(doc)));
      else unkeyedHits++;
      continue;
    }
    const key = `${hit.pixelId}\u0000${hit.eventId}`;
    if (seen.has(key)) continue;
    seen.add(key);
    rows.push(classifyHit(hit, pickRecord(sent.get(hit.eventId) ?? [], hit.pixelId)));
  }
  const hitIds = new Set(hits.map((h) => h.eventId).filter((id): id is string => !!id));
  const serverIds = new Set<string>(forwardedIds);
  for (const id of sent.keys()) serverIds.add(id);
  for (const id of serverIds) {
    if (hitIds.has(id)) continue;
    const record = pickRecord(sent.get(id) ?? [], undefined);
    if (!record || !DELIVERED.has(record.status)) continue;
    rows.push({
      verdict: 'server-only',
      eventId: id,
      serverEventName: record.eventName,
      serverFbp: record.fbp,
      serverStatus: record.status,
      note: 'the server sent it but the browser pixel never fired it',
    });
  }
  const counts = Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<Verdict, number>;
  for (const row of rows) counts[row.verdict]++;
  const ok = rows.length > 0 && rows.every((r) => r.verdict === 'paired');
  return { rows, unkeyedHits, counts, ok };
}

function classifyHit(hit: PixelHit, record: SentRecord | undefined): VerifyRow {
  const base: VerifyRow = {
    verdict: 'paired',
    eventId: hit.eventId!,
    pixelId: hit.pixelId,
    browserEventName: hit.eventName,
    browserFbp: hit.fbp,
  };
  if (!record) return { ...base, verdict: 'browser-only', note: 'the server has no event with this id' };
  const row: VerifyRow = { ...base, serverEventName: record.eventName, serverFbp: record.fbp, serverStatus: record.status };
  if (!DELIVERED.has(record.status)) {
    return { ...row, verdict: 'browser-only', note: explainDrop(record.status, record.reason, record.matchKeys) };
  }
  if (record.eventName !== hit.eventName) {
    return { ...row, verdict: 'event_name mismatch', note: 'Meta deduplicates only on the same event_name + event_id' };
  }
  if ((hit.fbp ?? '') !== (record.fbp ?? '')) {
    return { ...row, verdict: 'fbp mismatch', note: hit.fbp && !record.fbp ? 'the server event has no fbp' : 'fbp differs' };
  }
  return row;
}

/**
 * A pixel hit without `eid` for a name the server also sends: Meta cannot deduplicate it by event_id against
 * any server copy (only its limited fbp/external_id fallback might), so it fails the run with the likely cause.
 */
function unkeyedRow(hit: PixelHit, afterRouteChange: boolean): VerifyRow {
  const name = hit.eventName;
  const note =
    name === 'PageView' && afterRouteChange
      ? 'automatic SPA page view: fbevents.js sent its own PageView on a history change (pushState/replaceState/popstate) ' +
        "without an event id. Turn on the tag's autoPageViews (data-auto-page-views) so it sets fbq.disablePushState before " +
        'fbevents.js starts and sends a paired page_view, or set fbq.disablePushState = true right after your base code'
      : `the page's own fbq('track', '${name}') ran without an eventID before the tag could give it one ` +
        '(fbevents.js had already sent it when tag.js loaded, or the mirror is off). Load tag.js before the base code ' +
        `(not async), or send it with cact('trigger', …)${name === 'PageView' ? " (replace fbq('track','PageView') by cact('trigger','page_view'))" : ''}`;
  return { verdict: 'no event id', eventId: '(none)', pixelId: hit.pixelId, browserEventName: name, browserFbp: hit.fbp, note };
}
