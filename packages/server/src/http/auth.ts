import { hash, timingSafeEqual } from 'node:crypto';
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

export function requireApiKey(keys: readonly Secret[], onRefused?: () => void): RequestHandler {
  const check = createKeyCheck(keys);
  return (req, _res, next) => {
    const h = req.headers.authorization;
    const m = h === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(h);
    if (keys.length === 0) {
      onRefused?.();
      next(new HttpError(401, 'unauthorized', 'no API keys are configured on this server (API_KEYS)'));
      return;
    }
    if (!m || !check(m[1])) {
      onRefused?.();
      next(new HttpError(401, 'unauthorized', m ? 'API key not recognised' : 'missing Authorization: Bearer <API key>', 'authorization'));
      return;
    }
    next();
  };
}
