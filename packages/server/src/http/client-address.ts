import type { IncomingMessage } from 'node:http';
import { isIPv6 } from 'node:net';
import proxyaddr from 'proxy-addr';
import type { Logger } from '../log.js';

/** The client as the request shows it, trusting forwarded headers only as `trust proxy` allows. */
export interface Client {
  /** The client's address (IPv4-mapped IPv6 written as IPv4), or undefined when the socket has none. */
  ip: string | undefined;
  /** Host name the client asked for (X-Forwarded-Host from a trusted proxy, else Host), port removed. */
  hostname(): string | undefined;
  /** Whether the client used HTTPS (X-Forwarded-Proto from a trusted proxy, else the socket). */
  secure(): boolean;
}

/**
 * Reads a request's client with Express's `trust proxy` semantics (the same proxy-addr module and value
 * forms: true, a hop count, or a comma list of addresses/CIDRs/`loopback`…), without Express's request object.
 */
export function clientReader(trustProxy: boolean | number | string): (req: IncomingMessage) => Client {
  const trust = trustProxy === true ? () => true
    : typeof trustProxy === 'number' ? (_a: string, hop: number) => hop < trustProxy
      : proxyaddr.compile(trustProxy === false ? [] : trustProxy.split(',').map((v) => v.trim()));
  return (req) => {
    const raw = req.socket.remoteAddress === undefined ? undefined : proxyaddr(req, trust);
    const ip = raw === undefined || raw === '' ? undefined : raw.startsWith('::ffff:') ? raw.slice(7) : raw;
    /** Whether the direct peer is a trusted proxy (asked once per request, and only if a header needs it). */
    let trusted: boolean | undefined;
    const fromProxy = (): boolean => (trusted ??= trust(req.socket.remoteAddress ?? '', 0));
    return {
      ip,
      hostname() {
        let host = header(req, 'x-forwarded-host');
        if (!host || !fromProxy()) host = header(req, 'host');
        else if (host.includes(',')) host = host.slice(0, host.indexOf(',')).trimEnd();
        if (!host) return undefined;
        const offset = host[0] === '[' ? host.indexOf(']') + 1 : 0;
        const colon = host.indexOf(':', offset);
        return colon === -1 ? host : host.slice(0, colon);
      },
      secure() {
        const socketProto = (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
        if (!fromProxy()) return socketProto === 'https';
        const h = header(req, 'x-forwarded-proto') || socketProto;
        const comma = h.indexOf(',');
        return (comma === -1 ? h : h.slice(0, comma)).trim() === 'https';
      },
    };
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * The rate-limit key of a client address: an IPv4 address as is; an IPv6 address by its /64 prefix (one
 * subscriber or LAN usually holds a whole /64, 2^64 addresses: a bucket per address would be no limit at all).
 */
export function rateLimitKey(ip: string): string {
  if (!ip.includes(':')) return ip;
  const pct = ip.indexOf('%');
  const addr = pct < 0 ? ip : ip.slice(0, pct);
  if (!isIPv6(addr)) return ip;
  const [head = '', tail = ''] = addr.split('::');
  const h = head === '' ? [] : head.split(':');
  if (addr.includes('::')) {
    const t = tail === '' ? [] : tail.split(':');
    // An embedded IPv4 tail (a.b.c.d) is two groups; only the first four groups matter here.
    const tailGroups = t.reduce((n, g) => n + (g.includes('.') ? 2 : 1), 0);
    while (h.length < 8 - tailGroups) h.push('0');
    h.push(...t);
  }
  return `${h.slice(0, 4).map((g) => (g.includes('.') ? g : g.replace(/^0+(?=.)/, '').toLowerCase())).join(':')}::/64`;
}

/**
 * Warns once (per process) when a request carries X-Forwarded-For / Forwarded while TRUST_PROXY is off:
 * behind a proxy every visitor then shares the proxy's address — one rate-limit bucket, and the proxy's IP
 * sent to Meta as client_ip_address. The log line says what to set. Cheap: two header lookups per request.
 */
export function forwardedHeaderWarning(trustProxy: boolean | number | string, logger: Pick<Logger, 'warn'>): (req: IncomingMessage) => void {
  if (trustProxy !== false) return () => undefined;
  let warned = false;
  return (req) => {
    if (warned) return;
    const h = req.headers;
    if (h['x-forwarded-for'] === undefined && h.forwarded === undefined) return;
    warned = true;
    logger.warn({ header: h.forwarded !== undefined ? 'Forwarded' : 'X-Forwarded-For', setting: 'TRUST_PROXY' },
      'forwarded headers received but TRUST_PROXY is not set: the client address is the proxy\'s, so all visitors share one rate-limit bucket and Meta gets the proxy\'s IP as client_ip_address. Behind a reverse proxy set TRUST_PROXY to what you trust, e.g. TRUST_PROXY=loopback (proxy on this host) or TRUST_PROXY=1 (exactly one proxy in front); without a proxy, leave it unset (see the README, "Behind a reverse proxy"). Logged once.');
  };
}
