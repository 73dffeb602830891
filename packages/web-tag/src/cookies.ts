/**
 * `_fbp` / `_fbc` first-party cookies in Meta's format `fb.{subdomainIndex}.{creationMs}.{payload}`.
 * Created by the tag before the first event so the Pixel (which reuses existing cookies) and the
 * server forward carry the same values from the very first page view.
 */

/** fbclid values longer than this are ignored (absurd / attack input). */
export const MAX_FBCLID = 500;

export interface CookieTarget {
  /** Domain attribute; undefined → host-only cookie. */
  domain?: string;
  /** Number of dots in the domain the cookie is defined on ('example.com' → 1); 0 when host-only. */
  index: number;
}

export const readCookie = (doc: Document, name: string): string | undefined =>
  doc.cookie.match(RegExp('(^|;) ?' + name + '=([^;]*)'))?.[2] || undefined;

/** max-age defaults to 90 days, in seconds (Meta's pixel and parameter builder). */
const writeCookie = (doc: Document, name: string, value: string, t: CookieTarget, maxAge = 7776000) => {
  doc.cookie = name + '=' + value + ';max-age=' + maxAge + ';path=/' + (t.domain ? ';domain=.' + t.domain : '') +
    ';SameSite=Lax' + (doc.location.protocol == 'https:' ? ';Secure' : '');
};

const target = (domain: string): CookieTarget => ({ domain, index: domain.split('.').length - 1 });

/**
 * The highest domain that accepts cookies, found like Meta's pixel does: try `example.co.uk`-style
 * suffixes from the shortest (2 labels, e.g. `co.uk`, refused by the browser as a public suffix) upwards,
 * with a short-lived `_cb_t` probe cookie that is deleted again.
 * IP addresses and single-label hosts (`localhost`) get a host-only cookie with index 0.
 */
export function cookieTarget(doc: Document, host: string, override?: string): CookieTarget {
  if (override) return target(override.replace(/^\./, ''));
  const parts = /^[\d.]+$|:/.test(host) ? [] : host.split('.');
  for (let i = parts.length - 2; i >= 0; i--) {
    const t = target(parts.slice(i).join('.'));
    writeCookie(doc, '_cb_t', '1', t, 9);
    if (readCookie(doc, '_cb_t')) {
      writeCookie(doc, '_cb_t', '', t, 0);
      return t;
    }
  }
  return { index: 0 };
}

/** Writes `name` = `fb.{index}.{now}.{payload}` when a payload is given, then reads the cookie back. */
const fbCookie = (doc: Document, t: CookieTarget, now: number, name: string, payload: string | false) => {
  if (payload) writeCookie(doc, name, 'fb.' + t.index + '.' + now + '.' + payload, t);
  return readCookie(doc, name);
};

/** Returns `_fbp`, creating it when absent; undefined when the browser keeps no cookies. */
export const ensureFbp = (doc: Document, t: CookieTarget, now: number): string | undefined =>
  fbCookie(doc, t, now, '_fbp', !readCookie(doc, '_fbp') && '' + Math.round(2147483647 * Math.random()));

/** The URL's fbclid; a base URL makes junk (`"not a url"`, `""`) parse as a relative URL without one. */
const fbclidOf = (url: string) => new URL(url, 'http://x').searchParams.get('fbclid');

/**
 * Returns `_fbc`, (re)creating it when the page URL (or, like the real pixel, the referrer) carries an
 * fbclid that differs from the cookie's payload. An unchanged fbclid keeps the original creation time;
 * the payload may carry a parameter-builder appendix (`<fbclid>.<appendix>`), which still counts as equal.
 * The fbclid is never altered: values over MAX_FBCLID characters or holding `;`, `,` or spaces are ignored.
 */
export function ensureFbc(doc: Document, t: CookieTarget, now: number, href: string, referrer: string): string | undefined {
  const clid = fbclidOf(href) || fbclidOf(referrer) || '';
  const payload = (readCookie(doc, '_fbc') || '').split('.').slice(3).join('.') + '.';
  return fbCookie(doc, t, now, '_fbc', /^[^\s;,]{1,500}$/.test(clid) && !payload.startsWith(clid + '.') && clid);
}
