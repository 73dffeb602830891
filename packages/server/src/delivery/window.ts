import type { CapiServerEvent } from '../mapping/types.js';
import { maxEventAgeS } from '../meta/rules.js';

/** Margin so an event is not sent when its window will close while the request is in flight. */
export const WINDOW_SAFETY_MS = 60_000;

/** True when Meta would refuse the event as too old by the time it arrives. */
export function isTooOld(event: Pick<CapiServerEvent, 'event_time' | 'action_source'>, now: number): boolean {
  return event.event_time * 1000 < now - maxEventAgeS(event.action_source) * 1000 + WINDOW_SAFETY_MS;
}
