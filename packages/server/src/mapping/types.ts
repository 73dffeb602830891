/** Types of the mapping core: input → Meta Conversions API server event. Pure data, no IO. */

export type MatchPolicy = 'commanders-act' | 'meta-baseline' | 'none';

/** Meta's nine `action_source` values. */
export const ACTION_SOURCES = [
  'email', 'website', 'app', 'phone_call', 'chat', 'physical_store', 'system_generated', 'business_messaging', 'other',
] as const;
export type ActionSource = (typeof ACTION_SOURCES)[number];

export const EVENT_SOURCES = ['browser', 'api', 'csv'] as const;
export type EventSource = (typeof EVENT_SOURCES)[number];

/** One Meta destination (pixel). Fully resolved: every field has its value. */
export interface DestinationConfig {
  /** Stable id used in metrics, outbox and dead letters; defaults to the pixel id. */
  id: string;
  pixelId: string;
  /** When set, only events whose consent categories contain it are sent. */
  consentCategory?: string;
  matchPolicy: MatchPolicy;
  /** `custom_data.content_type`; null leaves it unset. */
  contentType: 'product' | 'product_group' | null;
  defaultActionSource: ActionSource;
  /** ISO-3166 alpha-2 country used to add a calling code to national phone numbers. */
  defaultPhoneCountry?: string;
  /** Copy every string/number/boolean event property into custom_data (seed setting). */
  sendAllProperties: boolean;
}

export interface MappingContext {
  /** Epoch milliseconds; defaults to Date.now(). */
  now?: number;
  source?: EventSource;
  ip?: string;
  userAgent?: string;
  /** event_id for an event that carries none (derived by the ingest for replay safety, see derived-event-id.ts). */
  eventId?: string;
}

export interface CapiUserData {
  em?: string[];
  ph?: string[];
  fn?: string[];
  ln?: string[];
  ge?: string[];
  db?: string[];
  ct?: string[];
  st?: string[];
  zp?: string[];
  country?: string[];
  external_id?: string[];
  client_ip_address?: string;
  client_user_agent?: string;
  fbc?: string;
  fbp?: string;
  [key: string]: string | string[] | number | undefined;
}

export interface CapiContent {
  id: string;
  quantity?: number;
  item_price?: number;
  [key: string]: unknown;
}

export interface CapiCustomData {
  value?: number;
  currency?: string;
  contents?: CapiContent[];
  content_ids?: string[];
  content_type?: string;
  content_name?: string;
  content_category?: string;
  num_items?: number;
  order_id?: string;
  search_string?: string;
  status?: string | boolean;
  [key: string]: unknown;
}

/** One element of `data[]` in `POST /{version}/{pixel}/events`. */
export interface CapiServerEvent {
  event_name: string;
  /** Unix seconds. */
  event_time: number;
  event_id: string;
  action_source: ActionSource;
  event_source_url?: string;
  referrer_url?: string;
  user_data: CapiUserData;
  custom_data?: CapiCustomData;
  opt_out?: boolean;
  data_processing_options?: string[];
  data_processing_options_country?: number;
  data_processing_options_state?: number;
}

/** Why the mapping core refused an event. Every value has a counter on /metrics. */
export type DropReason =
  | 'invalid_input'
  | 'no_consent'
  | 'missing_event_name'
  | 'invalid_event_name'
  | 'invalid_event_time'
  | 'too_old'
  | 'in_future'
  | 'invalid_action_source'
  | 'missing_event_source_url'
  | 'missing_value_or_currency'
  | 'insufficient_match_keys'
  | 'missing_personal_info'
  /** event_id present but not a string/number, or absurdly long (dedup would silently break). */
  | 'invalid_event_id'
  /** Website event without client_user_agent (Meta: required for website events). */
  | 'missing_client_user_agent'
  /** A value passed through unmapped (custom_data override, copied property) over a size/depth bound. */
  | 'oversized_field';

const DROP_REASON_SET: Record<DropReason, true> = {
  invalid_input: true, no_consent: true, missing_event_name: true, invalid_event_name: true, invalid_event_time: true,
  too_old: true, in_future: true, invalid_action_source: true, missing_event_source_url: true,
  missing_value_or_currency: true, insufficient_match_keys: true, missing_personal_info: true, invalid_event_id: true,
  missing_client_user_agent: true, oversized_field: true,
};
/** Every DropReason (e.g. to pre-register a metrics counter per reason). */
export const DROP_REASONS = Object.keys(DROP_REASON_SET) as DropReason[];

/**
 * Why an event was refused, and what it still says about itself, read by the mapping's own rules (for the
 * reply and the sent log): `matchKeys` with the match-key drops, the user_data keys present (names only);
 * `eventId` the event's own id (never a derived or generated one); `eventName` its `event_name` as sent;
 * `fbp`/`fbc` when valid, never for an event refused for consent.
 */
export interface Refusal {
  ok: false;
  reason: DropReason;
  detail: string;
  matchKeys?: string[];
  eventId?: string;
  eventName?: string;
  fbp?: string;
  fbc?: string;
}

export type BuildResult = { ok: true; event: CapiServerEvent; matchKeys: string[]; warnings: string[] } | Refusal;
