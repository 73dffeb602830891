import type { CapiServerEvent } from '../mapping/types.js';

const DAY_MS = 24 * 3600 * 1000;
/** Margin so an event is not sent when its window will close while the request is in flight. */
export const WINDOW_SAFETY_MS = 60_000;

/** Meta accepts events up to 7 days old (62 days for `physical_store`). */
export function eventWindowMs(event: Pick<CapiServerEvent, 'action_source'>): number {
  return (event.action_source === 'physical_store' ? 62 : 7) * DAY_MS;
}

/** True when Meta would refuse the event as too old by the time it arrives. */
export function isTooOld(event: Pick<CapiServerEvent, 'event_time' | 'action_source'>, now: number): boolean {
  return event.event_time * 1000 < now - eventWindowMs(event) + WINDOW_SAFETY_MS;
}
