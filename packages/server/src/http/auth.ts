import { hash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import type { Secret } from '../config/secret.js';
import { HttpError } from './errors.js';

const digest = (s: string): Buffer => Buffer.from(hash('sha256', s, 'hex'), 'hex');

/**
 * Checks `Authorization: Bearer <key>` against the configured keys. Both sides are SHA-256'd first so the
 * comparison is constant-time and length-independent (timingSafeEqual on equal-length digests), and every
 * key is compared (no early exit revealing which one matched).
 */
export function createKeyCheck(keys: readonly Secret[]): (presented: string | undefined) => boolean {
  const digests = keys.map((k) => digest(k.reveal()));
  return (presented) => {
    if (presented === undefined || digests.length === 0) return false;
    const d = digest(presented);
    let ok = false;
    for (const k of digests) ok = timingSafeEqual(k, d) || ok;
    return ok;
  };
}

/** The key of an `Authorization: Bearer <key>` header, if it is one. */
export const bearerKey = (header: string | undefined): string | undefined =>
  header === undefined ? undefined : /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];

/** Why a request's `Authorization: Bearer <key>` is refused (401), or undefined when the key is configured. */
export function apiKeyCheck(keys: readonly Secret[]): (req: IncomingMessage) => HttpError | undefined {
  const check = createKeyCheck(keys);
  return (req) => {
    if (keys.length === 0) return new HttpError(401, 'unauthorized', 'no API keys are configured on this server (API_KEYS)');
    const key = bearerKey(req.headers.authorization);
    if (key === undefined || !check(key)) return new HttpError(401, 'unauthorized', key !== undefined ? 'API key not recognised' : 'missing Authorization: Bearer <API key>', 'authorization');
    return undefined;
  };
}

/** Express middleware form of apiKeyCheck (`onRefused` counts the refusal). */
export function requireApiKey(keys: readonly Secret[], onRefused?: () => void): RequestHandler {
  const refusal = apiKeyCheck(keys);
  return (req, _res, next) => {
    const err = refusal(req);
    if (err) onRefused?.();
    next(err);
  };
}
