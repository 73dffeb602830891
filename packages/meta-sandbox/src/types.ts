export type EventSource = 'browser' | 'server';
export type EventStatus = 'counted' | 'deduplicated' | 'rejected';
export type DedupMethod = 'event_id' | 'fbp' | 'external_id';

export interface RecordedError {
  message: string;
  code: number;
  error_subcode?: number;
  error_user_title?: string;
  error_user_msg?: string;
}

/** One event as the sandbox saw it (the shape of `GET /_sandbox/events`). */
export interface RecordedEvent {
  seq: number;
  source: EventSource;
  pixelId: string;
  eventName: string;
  eventId?: string;
  fbp?: string;
  fbc?: string;
  /** Hashed external ids (server user_data.external_id, browser ud[external_id]). */
  externalIds?: string[];
  /** Wall-clock ms at which the sandbox received it (the injected clock). */
  receivedAt: number;
  status: EventStatus;
  /** seq of the event this one was deduplicated against. */
  dedupOf?: number;
  dedupMethod?: DedupMethod;
  testEventCode?: string;
  /** Server events: the user_data keys present. */
  matchKeys?: string[];
  /** Rejected events: Meta's error for the request (or the hit). */
  error?: RecordedError;
  payload: unknown;
}

/** What a route hands to the store; seq, status and dedup fields are decided there. */
export type IncomingEvent = Omit<RecordedEvent, 'seq' | 'status' | 'dedupOf' | 'dedupMethod'> & { rejected?: RecordedError };
