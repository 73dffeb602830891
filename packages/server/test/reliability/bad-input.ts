/**
 * Bad-input generators and the oracle that says what the server must answer for each — shared by the
 * bad-input test and the soak. The oracle is computed from the input itself (not from the server), so a
 * wrong status or a missing/unnamed error is caught precisely.
 */
import fc from 'fast-check';
import { DROP_REASONS } from '../../src/mapping/types.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });
export const DROP_REASON_SET: ReadonlySet<string> = new Set(DROP_REASONS);

export type Endpoint = '/v1/events' | '/collect';

/** What a JSON body must produce. `ok` = a 2xx with one result per event. */
export type Expected = { kind: 'ok'; events: number } | { kind: 'error'; status: number; code: string };

/** Oracle for a parsed JSON body on /v1/events (maxBatch 1000) and /collect (maxBatch 50). */
export function expectForValue(value: unknown, endpoint: Endpoint): Expected {
  const maxBatch = endpoint === '/collect' ? 50 : 1000;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { kind: 'error', status: 400, code: 'invalid_body' };
  if (!Object.prototype.hasOwnProperty.call(value, 'batch')) return { kind: 'ok', events: 1 };
  const batch = (value as { batch: unknown }).batch;
  if (!Array.isArray(batch) || batch.length === 0) return { kind: 'error', status: 400, code: 'invalid_body' };
  if (batch.length > maxBatch) return { kind: 'error', status: 413, code: 'batch_too_large' };
  return { kind: 'ok', events: batch.length };
}

/** Oracle for raw bytes sent as application/json. */
export function expectForBytes(bytes: Uint8Array, endpoint: Endpoint): Expected {
  if (bytes.length === 0) return { kind: 'error', status: 400, code: 'invalid_json' };
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { kind: 'error', status: 400, code: 'invalid_utf8' };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { kind: 'error', status: 400, code: 'invalid_json' };
  }
  return expectForValue(value, endpoint);
}

export interface Answer {
  status: number;
  body: unknown;
}

/** Checks an answer against the oracle; returns a description of the mismatch, or undefined. */
export function mismatch(expected: Expected, a: Answer, endpoint: Endpoint): string | undefined {
  const b = a.body as { error?: { code?: unknown; message?: unknown }; results?: Array<{ status?: string; destinations?: Array<{ status: string; reason?: string; detail?: string }> }> };
  if (expected.kind === 'error') {
    if (a.status !== expected.status) return `status ${a.status}, expected ${expected.status}`;
    if (b?.error?.code !== expected.code) return `error code ${JSON.stringify(b?.error?.code)}, expected ${expected.code}`;
    if (typeof b.error.message !== 'string' || b.error.message.length < 5) return 'error without a message';
    return undefined;
  }
  const okStatuses = endpoint === '/collect' ? [200, 202] : [200];
  if (!okStatuses.includes(a.status)) return `status ${a.status}, expected ${okStatuses.join('/')}: ${JSON.stringify(b).slice(0, 300)}`;
  if (!Array.isArray(b?.results) || b.results.length !== expected.events) return `results ${JSON.stringify(b?.results)?.slice(0, 200)}, expected ${expected.events}`;
  for (const r of b.results) {
    if (r.status !== 'accepted' && r.status !== 'dropped') return `result status ${r.status}`;
    if (r.status === 'dropped') {
      for (const d of r.destinations ?? []) {
        if (!d.reason || !DROP_REASON_SET.has(d.reason)) return `drop without a known reason: ${JSON.stringify(d)}`;
        if (typeof d.detail !== 'string' || d.detail.length === 0) return `drop without a detail: ${JSON.stringify(d)}`;
      }
      if (!r.destinations?.length) return 'dropped result without destinations';
    }
  }
  if (endpoint === '/collect') {
    const anyAccepted = b.results.some((r) => r.status === 'accepted');
    if ((a.status === 202) !== anyAccepted) return `status ${a.status} but accepted=${anyAccepted}`;
  }
  return undefined;
}

/** Arbitrary JSON values, biased towards event-shaped objects with wrong types in known fields. */
export function arbEventish(): fc.Arbitrary<unknown> {
  const wrong = fc.oneof(
    fc.constant(null), fc.boolean(), fc.double(), fc.integer(), fc.string({ maxLength: 40 }),
    fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }), fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
    fc.constantFrom('', ' ', '\u0000', '💥', 'NaN', '-1', '1e309', '__proto__', '<script>', 'a'.repeat(5000)),
  );
  const eventShaped = fc.record({
    event_name: wrong, id: wrong, value: wrong, currency: wrong, amount: wrong,
    context: fc.oneof(wrong, fc.record({ event_id: wrong, event_timestamp: wrong, page: fc.oneof(wrong, fc.record({ url: wrong })) }, { requiredKeys: [] })),
    user: fc.oneof(wrong, fc.record({ email: wrong, phone: wrong, firstname: wrong, city: wrong, country: wrong, birthdate: wrong }, { requiredKeys: [] })),
    items: fc.oneof(wrong, fc.array(fc.oneof(wrong, fc.record({ product: wrong, quantity: wrong }, { requiredKeys: [] })), { maxLength: 5 })),
    integrations: fc.oneof(wrong, fc.record({ facebook: fc.oneof(wrong, fc.record({ event_id: wrong, custom_data: wrong, fbp: wrong, fbc: wrong }, { requiredKeys: [] })) }, { requiredKeys: [] })),
    consent_categories: wrong,
  }, { requiredKeys: [] });
  return fc.oneof(eventShaped, fc.jsonValue({ maxDepth: 4 }));
}

/** Whole bodies: one event, a batch (sometimes empty, sometimes of non-objects), or no object at all. */
export function arbBody(): fc.Arbitrary<unknown> {
  return fc.oneof(
    arbEventish(),
    fc.record({ batch: fc.array(arbEventish(), { maxLength: 8 }) }),
    fc.record({ batch: fc.jsonValue({ maxDepth: 2 }) }),
    fc.jsonValue({ maxDepth: 3 }),
  );
}

/** `[[[…]]]` nested `depth` deep (as text: building it as a value would itself be the test). */
export const nestedArrays = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);
export const nestedObjects = (depth: number): string => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

/** Content types the JSON endpoints must refuse with 415. */
export const WRONG_CONTENT_TYPES = [
  'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'text/html', 'application/xml', 'text/csv',
  'application/octet-stream', 'image/png', 'application/json; charset=latin1', 'application/json; charset=utf-16', 'json',
];
