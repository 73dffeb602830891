import type { CapiServerEvent } from '../mapping/types.js';

/**
 * A server event that crossed a thread boundary as JSON text + head fields. The head (`event_id`,
 * `event_time`, `action_source`, and `event_name` when the sender had it) is read without parsing; any other
 * field, or `JSON.stringify` (via `toJSON`), parses the text once. Backends that store text use
 * `EnqueueItem.json` as is, so on the normal path the text is never parsed.
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
