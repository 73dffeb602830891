import type { ResolvedDestination } from '../config/schema.js';
import type { BuildResult, CapiServerEvent, DestinationConfig, EventSource, MappingContext, Refusal } from '../mapping/types.js';
import { matchKeyMask } from '../status/coverage.js';
import { EventIdDeriver } from './derived-event-id.js';
import type { BuildFn, IngestDeps, Prepared } from './types.js';

export interface PrepareOptions {
  /** Derives ids for id-less events; pass one across the chunks of one CSV file (default: one per call). */
  eventIds?: EventIdDeriver;
}

/** `build`, with a throw (an injected build may throw; the mapping core never does) as an `invalid_input` drop. */
export function buildSafely(build: BuildFn, input: unknown, destination: DestinationConfig, ctx: MappingContext): BuildResult {
  try {
    return build(input, destination, ctx);
  } catch (e) {
    return { ok: false, reason: 'invalid_input', detail: `input: ${(e as Error).message.slice(0, 200)}` };
  }
}

/** JSON heads of one destination's result (its id escaped once per request, not per event). */
function heads(dests: readonly ResolvedDestination[]): { accepted: string[]; dropped: string[] } {
  const accepted: string[] = [];
  const dropped: string[] = [];
  for (const d of dests) {
    const id = JSON.stringify(d.id);
    accepted.push(`{"destination":${id},"status":"accepted","match_keys":`);
    dropped.push(`{"destination":${id},"status":"dropped","reason":`);
  }
  return { accepted, dropped };
}

/**
 * Maps every input for every destination (pure apart from the clock). Nothing is queued yet. The reply's
 * results are written as JSON while mapping (EventResult, key order included), with no per-input objects.
 */
export function prepare(deps: Pick<IngestDeps, 'config' | 'build' | 'now'>, inputs: readonly unknown[], source: EventSource, ctx: Omit<MappingContext, 'now' | 'source'>, options: PrepareOptions = {}): Prepared {
  const n = inputs.length;
  const items: Prepared['items'] = [];
  const keyMasks: number[] = [];
  const drops: Prepared['drops'] = [];
  let accepted = 0;
  // One context for the whole request (the mapping core is pure and does not keep or change it).
  const mctx: MappingContext = { ...ctx, now: deps.now(), source };
  const dests = deps.config.destinations;
  const build = deps.build;
  const ids = options.eventIds ?? new EventIdDeriver(source);
  const head = heads(dests);
  let json = '';
  for (let index = 0; index < n; index++) {
    const input = inputs[index];
    const derived = ids.derive(input);
    const ectx = derived === undefined ? mctx : { ...mctx, eventId: derived };
    let first: CapiServerEvent | undefined;
    let refusal: Refusal | undefined;
    let dj = '';
    for (let k = 0; k < dests.length; k++) {
      const d = dests[k]!;
      const r = buildSafely(build, input, d, ectx);
      if (k > 0) dj += ',';
      if (r.ok) {
        first ??= r.event;
        items.push({ destinationId: d.id, event: r.event });
        keyMasks.push(matchKeyMask(r.matchKeys));
        dj += head.accepted[k]! + JSON.stringify(r.matchKeys) + (r.warnings.length ? `,"warnings":${JSON.stringify(r.warnings)}}` : '}');
      } else {
        refusal ??= r;
        drops.push({ index, destination: d.id, refusal: r });
        dj += `${head.dropped[k]!}${JSON.stringify(r.reason)},"detail":${JSON.stringify(r.detail)}${r.matchKeys ? `,"match_keys":${JSON.stringify(r.matchKeys)}` : ''}}`;
      }
    }
    if (index > 0) json += ',';
    json += `{"index":${index},"status":${first ? '"accepted"' : '"dropped"'},"destinations":[${dj}]`;
    const id = first ? first.event_id : refusal?.eventId;
    if (id !== undefined) json += `,"event_id":${JSON.stringify(id)}`;
    if (first) {
      accepted++;
      json += `,"event_name":${JSON.stringify(first.event_name)}}`;
    } else {
      json += '}';
    }
  }
  return { items, count: n, accepted, source, drops, keyMasks, resultsJson: json };
}

/** What /v1/preview shows: each input mapped for each destination, with the ids prepare would derive; nothing kept. */
export function previewResults(deps: Pick<IngestDeps, 'config' | 'build' | 'now'>, inputs: readonly unknown[], source: EventSource): Array<Array<{ destination: ResolvedDestination; result: BuildResult }>> {
  const now = deps.now();
  const ids = new EventIdDeriver(source);
  return inputs.map((input) => {
    const eventId = ids.derive(input);
    const ctx: MappingContext = eventId === undefined ? { now, source } : { now, source, eventId };
    return deps.config.destinations.map((destination) => ({ destination, result: buildSafely(deps.build, input, destination, ctx) }));
  });
}
