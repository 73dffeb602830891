/**
 * Match-key coverage: per destination and event name, how many queued events carried each user_data key
 * (the share Meta's Events Manager shows per event). The hot path adds one bitmask per event.
 */

/** The keys counted, in Events Manager's order; a key's bit is its index. */
export const COVERAGE_KEYS = [
  'em', 'ph', 'fn', 'ln', 'ge', 'db', 'ct', 'st', 'zp', 'country', 'external_id', 'fbp', 'fbc', 'client_ip_address', 'client_user_agent',
] as const;
export type CoverageKey = (typeof COVERAGE_KEYS)[number];

const BIT: ReadonlyMap<string, number> = new Map(COVERAGE_KEYS.map((k, i) => [k, 1 << i]));

/** Event names tracked per destination; later names share one `(other)` row (bounded memory and metric series). */
export const MAX_EVENT_NAMES = 50;
export const OTHER_EVENT_NAME = '(other)';

/** Bitmask of the coverage keys among `keys` (other user_data keys are ignored). */
export function matchKeyMask(keys: readonly string[]): number {
  let m = 0;
  for (let i = 0; i < keys.length; i++) m |= BIT.get(keys[i]!) ?? 0;
  return m;
}

export interface CoverageRow {
  destination: string;
  event_name: string;
  events: number;
  /** Per key: events carrying it. */
  keys: Record<CoverageKey, number>;
}

/** One (destination, event name) row's counters; `count` adds an event to it. */
export interface Counts {
  events: number;
  perKey: Float64Array;
}

/** Adds one event with the keys of `mask` to a row (see `Coverage.row`). */
export function count(c: Counts, mask: number): void {
  c.events++;
  const perKey = c.perKey;
  for (let m = mask, i = 0; m !== 0; m >>>= 1, i++) if (m & 1) perKey[i]!++;
}

export class Coverage {
  readonly #byDest = new Map<string, Map<string, Counts>>();

  /** The counters of (destination, event name), created on first use (a batch reuses them per run of equal names). */
  row(destination: string, eventName: string): Counts {
    let names = this.#byDest.get(destination);
    if (names === undefined) this.#byDest.set(destination, (names = new Map()));
    let c = names.get(eventName);
    if (c === undefined) {
      const name = names.size >= MAX_EVENT_NAMES ? OTHER_EVENT_NAME : eventName;
      c = names.get(name);
      if (c === undefined) names.set(name, (c = { events: 0, perKey: new Float64Array(COVERAGE_KEYS.length) }));
    }
    return c;
  }

  rows(): CoverageRow[] {
    const out: CoverageRow[] = [];
    for (const [destination, names] of this.#byDest) {
      for (const [event_name, c] of names) {
        const keys = {} as Record<CoverageKey, number>;
        COVERAGE_KEYS.forEach((k, i) => { keys[k] = c.perKey[i]!; });
        out.push({ destination, event_name, events: c.events, keys });
      }
    }
    return out;
  }
}
