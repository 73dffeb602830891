import type { ResolvedDestination } from '../config/schema.js';
import type { DropLog } from '../drop-log.js';
import type { BuildResult, DestinationConfig, EventSource, MappingContext, Refusal } from '../mapping/types.js';
import type { Metrics } from '../metrics.js';
import type { EnqueueItem, Outbox } from '../outbox/types.js';
import type { SentLog } from '../sent-log.js';
import type { Coverage } from '../status/coverage.js';

export type BuildFn = (input: unknown, destination: DestinationConfig, ctx?: MappingContext) => BuildResult;

/** One (input, destination) the mapping refused. */
export interface Drop {
  /** Position of the input in its request (or CSV chunk). */
  index: number;
  destination: string;
  refusal: Refusal;
}

/** A mapped request, ready to be queued: what `commit` needs, and the reply's per-input results as JSON. */
export interface Prepared {
  /** The accepted (input, destination) pairs, in input then destination order. */
  items: EnqueueItem[];
  /** Number of inputs. */
  count: number;
  /** Inputs accepted by at least one destination. */
  accepted: number;
  source: EventSource;
  drops: Drop[];
  /** Per item, the match keys its event carries as a bitmask (see status/coverage.ts), for coverage counters. */
  keyMasks: number[];
  /** The per-input results, comma-joined: what `JSON.stringify(results)` holds between its brackets (see EventResult). */
  resultsJson: string;
  /**
   * Per item `user_data.fbp`/`fbc` (null when absent), when the items' events came from a mapping worker
   * (map-pool.ts) as JSON text: the sent log reads these instead of parsing each event.
   */
  itemFb?: { fbp: Array<string | null>; fbc: Array<string | null> };
}

/** The reply's result for one input (`resultsJson` holds these as JSON, keys in this order). */
export interface EventResult {
  index: number;
  status: 'accepted' | 'dropped';
  destinations: DestinationResult[];
  event_id?: string;
  event_name?: string;
}

export type DestinationResult =
  | { destination: string; status: 'accepted'; match_keys: string[]; warnings?: string[] }
  | { destination: string; status: 'dropped'; reason: Refusal['reason']; detail: string; match_keys?: string[] };

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
