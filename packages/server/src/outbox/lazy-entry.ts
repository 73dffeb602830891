import type { CapiServerEvent } from '../mapping/types.js';
import type { EventHead, OutboxEntry } from './types.js';

/**
 * A stored event travels as its JSON text plus the head fields delivery and ingest read (`event_id`,
 * `event_time`, `action_source`, and `event_name` where known). Both views below parse the text at most
 * once, and only when something reads a field outside the head: the hot paths splice `json` as is.
 */

type ActionSource = CapiServerEvent['action_source'];

/**
 * A claimed entry whose event stays JSON text until something reads `event` (a plain object, parsed once).
 * Rows without head columns (older files, replayed dead letters) have no `head`: readers then parse.
 */
export class LazyEntry implements OutboxEntry {
  declare head?: EventHead;
  #event: CapiServerEvent | undefined;
  constructor(
    readonly id: string,
    readonly destinationId: string,
    readonly json: string,
    readonly enqueuedAt: number,
    readonly attempts: number,
    eventId: string | null,
    eventTime: number | null,
    actionSource: string | null,
  ) {
    if (eventId !== null && eventTime !== null && actionSource !== null) {
      this.head = { event_id: eventId, event_time: eventTime, action_source: actionSource as ActionSource };
    }
  }
  get event(): CapiServerEvent {
    return (this.#event ??= JSON.parse(this.json) as CapiServerEvent);
  }
}

/**
 * The same text + head as a `CapiServerEvent` (an enqueue item's event after a thread hop): head fields are
 * read without parsing; any other field, or `JSON.stringify` (via `toJSON`), parses the text once. Backends
 * that store text use `EnqueueItem.json` as is, so on the normal path the text is never parsed.
 */
class LazyEvent {
  readonly #json: string;
  readonly #name: string | undefined;
  #parsed: CapiServerEvent | undefined;
  constructor(json: string, readonly event_id: string, readonly event_time: number, readonly action_source: string, eventName?: string) {
    this.#json = json;
    this.#name = eventName;
  }
  #full(): CapiServerEvent {
    return (this.#parsed ??= JSON.parse(this.#json) as CapiServerEvent);
  }
  toJSON(): CapiServerEvent { return this.#full(); }
  get event_name() { return this.#name ?? this.#full().event_name; }
  get event_source_url() { return this.#full().event_source_url; }
  get referrer_url() { return this.#full().referrer_url; }
  get user_data() { return this.#full().user_data; }
  get custom_data() { return this.#full().custom_data; }
  get opt_out() { return this.#full().opt_out; }
  get data_processing_options() { return this.#full().data_processing_options; }
  get data_processing_options_country() { return this.#full().data_processing_options_country; }
  get data_processing_options_state() { return this.#full().data_processing_options_state; }
}

export function lazyEvent(json: string, eventId: string, eventTime: number, actionSource: string, eventName?: string): CapiServerEvent {
  return new LazyEvent(json, eventId, eventTime, actionSource, eventName) as unknown as CapiServerEvent;
}
