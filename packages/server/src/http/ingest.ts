import type { ResolvedDestination } from '../config/schema.js';
import { EventIdDeriver } from '../mapping/derived-event-id.js';
import type { BuildResult, CapiServerEvent, DestinationConfig, DropReason, EventSource, MappingContext } from '../mapping/types.js';
import type { Metrics } from '../metrics.js';
import type { EnqueueItem, EnqueueResult, Outbox } from '../outbox/types.js';
import type { SentLog } from '../sent-log.js';
import type { DropLog } from '../drop-log.js';
import { count as countKeys, matchKeyMask, type Counts, type Coverage } from '../status/coverage.js';

export type BuildFn = (input: unknown, destination: DestinationConfig, ctx?: MappingContext) => BuildResult;

export type DestinationResult =
  | { destination: string; status: 'accepted'; match_keys: string[]; warnings?: string[] }
  | { destination: string; status: 'dropped'; reason: DropReason; detail: string; match_keys?: string[] };

export interface EventResult {
  index: number;
  event_id?: string;
  event_name?: string;
  status: 'accepted' | 'dropped';
  destinations: DestinationResult[];
}

export interface Prepared {
  items: EnqueueItem[];
  /** Number of inputs. */
  count: number;
  /** Inputs accepted by at least one destination. */
  accepted: number;
  /** Per input result objects; empty when prepared with `{ replyJson: true }` (see `resultsJson`). */
  results: EventResult[];
  /**
   * With `{ replyJson: true }`: the comma-joined JSON of the per-input results, byte for byte what
   * `JSON.stringify(results)` would hold between its brackets, built without the result objects.
   */
  resultsJson: string;
  /** A validated event per input (first destination that accepted it), for cookie refresh; empty with `replyJson`. */
  firstEvents: Array<CapiServerEvent | undefined>;
  source: EventSource;
  /** Per (event, destination) drops, for metrics and the sent log once the request is settled. */
  drops: Array<{ reason: DropReason; eventId?: string; eventName?: string; destination: string; fbp?: string; fbc?: string; matchKeys?: string[]; field?: string }>;
  /** Per item, the match keys its event carries as a bitmask (see status/coverage.ts), for coverage counters. */
  keyMasks?: number[];
  /**
   * Per item `user_data.fbp`/`fbc` (null when absent), when the items' events came from a mapping worker
   * (map-pool.ts) as JSON text: the sent log reads these instead of parsing each event.
   */
  itemFb?: { fbp: Array<string | null>; fbc: Array<string | null> };
}

export interface PrepareOptions {
  /** Build `resultsJson` instead of `results`/`firstEvents` (the /v1/events reply: no per-input objects). */
  replyJson?: boolean;
  /** Derives ids for id-less events; pass one across the chunks of one CSV file (default: one per call). */
  eventIds?: EventIdDeriver;
}

export interface IngestDeps {
  config: { destinations: readonly ResolvedDestination[] };
  build: BuildFn;
  outbox: Outbox;
  metrics: Metrics;
  sentLog: SentLog;
  notify?: (destinationId: string, count: number) => void;
  now: () => number;
  /** Drops in the server log (rate-limited per reason). */
  dropLog?: DropLog;
  /** Match-key coverage counters (per destination and event name). */
  coverage?: Coverage;
}

/** `build`, with a throw (an injected build may throw; the mapping core never does) as an `invalid_input` drop. */
export function buildSafely(build: BuildFn, input: unknown, destination: DestinationConfig, ctx: MappingContext): BuildResult {
  try {
    return build(input, destination, ctx);
  } catch (e) {
    return { ok: false, reason: 'invalid_input', detail: `input: ${(e as Error).message.slice(0, 200)}` };
  }
}

function inputEventId(input: unknown): string | undefined {
  if (typeof input !== 'object' || input === null) return undefined;
  const o = input as Record<string, any>;
  const v = o.integrations?.facebook?.event_id ?? o.event_id ?? o.context?.event_id;
  return typeof v === 'string' || typeof v === 'number' ? String(v).slice(0, 200) : undefined;
}

function inputFb(input: unknown, key: 'fbp' | 'fbc'): string | undefined {
  if (typeof input !== 'object' || input === null) return undefined;
  const o = input as Record<string, any>;
  const v = o.integrations?.facebook?.[key] ?? o[key];
  return typeof v === 'string' ? v.slice(0, 300) : undefined;
}

function dropFor(input: unknown, reason: DropReason, destination: string, matchKeys: string[] | undefined, detail: string): Prepared['drops'][number] {
  const drop: Prepared['drops'][number] = { reason, destination };
  if (matchKeys !== undefined) drop.matchKeys = matchKeys;
  // For the server log: the field named at the start of the detail (the rest may quote a value: not kept).
  const colon = detail.indexOf(': ');
  if (colon > 0 && colon <= 80) drop.field = detail.slice(0, colon);
  const id = inputEventId(input);
  if (id !== undefined) drop.eventId = id;
  const name = typeof input === 'object' && input !== null ? (input as { event_name?: unknown }).event_name : undefined;
  if (typeof name === 'string') drop.eventName = name.slice(0, 200);
  // Without consent nothing identifying is kept, not even in the sent log (event id and name only).
  if (reason === 'no_consent') return drop;
  const fbp = inputFb(input, 'fbp');
  const fbc = inputFb(input, 'fbc');
  if (fbp !== undefined) drop.fbp = fbp;
  if (fbc !== undefined) drop.fbc = fbc;
  return drop;
}

/** Maps every input for every destination (pure apart from the clock). Nothing is queued yet. */
export function prepare(deps: IngestDeps, inputs: readonly unknown[], source: EventSource, ctx: Omit<MappingContext, 'now' | 'source'>, options: PrepareOptions = {}): Prepared {
  const now = deps.now();
  const n = inputs.length;
  const keyMasks: number[] = [];
  const out: Prepared = { items: [], count: n, accepted: 0, results: [], resultsJson: '', firstEvents: [], source, drops: [], keyMasks };
  // One context for the whole request (the mapping core is pure and does not keep or change it).
  const mctx: MappingContext = { ...ctx, now, source };
  const dests = deps.config.destinations;
  const build = deps.build;
  const ids = options.eventIds ?? new EventIdDeriver(source);
  if (options.replyJson) {
    // The same bytes JSON.stringify gives for the result objects below (key order: index, status,
    // destinations, event_id, event_name), spliced from per-destination fragments computed once per request.
    const acceptedHead: string[] = [];
    const droppedHead: string[] = [];
    for (const d of dests) {
      const id = JSON.stringify(d.id);
      acceptedHead.push(`{"destination":${id},"status":"accepted","match_keys":`);
      droppedHead.push(`{"destination":${id},"status":"dropped","reason":`);
    }
    let json = '';
    for (let index = 0; index < n; index++) {
      const input = inputs[index];
      const derived = ids.derive(input);
      const ectx = derived === undefined ? mctx : { ...mctx, eventId: derived };
      let first: CapiServerEvent | undefined;
      let dj = '';
      for (let k = 0; k < dests.length; k++) {
        const d = dests[k]!;
        const r = buildSafely(build, input, d, ectx);
        if (k > 0) dj += ',';
        if (r.ok) {
          first ??= r.event;
          out.items.push({ destinationId: d.id, event: r.event });
          keyMasks.push(matchKeyMask(r.matchKeys));
          dj += acceptedHead[k]! + JSON.stringify(r.matchKeys) + (r.warnings.length ? `,"warnings":${JSON.stringify(r.warnings)}}` : '}');
        } else {
          dj += `${droppedHead[k]!}${JSON.stringify(r.reason)},"detail":${JSON.stringify(r.detail)}${r.matchKeys ? `,"match_keys":${JSON.stringify(r.matchKeys)}` : ''}}`;
          out.drops.push(dropFor(input, r.reason, d.id, r.matchKeys, r.detail));
        }
      }
      if (index > 0) json += ',';
      json += `{"index":${index},"status":${first ? '"accepted"' : '"dropped"'},"destinations":[${dj}]`;
      const id = first?.event_id ?? inputEventId(input);
      if (id !== undefined) json += `,"event_id":${JSON.stringify(id)}`;
      if (first) {
        out.accepted++;
        json += `,"event_name":${JSON.stringify(first.event_name)}}`;
      } else {
        json += '}';
      }
    }
    out.resultsJson = json;
    return out;
  }
  for (let index = 0; index < n; index++) {
    const input = inputs[index];
    const derived = ids.derive(input);
    const ectx = derived === undefined ? mctx : { ...mctx, eventId: derived };
    const dres: DestinationResult[] = [];
    let first: CapiServerEvent | undefined;
    for (const d of dests) {
      const r = buildSafely(build, input, d, ectx);
      if (r.ok) {
        first ??= r.event;
        out.items.push({ destinationId: d.id, event: r.event });
        keyMasks.push(matchKeyMask(r.matchKeys));
        dres.push(r.warnings.length ? { destination: d.id, status: 'accepted', match_keys: r.matchKeys, warnings: r.warnings }
          : { destination: d.id, status: 'accepted', match_keys: r.matchKeys });
      } else {
        dres.push(r.matchKeys ? { destination: d.id, status: 'dropped', reason: r.reason, detail: r.detail, match_keys: r.matchKeys }
          : { destination: d.id, status: 'dropped', reason: r.reason, detail: r.detail });
        out.drops.push(dropFor(input, r.reason, d.id, r.matchKeys, r.detail));
      }
    }
    const res: EventResult = { index, status: first ? 'accepted' : 'dropped', destinations: dres };
    const id = first?.event_id ?? inputEventId(input);
    if (id !== undefined) res.event_id = id;
    if (first) {
      res.event_name = first.event_name;
      out.accepted++;
    }
    out.results.push(res);
    out.firstEvents.push(first);
  }
  return out;
}

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
  if (p.drops.length > 0) {
    const perReason = new Map<DropReason, number>();
    for (const d of p.drops) {
      perReason.set(d.reason, (perReason.get(d.reason) ?? 0) + 1);
      if (d.eventId !== undefined) {
        const rec: Parameters<SentLog['record']>[0] = { event_id: d.eventId, event_name: d.eventName ?? '', destination: d.destination, status: 'dropped', reason: d.reason };
        if (d.fbp !== undefined) rec.fbp = d.fbp;
        if (d.fbc !== undefined) rec.fbc = d.fbc;
        if (d.matchKeys !== undefined) rec.match_keys = d.matchKeys;
        sentLog.record(rec, at);
      }
    }
    for (const [reason, n] of perReason) metrics.dropped.inc({ reason, source: p.source }, n);
    const dropLog = deps.dropLog;
    if (dropLog !== undefined) {
      for (const [reason, n] of perReason) {
        const d = p.drops.find((x) => x.reason === reason)!;
        dropLog.note(`mapping:${reason}`, 'event dropped by the mapping', () => ({
          drop: reason, source: p.source, destination: d.destination, event_name: d.eventName, field: d.field, keys_present: d.matchKeys?.join(', '),
          ...(reason === 'insufficient_match_keys' || reason === 'missing_personal_info' ? { hint: 'POST the event to /v1/preview to see the mapping; FB_MATCH_POLICY sets the rule (docs/mapping.md)' } : {}),
        }), n);
      }
    }
  }
  return r;
}
