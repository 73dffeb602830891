import type { ResolvedDestination } from '../config/schema.js';
import type { BuildResult, CapiServerEvent, DestinationConfig, DropReason, EventSource, MappingContext } from '../mapping/types.js';
import type { Metrics } from '../metrics.js';
import type { EnqueueItem, EnqueueResult, Outbox } from '../outbox/types.js';
import type { SentLog } from '../sent-log.js';

export type BuildFn = (input: unknown, destination: DestinationConfig, ctx?: MappingContext) => BuildResult;

export type DestinationResult =
  | { destination: string; status: 'accepted'; match_keys: string[]; warnings?: string[] }
  | { destination: string; status: 'dropped'; reason: DropReason; detail: string };

export interface EventResult {
  index: number;
  event_id?: string;
  event_name?: string;
  status: 'accepted' | 'dropped';
  destinations: DestinationResult[];
}

export interface Prepared {
  items: EnqueueItem[];
  results: EventResult[];
  /** A validated event per input (first destination that accepted it), for cookie refresh. */
  firstEvents: Array<CapiServerEvent | undefined>;
  source: EventSource;
  /** Per (event, destination) drops, for metrics and the sent log once the request is settled. */
  drops: Array<{ reason: DropReason; eventId?: string; eventName?: string; destination: string; fbp?: string; fbc?: string }>;
}

export interface IngestDeps {
  config: { destinations: readonly ResolvedDestination[] };
  build: BuildFn;
  outbox: Outbox;
  metrics: Metrics;
  sentLog: SentLog;
  notify?: (destinationId: string, count: number) => void;
  now: () => number;
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

/** Maps every input for every destination (pure apart from the clock). Nothing is queued yet. */
export function prepare(deps: IngestDeps, inputs: readonly unknown[], source: EventSource, ctx: Omit<MappingContext, 'now' | 'source'>): Prepared {
  const now = deps.now();
  const out: Prepared = { items: [], results: [], firstEvents: [], source, drops: [] };
  // One context for the whole request (the mapping core is pure and does not keep or change it).
  const mctx: MappingContext = { ...ctx, now, source };
  inputs.forEach((input, index) => {
    const dests: DestinationResult[] = [];
    let first: CapiServerEvent | undefined;
    for (const d of deps.config.destinations) {
      let r: BuildResult;
      try {
        r = deps.build(input, d, mctx);
      } catch (e) {
        r = { ok: false, reason: 'invalid_input', detail: `input: ${(e as Error).message.slice(0, 200)}` };
      }
      if (r.ok) {
        first ??= r.event;
        out.items.push({ destinationId: d.id, event: r.event });
        dests.push(r.warnings.length ? { destination: d.id, status: 'accepted', match_keys: r.matchKeys, warnings: r.warnings }
          : { destination: d.id, status: 'accepted', match_keys: r.matchKeys });
      } else {
        dests.push({ destination: d.id, status: 'dropped', reason: r.reason, detail: r.detail });
        const drop: Prepared['drops'][number] = { reason: r.reason, destination: d.id };
        const id = inputEventId(input);
        if (id !== undefined) drop.eventId = id;
        const name = typeof input === 'object' && input !== null ? (input as { event_name?: unknown }).event_name : undefined;
        if (typeof name === 'string') drop.eventName = name.slice(0, 200);
        const fbp = inputFb(input, 'fbp');
        const fbc = inputFb(input, 'fbc');
        if (fbp !== undefined) drop.fbp = fbp;
        if (fbc !== undefined) drop.fbc = fbc;
        out.drops.push(drop);
      }
    }
    const res: EventResult = { index, status: first ? 'accepted' : 'dropped', destinations: dests };
    const id = first?.event_id ?? inputEventId(input);
    if (id !== undefined) res.event_id = id;
    if (first) res.event_name = first.event_name;
    out.results.push(res);
    out.firstEvents.push(first);
  });
  return out;
}

/**
 * Queues what was accepted (all or nothing) and, once durable, records metrics and the sent log.
 * Returns the outbox's answer; on failure nothing of this request is accepted.
 */
export async function commit(deps: IngestDeps, p: Prepared): Promise<EnqueueResult> {
  const { metrics, sentLog } = deps;
  metrics.received.inc({ source: p.source }, p.results.length);
  const r = await deps.outbox.enqueue(p.items);
  if (!r.ok) {
    metrics.dropped.inc({ reason: r.reason, source: p.source }, p.results.length);
    return r;
  }
  const perDest = new Map<string, number>();
  let lastDest: string | undefined;
  let lastCount = 0;
  for (const it of p.items) {
    if (it.destinationId !== lastDest) {
      if (lastDest !== undefined) perDest.set(lastDest, (perDest.get(lastDest) ?? 0) + lastCount);
      lastDest = it.destinationId;
      lastCount = 0;
    }
    lastCount++;
    const ud = it.event.user_data;
    const rec: Parameters<SentLog['record']>[0] = { event_id: it.event.event_id, event_name: it.event.event_name, destination: it.destinationId, status: 'queued' };
    if (ud.fbp !== undefined) rec.fbp = ud.fbp;
    if (ud.fbc !== undefined) rec.fbc = ud.fbc;
    sentLog.record(rec);
  }
  if (lastDest !== undefined) perDest.set(lastDest, (perDest.get(lastDest) ?? 0) + lastCount);
  for (const [d, n] of perDest) {
    metrics.enqueued.inc({ destination: d }, n);
    deps.notify?.(d, n);
  }
  for (const d of p.drops) {
    metrics.dropped.inc({ reason: d.reason, source: p.source });
    if (d.eventId !== undefined) {
      const rec: Parameters<SentLog['record']>[0] = { event_id: d.eventId, event_name: d.eventName ?? '', destination: d.destination, status: 'dropped', reason: d.reason };
      if (d.fbp !== undefined) rec.fbp = d.fbp;
      if (d.fbc !== undefined) rec.fbc = d.fbc;
      sentLog.record(rec);
    }
  }
  return r;
}
