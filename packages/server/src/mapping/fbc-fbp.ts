/**
 * `_fbc` / `_fbp` values as Meta documents them ("ClickID and the fbp and fbc Parameters"):
 * - fbp: `fb.<subdomainIndex>.<creationTime>.<randomNumber>`
 * - fbc: `fb.<subdomainIndex>.<creationTime>.<fbclid>`
 * with creationTime in milliseconds (13 digits until the year 2286), and optionally the parameter builder's
 * appendix (8 characters now, 2 legacy; base64url). Never hashed, never modified: the fbclid is
 * case-sensitive and keeps every character Meta produces, `=` padding included.
 */
/** base64url characters plus `=` padding: every character Meta's fbclid values carry. */
const FBCLID = '[A-Za-z0-9_=-]+';
const APPENDIX = '(?:\\.(?:[A-Za-z0-9_-]{8}|[A-Za-z0-9_-]{2}))?';
const FBC_RE = new RegExp(`^fb\\.\\d\\.\\d{13}\\.${FBCLID}${APPENDIX}$`);
const FBP_RE = new RegExp(`^fb\\.\\d\\.\\d{13}\\.\\d{1,20}${APPENDIX}$`);
const FBCLID_RE = new RegExp(`^${FBCLID}$`);
export const MAX_FB_COOKIE_LENGTH = 1024;
/** fbclid values seen in the wild are < 200 characters; a bound keeps junk URLs out. */
export const MAX_FBCLID_LENGTH = 500;

export function isValidFbc(v: string): boolean {
  return v.length <= MAX_FB_COOKIE_LENGTH && FBC_RE.test(v);
}

export function isValidFbp(v: string): boolean {
  return v.length <= 64 && FBP_RE.test(v);
}

/** Either format (kept for callers that do not know which cookie they hold). */
export function isValidFbCookie(v: string): boolean {
  return isValidFbp(v) || isValidFbc(v);
}

/** Result of reading `fbclid` from a page URL: absent, unusable (with why), or the fbc to send. */
export type FbclidFbc = { kind: 'absent' } | { kind: 'invalid' } | { kind: 'fbc'; fbc: string };
const ABSENT: FbclidFbc = Object.freeze({ kind: 'absent' });
const INVALID: FbclidFbc = Object.freeze({ kind: 'invalid' });
const FBCLID_PARAM = /[?&]fbclid=([^&#]*)/;

/**
 * Meta: fbc "or generate this value from a fbclid query parameter": `fb.1.<creationTime ms>.<fbclid>`, the
 * fbclid unmodified (only URL-decoded, as the browser's cookie would hold it); subdomain index 1 when the
 * value is built server-side; creation time = when the fbclid was first observed (the event's time).
 */
export function fbcFromUrl(url: string, observedMs: number): FbclidFbc {
  if (!url.includes('fbclid=')) return ABSENT; // the common case, no regex
  const m = FBCLID_PARAM.exec(url);
  if (!m || m[1] === '') return ABSENT;
  let fbclid = m[1]!;
  try {
    fbclid = decodeURIComponent(fbclid);
  } catch {
    return INVALID;
  }
  if (fbclid.length > MAX_FBCLID_LENGTH || !FBCLID_RE.test(fbclid)) return INVALID;
  return { kind: 'fbc', fbc: `fb.1.${Math.floor(observedMs)}.${fbclid}` };
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
