/** Second-level labels under which registrations happen (co.uk, com.au…): a small built-in list, no PSL. */
const SECOND_LEVEL = new Set(['co', 'com', 'net', 'org', 'gov', 'ac', 'edu', 'ne', 'or', 'go', 'gob', 'nic', 'ltd', 'plc']);

const IP_RE = /^(\d{1,3}(\.\d{1,3}){3}|\[?[0-9a-f:]+\]?)$/i;

/**
 * Registrable domain (eTLD+1) of a host name, approximated: the last two labels, or three when the last is
 * a two-letter country code under a generic second level (`shop.example.co.uk` → `example.co.uk`).
 * IP addresses and single-label hosts (`localhost`) are returned unchanged. Set COOKIE_DOMAIN when this
 * guess is wrong for your domain.
 */
export function registrableDomain(host: string): string {
  const h = host.toLowerCase().replace(/\.$/, '');
  if (IP_RE.test(h) || !h.includes('.')) return h;
  const labels = h.split('.');
  const n = labels.length;
  if (n >= 3 && labels[n - 1]!.length === 2 && SECOND_LEVEL.has(labels[n - 2]!)) return labels.slice(-3).join('.');
  return labels.slice(-2).join('.');
}

/** Meta cookie value: `fb.<index>.<ms>.<payload>[.<appendix>]`, cookie-safe characters only. */
const FB_COOKIE_RE = /^fb\.\d\.\d{9,14}\.[A-Za-z0-9_\-.]{1,600}$/;

export function isCookieSafeFbValue(v: unknown): v is string {
  return typeof v === 'string' && FB_COOKIE_RE.test(v);
}

export const NINETY_DAYS_S = 90 * 24 * 3600;

/**
 * `Set-Cookie` value for a first-party `_fbp`/`_fbc` refresh. Not HttpOnly: the Pixel reads these cookies.
 * `domain` undefined → host-only cookie (IP addresses, localhost).
 */
export function fbCookie(name: '_fbp' | '_fbc', value: string, domain: string | undefined, secure: boolean): string {
  const parts = [`${name}=${value}`, `Max-Age=${NINETY_DAYS_S}`, 'Path=/', 'SameSite=Lax'];
  if (domain !== undefined) parts.push(`Domain=${domain}`);
  if (secure) parts.push('Secure');
  return parts.join('; ');
}

/**
 * Whether the page (Origin host) and this server (request host) are on the same site, so a cookie the server
 * sets is first-party for the page. Returns the Domain attribute to use (undefined = host-only), or null.
 */
export function firstPartyCookieDomain(originHostname: string, serverHostname: string, configured?: string): string | undefined | null {
  const o = originHostname.toLowerCase();
  const s = serverHostname.toLowerCase();
  if (configured !== undefined) {
    const inDomain = (h: string): boolean => h === configured || h.endsWith(`.${configured}`);
    return inDomain(o) && inDomain(s) ? configured : null;
  }
  if (IP_RE.test(o) || IP_RE.test(s) || !o.includes('.') || !s.includes('.')) return o === s ? undefined : null;
  const reg = registrableDomain(o);
  return reg === registrableDomain(s) ? reg : null;
}
