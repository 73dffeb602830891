/**
 * `_fbp` / `_fbc` first-party cookies in Meta's format `fb.{subdomainIndex}.{creationMs}.{payload}`.
 * Created by the tag before the first event so the Pixel (which reuses existing cookies) and the
 * server forward carry the same values from the very first page view.
 */

const MAX_AGE = 7776000; // 90 days, in seconds (Meta's pixel and parameter builder)
const PROBE = '_cb_t';
/** fbclid values longer than this are ignored (absurd / attack input). */
export const MAX_FBCLID = 500;

export interface CookieTarget {
  /** Domain attribute; undefined → host-only cookie. */
  domain?: string;
  /** Number of dots in the domain the cookie is defined on ('example.com' → 1); 0 when host-only. */
  index: number;
}

export function readCookie(doc: Document, name: string): string | undefined {
  const m = doc.cookie.match(new RegExp('(?:^|;) ?' + name + '=([^;]*)'));
  return m?.[1] || undefined;
}

function writeCookie(doc: Document, name: string, value: string, t: CookieTarget, maxAge = MAX_AGE): void {
  doc.cookie = name + '=' + value + ';max-age=' + maxAge + ';path=/' + (t.domain ? ';domain=.' + t.domain : '') +
    ';SameSite=Lax' + (doc.location?.protocol == 'https:' ? ';Secure' : '');
}

const dots = (d: string) => d.split('.').length - 1;

/**
 * The highest domain that accepts cookies, found like Meta's pixel does: try `example.co.uk`-style
 * suffixes from the shortest (2 labels, e.g. `co.uk`, refused by the browser as a public suffix) upwards.
 * IP addresses and single-label hosts (`localhost`) get a host-only cookie with index 0.
 */
export function cookieTarget(doc: Document, host: string, override?: string): CookieTarget {
  if (override) {
    const domain = override.replace(/^\./, '');
    return { domain, index: dots(domain) };
  }
  if (!/^[\d.]+$|:/.test(host)) {
    const parts = host.split('.');
    for (let i = parts.length - 2; i >= 0; i--) {
      const t = { domain: parts.slice(i).join('.'), index: parts.length - 1 - i };
      writeCookie(doc, PROBE, '1', t, 9);
      if (readCookie(doc, PROBE)) {
        writeCookie(doc, PROBE, '', t, 0);
        return t;
      }
    }
  }
  return { index: 0 };
}

/** Returns `_fbp`, creating it when absent; undefined when the browser keeps no cookies. */
export function ensureFbp(doc: Document, t: CookieTarget, now: number): string | undefined {
  if (!readCookie(doc, '_fbp')) {
    writeCookie(doc, '_fbp', 'fb.' + t.index + '.' + now + '.' + Math.round(2147483647 * Math.random()), t);
  }
  return readCookie(doc, '_fbp');
}

function fbclidOf(url: string): string | null {
  try {
    return new URL(url).searchParams.get('fbclid');
  } catch {
    return null;
  }
}

/**
 * Returns `_fbc`, (re)creating it when the page URL (or, like the real pixel, the referrer) carries an
 * fbclid that differs from the cookie's payload. An unchanged fbclid keeps the original creation time;
 * the payload may carry a parameter-builder appendix (`.<fbclid>.<appendix>`), which still counts as equal.
 */
export function ensureFbc(doc: Document, t: CookieTarget, now: number, href: string, referrer: string): string | undefined {
  const clid = fbclidOf(href) || fbclidOf(referrer);
  const cur = readCookie(doc, '_fbc');
  if (clid && clid.length <= MAX_FBCLID && /^[^\s;,]+$/.test(clid)) {
    const payload = cur?.split('.').slice(3).join('.');
    if (payload != clid && !payload?.startsWith(clid + '.')) writeCookie(doc, '_fbc', 'fb.' + t.index + '.' + now + '.' + clid, t);
  }
  return readCookie(doc, '_fbc');
}
