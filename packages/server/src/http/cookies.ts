import { parse } from 'tldts';

/** Private suffixes count too: browsers refuse a cookie for `github.io` or `blogspot.com` as for `co.uk`. */
const PSL_OPTIONS = { allowPrivateDomains: true } as const;

/**
 * Registrable domain (eTLD+1) of a lower-case host name from the Public Suffix List (ICANN and private
 * sections, via tldts), or undefined when a cookie for it must stay host-only: IP addresses, `localhost`
 * and `*.localhost`, single-label hosts, hosts that are a public suffix themselves, a trailing dot, and
 * anything tldts cannot parse. A TLD missing from the list counts as a suffix (`shop.example`), as in
 * browsers. ~0.2 µs per call (tldts), so not cached.
 */
function siteOf(h: string): string | undefined {
  if (h === 'localhost' || h.endsWith('.localhost') || h.endsWith('.')) return undefined;
  const p = parse(h, PSL_OPTIONS);
  // tldts also accepts a URL or `host:port`; only a bare host name may yield a cookie Domain.
  if (p.isIp !== false || p.hostname !== h) return undefined;
  return p.domain ?? undefined;
}

/**
 * Registrable domain (eTLD+1) of a host name from the Public Suffix List, private suffixes included:
 * `collect.shop.co.uk` → `shop.co.uk`, `shop.github.io` → `shop.github.io`. A host without one (IP
 * address, `localhost`, single label, a public suffix itself) is returned unchanged, lower-cased.
 */
export function registrableDomain(host: string): string {
  const h = host.toLowerCase();
  return siteOf(h) ?? h;
}

/**
 * Why `COOKIE_DOMAIN` would make browsers refuse every cookie, or undefined when it is usable: it must be a
 * host name (no IP address, port or scheme) with a registrable domain, not a public suffix (`co.uk`,
 * `github.io`).
 */
export function cookieDomainProblem(domain: string): string | undefined {
  if (!/^[a-z0-9-]+(\.[a-z0-9-]+)*$/.test(domain)) return 'expected a host name such as shop.example.com (letters, digits, dots, hyphens; punycode for IDNs)';
  if (domain === 'localhost' || domain.endsWith('.localhost')) return 'localhost cannot carry a cookie Domain';
  const p = parse(domain, PSL_OPTIONS);
  if (p.isIp) return 'an IP address cannot carry a cookie Domain';
  if (p.domain === null || p.domain === undefined) return `${domain} is a public suffix: browsers refuse cookies for it; use the shop's own domain`;
  return undefined;
}

/**
 * Meta cookie value: `fb.<index>.<ms>.<payload>[.<appendix>]`, cookie-safe characters only (`=` is a
 * cookie-octet: an fbclid keeps its base64 padding, as the mapping and Meta keep it).
 */
const FB_COOKIE_RE = /^fb\.\d\.\d{9,14}\.[A-Za-z0-9_\-.=]{1,600}$/;

export function isCookieSafeFbValue(v: unknown): v is string {
  return typeof v === 'string' && FB_COOKIE_RE.test(v);
}

export const NINETY_DAYS_S = 90 * 24 * 3600;

/**
 * `Set-Cookie` value for a first-party `_fbp`/`_fbc` refresh. Not HttpOnly: the Pixel reads these cookies.
 * `domain` undefined → host-only cookie (IP addresses, localhost, a host that is a public suffix).
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
  // Express's req.hostname is undefined for a request without a Host header.
  if (typeof originHostname !== 'string' || typeof serverHostname !== 'string') return null;
  const o = originHostname.toLowerCase();
  const s = serverHostname.toLowerCase();
  if (o === '' || s === '') return null;
  if (configured !== undefined) {
    const inDomain = (h: string): boolean => h === configured || h.endsWith(`.${configured}`);
    return inDomain(o) && inDomain(s) ? configured : null;
  }
  const so = siteOf(o);
  const ss = siteOf(s);
  if (so === undefined || ss === undefined) return o === s ? undefined : null;
  return so === ss ? so : null;
}
