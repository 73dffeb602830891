/**
 * `_fbp` / `_fbc` first-party cookies in Meta's format `fb.{subdomainIndex}.{creationMs}.{payload}`.
 * Created by the tag before the first event so the Pixel (which reuses existing cookies) and the
 * server forward carry the same values from the very first page view.
 * A cookie target is a domain string: '' means a host-only cookie. Its subdomain index is its dot count
 * ('example.com' → 1, '' → 0).
 */

/**
 * Cookie `name` as the page sees it; with a `value`, written first (on `domain`, '' = host-only; max-age defaults
 * to 90 days, in seconds, as Meta's pixel and parameter builder set it), so the answer says whether it was kept.
 */
const cookie = (doc: Document, name: string, value?: unknown, domain = '', maxAge = 7776000): string | undefined => {
  if (value) doc.cookie = name + '=' + value + ';max-age=' + maxAge + ';path=/' + (domain && ';domain=' + domain);
  return doc.cookie.match('(^|;) ?' + name + '=([^;]*)')?.[2];
};

export const readCookie = (doc: Document, name: string): string | undefined => cookie(doc, name);

/**
 * The highest domain that accepts cookies, found like Meta's pixel does: try `example.co.uk`-style
 * suffixes from the shortest (2 labels, e.g. `co.uk`, refused by the browser as a public suffix) upwards,
 * with a short-lived `_cb_t` probe cookie that is deleted again.
 * IP addresses and single-label hosts (`localhost`) get a host-only cookie ('').
 */
export function cookieTarget(doc: Document): string {
  const host = doc.location.hostname;
  const parts = /^[\d.]+$|:/.test(host) ? [] : host.split('.');
  let d = parts.pop();
  for (const label of parts.reverse()) {
    d = label + '.' + d;
    if (cookie(doc, '_cb_t', 1, d, 9)) return cookie(doc, '_cb_t', 1, d, 0), d;
  }
  return '';
}


/**
 * `_fbp` and `_fbc` for a forward, on `domain` (default: the probed cookieTarget of the page's host).
 * `_fbp` is created when absent and never replaced. `_fbc` is (re)created when the page URL (or, like the real
 * pixel, the referrer) carries an fbclid that differs from the cookie's payload. An unchanged fbclid keeps the
 * original creation time; the payload may carry a parameter-builder appendix (`<fbclid>.<appendix>`), which still
 * counts as equal. Both are read back, so a browser that keeps no cookies yields undefined values.
 */
export function fbCookies(doc: Document, href: string, referrer: string, domain?: string): { fbp?: string; fbc?: string } {
  const d = domain || cookieTarget(doc);
  /** Writes `name` = `fb.{index}.{now}.{payload}` when a payload is given, then reads the cookie back. */
  const fb = (name: string, payload: unknown) =>
    cookie(doc, name, payload && 'fb.' + (d.split('.').length - 1) + '.' + Date.now() + '.' + payload, d);
  // The page URL's fbclid, else the referrer's (URLs hold no spaces), taken as it is (never decoded or altered);
  // values longer than 500 characters or holding anything but letters, digits, `_`, `-`, `.` and `=` (base64
  // padding, kept as Meta keeps it) are ignored.
  const clid = /[?&]fbclid=([\w.=-]{1,500})([&# ]|$)/.exec(href + ' ' + referrer)?.[1];
  return {
    fbp: fb('_fbp', !cookie(doc, '_fbp') && '' + ((Math.random() * 2 ** 31) | 0)),
    fbc: fb('_fbc', clid && !(cookie(doc, '_fbc') + '.').split('.').slice(3).join('.').startsWith(clid + '.') && clid),
  };
}
