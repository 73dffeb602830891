import { v5 as uuidv5 } from 'uuid';
import type { EventSource } from '../mapping/types.js';
import { isObj, own, type Obj } from '../mapping/util.js';

/**
 * Namespace of the event ids capi-bridge derives (uuid v5 = SHA-1 of namespace + name): a fixed random uuid,
 * so derived ids never equal another system's v5 ids. Never change it: replays across versions must agree.
 */
export const EVENT_ID_NAMESPACE = '6f4b2c1e-8d3a-4e57-9b1f-2a7c5d9e0f13';

/** Canonical content longer than this is not derived from (such an event is refused by the mapping anyway). */
const MAX_CANONICAL_CHARS = 64 * 1024;
const MAX_DEPTH = 8;

const present = (v: unknown): boolean => v !== undefined && v !== null && v !== '';

/** Whether the event names its own id where the mapping reads one (which then always wins). */
function hasExplicitId(input: Obj): boolean {
  return present(own(own(own(input, 'integrations'), 'facebook'), 'event_id')) || present(input.event_id)
    || present(own(input.context, 'event_id'));
}

function hasExplicitTime(input: Obj): boolean {
  return present(own(input.context, 'event_timestamp')) || present(input.event_timestamp) || present(input.timestamp);
}

const text = (v: unknown): string => (typeof v === 'string' ? v.trim() : typeof v === 'number' && Number.isFinite(v) ? String(v) : '');

/** Characters still allowed in one canonical text (shared by the whole recursion). */
interface Budget { left: number }

/** JSON with object keys sorted (the same content in any key order gives the same text); undefined past the bounds. */
function canonical(v: unknown, depth: number, budget: Budget): string | undefined {
  if (v === null || typeof v !== 'object') {
    const s = JSON.stringify(v) ?? 'null';
    return (budget.left -= s.length) < 0 ? undefined : s;
  }
  if (depth >= MAX_DEPTH) return undefined;
  let out: string;
  if (Array.isArray(v)) {
    out = '[';
    for (let i = 0; i < v.length; i++) {
      const c = canonical(v[i], depth + 1, budget);
      if (c === undefined) return undefined;
      out += (i > 0 ? ',' : '') + c;
    }
    return `${out}]`;
  }
  const keys = Object.keys(v).sort();
  out = '{';
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    const val = (v as Obj)[k];
    if (val === undefined) continue;
    const c = canonical(val, depth + 1, budget);
    if (c === undefined || (budget.left -= k.length + 3) < 0) return undefined;
    out += `${out.length > 1 ? ',' : ''}${JSON.stringify(k)}:${c}`;
  }
  return `${out}}`;
}

/**
 * Deterministic event ids for events that carry none, so that replaying a request or a CSV file gives Meta
 * the same event_id again (and Meta counts the conversion once). One instance per request (per CSV file):
 * it remembers how often it saw each content.
 *
 * The rule, in order:
 * 1. An explicit id (integrations.facebook.event_id, event_id, context.event_id) always wins: nothing derived.
 * 2. An order id (`id`): uuid v5 of (id, event_name, type). The same order's same event is one conversion,
 *    in this request or any replay.
 * 3. An event with an explicit timestamp (context.event_timestamp, event_timestamp, timestamp), or any CSV row:
 *    uuid v5 of its whole content (keys sorted) and its occurrence number among identical contents of the same
 *    request/file — two identical rows of one file stay two events; the same file sent twice gives the same ids.
 * 4. Otherwise (no id, no timestamp, not CSV — e.g. a page_view sent live without either): a random id. Two
 *    such events cannot be told apart from a replay, so collapsing them could lose real events; send an
 *    id or a timestamp to make retries safe.
 */
export class EventIdDeriver {
  readonly #seen = new Map<string, number>();
  constructor(private readonly source: EventSource) {}

  /** The id for `input` when it carries none (rules 2–3), else undefined (explicit id, or rule 4). */
  derive(input: unknown): string | undefined {
    if (!isObj(input) || hasExplicitId(input)) return undefined;
    const orderId = text(input.id);
    if (orderId !== '') {
      const name = text(own(own(own(input, 'integrations'), 'facebook'), 'event_name')) || text(input.event_name);
      return uuidv5(`order\u0000${orderId}\u0000${name}\u0000${text(input.type)}`, EVENT_ID_NAMESPACE);
    }
    if (this.source !== 'csv' && !hasExplicitTime(input)) return undefined;
    const content = canonical(input, 0, { left: MAX_CANONICAL_CHARS });
    if (content === undefined) return undefined;
    const n = this.#seen.get(content) ?? 0;
    this.#seen.set(content, n + 1);
    return uuidv5(`content\u0000${content}\u0000${n}`, EVENT_ID_NAMESPACE);
  }
}
