import { HttpError } from '../http/errors.js';

const decoder = new TextDecoder('utf-8', { fatal: true });

/** A raw request body → its JSON value (strict UTF-8); invalid_utf8 / invalid_json 400s otherwise. */
export function jsonFromBuffer(buf: Uint8Array): unknown {
  let text: string;
  try {
    text = decoder.decode(buf);
  } catch {
    throw new HttpError(400, 'invalid_utf8', 'request body is not valid UTF-8');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new HttpError(400, 'invalid_json', `request body is not valid JSON: ${(e as Error).message.slice(0, 200)}`);
  }
}

/** `{batch:[…]}` or one event object → the list of events; anything else is a 4xx naming the problem. */
export function eventsFromBody(body: unknown, maxBatch: number): unknown[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpError(400, 'invalid_body', `expected a JSON object (one event or {"batch":[…]}), got ${Array.isArray(body) ? 'an array' : body === null ? 'null' : typeof body}`);
  }
  const b = body as { batch?: unknown };
  if (!('batch' in b)) return [body];
  if (!Array.isArray(b.batch)) throw new HttpError(400, 'invalid_body', '"batch" must be an array of events', 'batch');
  if (b.batch.length === 0) throw new HttpError(400, 'invalid_body', '"batch" is empty', 'batch');
  if (b.batch.length > maxBatch) {
    throw new HttpError(413, 'batch_too_large', `"batch" holds ${b.batch.length} events; the limit is ${maxBatch}`, 'batch');
  }
  return b.batch;
}
