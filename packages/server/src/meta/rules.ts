import type { ActionSource } from '../mapping/types.js';

/*
 * Meta's documented limits for Conversions API events: the one place the server reads them from (quotes from
 * Meta's Conversions API and Pixel references). The sandbox keeps its own copy on purpose: a stand-in for
 * Meta must not inherit our mistakes.
 */

const DAY_S = 24 * 3600;

/** event_time "can be up to 7 days before you send an event" (older: the whole request is refused). */
export const MAX_EVENT_AGE_DAYS = 7;
/** `physical_store`: "upload transactions within 62 days of the conversion". */
export const MAX_PHYSICAL_STORE_EVENT_AGE_DAYS = 62;
export const MAX_EVENT_AGE_S = MAX_EVENT_AGE_DAYS * DAY_S;
export const MAX_OFFLINE_EVENT_AGE_S = MAX_PHYSICAL_STORE_EVENT_AGE_DAYS * DAY_S;
/** The oldest an event of `actionSource` may be when Meta receives it, in seconds. */
export const maxEventAgeS = (actionSource: ActionSource | undefined): number =>
  actionSource === 'physical_store' ? MAX_OFFLINE_EVENT_AGE_S : MAX_EVENT_AGE_S;

/** "You can send us up to 1,000 events at a time" (the `data` array of one request). */
export const MAX_EVENTS_PER_REQUEST = 1000;

/** "Custom event names must be strings, and cannot exceed 50 characters". */
export const MAX_CUSTOM_EVENT_NAME_LENGTH = 50;
