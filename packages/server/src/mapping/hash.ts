import { createHash } from 'node:crypto';
import * as crypto from 'node:crypto';

const SHA256_RE = /^[a-f0-9]{64}$/i;
/** Meta's parameter builder appends `.<appendix>` (8 chars now, 2 legacy) to hashed values. */
const PARAM_BUILDER_RE = /^([a-f0-9]{64})\.[A-Za-z0-9_-]{1,16}$/i;

type OneShot = (algorithm: string, data: string, encoding: 'hex') => string;
const oneShot = (crypto as unknown as { hash?: OneShot }).hash;

/** SHA-256 hex of a UTF-8 string (crypto.hash one-shot when available: ~4× faster for short strings). */
export const sha256Hex: (s: string) => string = oneShot
  ? (s) => oneShot('sha256', s, 'hex')
  : (s) => createHash('sha256').update(s, 'utf8').digest('hex');

/** If `s` already is a SHA-256 hex (optionally with a param-builder appendix), the lower-cased hash; else undefined. */
export function existingSha256(s: string): string | undefined {
  if (s.length === 64) return SHA256_RE.test(s) ? s.toLowerCase() : undefined;
  if (s.length > 65 && s.length <= 81) {
    const m = PARAM_BUILDER_RE.exec(s);
    return m ? m[1]!.toLowerCase() : undefined;
  }
  return undefined;
}
