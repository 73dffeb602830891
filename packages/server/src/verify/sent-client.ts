/** Asks the companion server what it did with an event id: `GET /v1/sent?event_id=…` (Bearer API key). */
import type { SentRecord } from './types.js';

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** Accepts `{events:[…]}`, `{sent:[…]}`, `{results:[…]}`, a bare array or a single record. */
export function parseSentBody(body: unknown, eventId: string): SentRecord[] {
  let list: unknown[] = [];
  if (Array.isArray(body)) list = body;
  else if (body && typeof body === 'object') {
    const b = body as Record<string, unknown>;
    const inner = b.events ?? b.sent ?? b.results ?? b.data;
    list = Array.isArray(inner) ? inner : 'status' in b ? [b] : [];
  }
  const out: SentRecord[] = [];
  for (const item of list) {
    if (!item || typeof item !== 'object') continue;
    const r = item as Record<string, unknown>;
    const id = str(r.event_id) ?? str(r.eventId) ?? eventId;
    if (id !== eventId) continue;
    const record: SentRecord = { eventId: id, status: str(r.status) ?? 'unknown' };
    const name = str(r.event_name) ?? str(r.eventName);
    const fbp = str(r.fbp);
    const fbc = str(r.fbc);
    const destination = str(r.destination) ?? str(r.pixel_id) ?? str(r.pixelId);
    const reason = str(r.reason);
    if (name) record.eventName = name;
    if (fbp) record.fbp = fbp;
    if (fbc) record.fbc = fbc;
    if (destination) record.destination = destination;
    if (reason) record.reason = reason;
    if (Array.isArray(r.match_keys)) record.matchKeys = r.match_keys.filter((k): k is string => typeof k === 'string');
    out.push(record);
  }
  return out;
}

export class SentLookupError extends Error {}

export async function fetchSent(serverUrl: string, apiKey: string, eventId: string, fetchImpl: typeof fetch = fetch): Promise<SentRecord[]> {
  const url = `${serverUrl}/v1/sent?event_id=${encodeURIComponent(eventId)}`;
  let res: Response;
  try {
    res = await fetchImpl(url, { headers: { authorization: `Bearer ${apiKey}`, accept: 'application/json' }, signal: AbortSignal.timeout(10_000) });
  } catch (err) {
    throw new SentLookupError(`cannot reach ${serverUrl}/v1/sent: ${(err as Error).message}`);
  }
  if (res.status === 401 || res.status === 403) throw new SentLookupError(`${serverUrl}/v1/sent refused the API key (HTTP ${res.status})`);
  if (res.status === 404) {
    const text = await res.text();
    // A 404 with a JSON body that lists nothing means "unknown event id"; a bare 404 means no endpoint.
    try {
      return parseSentBody(JSON.parse(text), eventId);
    } catch {
      throw new SentLookupError(`${serverUrl}/v1/sent does not exist (HTTP 404): is this a capi-bridge server?`);
    }
  }
  if (!res.ok) throw new SentLookupError(`${serverUrl}/v1/sent answered HTTP ${res.status}`);
  return parseSentBody(await res.json(), eventId);
}
