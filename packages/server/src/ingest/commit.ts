import type { DropReason } from '../mapping/types.js';
import type { EnqueueResult } from '../outbox/types.js';
import type { SentLog } from '../sent-log.js';
import { count as countKeys, type Counts } from '../status/coverage.js';
import type { Drop, IngestDeps, Prepared } from './types.js';

/**
 * Queues what was accepted (all or nothing) and, once durable, records metrics and the sent log.
 * Returns the outbox's answer; on failure nothing of this request is accepted.
 */
export async function commit(deps: IngestDeps, p: Prepared): Promise<EnqueueResult> {
  const { metrics, sentLog } = deps;
  metrics.received.inc({ source: p.source }, p.count);
  const r = await deps.outbox.enqueue(p.items);
  if (!r.ok) {
    metrics.dropped.inc({ reason: r.reason, source: p.source }, p.count);
    deps.dropLog?.note(`outbox:${r.reason}`, 'request refused: the outbox did not take its events (503, the sender retries)', () => ({
      drop: r.reason, source: p.source, events: p.count,
      hint: r.reason === 'outbox_full' ? 'OUTBOX_MAX_DEPTH reached: delivery is behind (paused destination? see /status)' : 'the outbox (SQLite file or Redis) is not answering; see /readyz',
    }), p.count);
    return r;
  }
  // One clock read for the request's sent-log records; counters once per (destination | reason).
  const at = sentLog.timestamp();
  const items = p.items;
  const fb = p.itemFb;
  const coverage = deps.coverage;
  const masks = p.keyMasks;
  let row: Counts | undefined;
  let rowDest = '';
  let rowName = '';
  let lastDest: string | undefined;
  let lastCount = 0;
  let perDest: Map<string, number> | undefined;
  for (let i = 0; i < items.length; i++) {
    const it = items[i]!;
    if (it.destinationId !== lastDest) {
      if (lastDest !== undefined) (perDest ??= new Map()).set(lastDest, (perDest.get(lastDest) ?? 0) + lastCount);
      lastDest = it.destinationId;
      lastCount = 0;
    }
    lastCount++;
    const e = it.event;
    const rec: Parameters<SentLog['record']>[0] = { event_id: e.event_id, event_name: e.event_name, destination: it.destinationId, status: 'queued' };
    if (fb) {
      const fbp = fb.fbp[i];
      const fbc = fb.fbc[i];
      if (fbp != null) rec.fbp = fbp;
      if (fbc != null) rec.fbc = fbc;
    } else {
      const ud = e.user_data;
      if (ud.fbp !== undefined) rec.fbp = ud.fbp;
      if (ud.fbc !== undefined) rec.fbc = ud.fbc;
    }
    sentLog.record(rec, at);
    if (coverage !== undefined && masks !== undefined) {
      if (row === undefined || rowDest !== it.destinationId || rowName !== e.event_name) {
        rowDest = it.destinationId;
        rowName = e.event_name;
        row = coverage.row(rowDest, rowName);
      }
      countKeys(row, masks[i]!);
    }
  }
  if (lastDest !== undefined) {
    if (perDest === undefined) {
      metrics.enqueued.inc({ destination: lastDest }, lastCount);
      deps.notify?.(lastDest, lastCount);
    } else {
      perDest.set(lastDest, (perDest.get(lastDest) ?? 0) + lastCount);
      for (const [d, n] of perDest) {
        metrics.enqueued.inc({ destination: d }, n);
        deps.notify?.(d, n);
      }
    }
  }
  if (p.drops.length > 0) recordDrops(deps, p, at);
  return r;
}

/** Sent-log records (events that name their own id), counters and the drop log, once per reason. */
function recordDrops(deps: IngestDeps, p: Prepared, at: number): void {
  const firstOf = new Map<DropReason, Drop>();
  const perReason = new Map<DropReason, number>();
  for (const d of p.drops) {
    const r = d.refusal;
    perReason.set(r.reason, (perReason.get(r.reason) ?? 0) + 1);
    if (!firstOf.has(r.reason)) firstOf.set(r.reason, d);
    if (r.eventId === undefined) continue;
    const rec: Parameters<SentLog['record']>[0] = { event_id: r.eventId, event_name: r.eventName ?? '', destination: d.destination, status: 'dropped', reason: r.reason };
    if (r.fbp !== undefined) rec.fbp = r.fbp;
    if (r.fbc !== undefined) rec.fbc = r.fbc;
    if (r.matchKeys !== undefined) rec.match_keys = r.matchKeys;
    deps.sentLog.record(rec, at);
  }
  for (const [reason, n] of perReason) deps.metrics.dropped.inc({ reason, source: p.source }, n);
  const dropLog = deps.dropLog;
  if (dropLog === undefined) return;
  for (const [reason, n] of perReason) {
    const { destination, refusal } = firstOf.get(reason)!;
    dropLog.note(`mapping:${reason}`, 'event dropped by the mapping', () => ({
      drop: reason, source: p.source, destination, event_name: refusal.eventName, field: detailField(refusal.detail), keys_present: refusal.matchKeys?.join(', '),
      ...(reason === 'insufficient_match_keys' || reason === 'missing_personal_info' ? { hint: 'POST the event to /v1/preview to see the mapping; FB_MATCH_POLICY sets the rule (docs/mapping.md)' } : {}),
    }), n);
  }
}

/** The field a refusal's detail names first (`field: why`); the rest may quote a value and is not logged. */
function detailField(detail: string): string | undefined {
  const colon = detail.indexOf(': ');
  return colon > 0 && colon <= 80 ? detail.slice(0, colon) : undefined;
}
