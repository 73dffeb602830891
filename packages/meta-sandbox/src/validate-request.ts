import { createHmac, timingSafeEqual } from 'node:crypto';
import {
  invalidAppsecretProof, invalidParameter, invalidToken, SUBCODES, unknownObject, type GraphError,
} from './errors.js';
import { validateEvent } from './validate-event.js';

export const MAX_EVENTS_PER_REQUEST = 1000;

export interface GraphAuthConfig {
  tokens: ReadonlySet<string>;
  /** null → any all-digit pixel id is accepted. */
  pixels: ReadonlySet<string> | null;
  /** token → app secret; when present, appsecret_proof is required and verified for that token. */
  appSecrets: ReadonlyMap<string, string>;
}

export interface GraphRequestInput {
  pixelId: string;
  query: Record<string, unknown>;
  body: unknown;
  nowMs: number;
}

export interface AcceptedRequest {
  ok: true;
  events: Record<string, unknown>[];
  testEventCode?: string;
  partnerAgent?: string;
}

export interface RejectedRequest {
  ok: false;
  error: GraphError;
  /** The parsed events when `data` could be read, so the sandbox can show what was rejected. */
  events: unknown[];
  /** Index of the offending event, when one event caused the rejection. */
  index?: number;
}

const first = (v: unknown): unknown => (Array.isArray(v) ? v[0] : v);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function proofMatches(token: string, secret: string, proof: string): boolean {
  const expected = Buffer.from(createHmac('sha256', secret).update(token).digest('hex'));
  const given = Buffer.from(proof.toLowerCase());
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Checks a Graph `POST /{version}/{pixel}/events` request in Meta's order: token, proof, object, body. */
export function validateGraphRequest(input: GraphRequestInput, auth: GraphAuthConfig): AcceptedRequest | RejectedRequest {
  const body = isObject(input.body) ? input.body : {};
  const tokenRaw = first(input.query.access_token) ?? body.access_token;
  const token = typeof tokenRaw === 'string' ? tokenRaw : '';
  if (token === '') return { ok: false, error: invalidToken(true), events: [] };
  if (!auth.tokens.has(token)) return { ok: false, error: invalidToken(false), events: [] };

  const secret = auth.appSecrets.get(token);
  if (secret !== undefined) {
    const proof = first(input.query.appsecret_proof) ?? body.appsecret_proof;
    if (typeof proof !== 'string' || !proofMatches(token, secret, proof)) {
      return { ok: false, error: invalidAppsecretProof(), events: [] };
    }
  }

  const known = auth.pixels === null ? /^\d+$/.test(input.pixelId) : auth.pixels.has(input.pixelId);
  if (!known) return { ok: false, error: unknownObject(input.pixelId), events: [] };

  let data: unknown = body.data;
  if (typeof data === 'string') {
    try {
      data = JSON.parse(data);
    } catch {
      return {
        ok: false, events: [],
        error: invalidParameter(SUBCODES.MALFORMED_BODY, 'Malformed Data', 'data: is not valid JSON (expected a JSON array of events)'),
      };
    }
  }
  if (data === undefined) {
    return { ok: false, events: [], error: invalidParameter(SUBCODES.MISSING_PARAMETER, 'Missing Data', 'data: the parameter data is required') };
  }
  if (!Array.isArray(data)) {
    return { ok: false, events: [], error: invalidParameter(SUBCODES.DATA_NOT_ARRAY, 'Invalid Data', 'data: must be an array of events') };
  }
  if (data.length === 0 || data.length > MAX_EVENTS_PER_REQUEST) {
    return {
      ok: false, events: data.slice(0, MAX_EVENTS_PER_REQUEST),
      error: invalidParameter(SUBCODES.DATA_NOT_ARRAY, 'Invalid Number Of Events',
        `data: must contain 1 to ${MAX_EVENTS_PER_REQUEST} events, got ${data.length}`),
    };
  }

  const testEventCode = body.test_event_code ?? first(input.query.test_event_code);
  if (testEventCode !== undefined && typeof testEventCode !== 'string') {
    return { ok: false, events: data, error: invalidParameter(SUBCODES.INVALID_TYPE, 'Invalid Test Event Code', 'test_event_code: must be a string') };
  }
  const partnerAgent = body.partner_agent ?? first(input.query.partner_agent);
  if (partnerAgent !== undefined && typeof partnerAgent !== 'string') {
    return { ok: false, events: data, error: invalidParameter(SUBCODES.INVALID_TYPE, 'Invalid Partner Agent', 'partner_agent: must be a string') };
  }

  const nowS = Math.floor(input.nowMs / 1000);
  for (let i = 0; i < data.length; i++) {
    const check = validateEvent(data[i], i, nowS);
    if (!check.ok) {
      return { ok: false, events: data, index: i, error: invalidParameter(check.issue.subcode, check.issue.title, check.issue.message) };
    }
  }
  return {
    ok: true,
    events: data as Record<string, unknown>[],
    ...(testEventCode !== undefined ? { testEventCode } : {}),
    ...(partnerAgent !== undefined ? { partnerAgent } : {}),
  };
}
