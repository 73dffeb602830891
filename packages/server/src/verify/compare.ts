/** Pairs browser pixel hits with what the companion server says it sent. Pure. */
import { explainDrop } from './diagnose.js';
import type { PixelHit, SentRecord, Verdict, VerifyReport, VerifyRow } from './types.js';

const DELIVERED = new Set(['queued', 'sent', 'retrying']);
export const VERDICTS: readonly Verdict[] = ['paired', 'browser-only', 'server-only', 'event_name mismatch', 'fbp mismatch'];

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
  for (const hit of hits) {
    if (!hit.eventId) {
      unkeyedHits++;
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
