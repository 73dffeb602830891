/**
 * `_fbc` / `_fbp` values: `fb.<subdomainIndex>.<creationTime>.<payload>` with an optional param-builder
 * appendix. Never hashed, never modified (the fbclid is case-sensitive).
 */
const FB_COOKIE_RE = /^fb\.\d{1,3}\.\d{1,16}\.[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]{1,16})?$/;
export const MAX_FB_COOKIE_LENGTH = 1024;

export function isValidFbCookie(v: string): boolean {
  return v.length <= MAX_FB_COOKIE_LENGTH && FB_COOKIE_RE.test(v);
}

/** Reads `name` from a `Cookie`-header style string (`a=1; _fbp=…`). */
export function readCookie(header: string, name: string): string | undefined {
  if (header.length > 16384) return undefined;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    if (part.slice(0, i).trim() === name) {
      const raw = part.slice(i + 1).trim();
      try {
        return decodeURIComponent(raw);
      } catch {
        return raw;
      }
    }
  }
  return undefined;
}
