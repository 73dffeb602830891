/** Origin allow-list matching: exact origins, `scheme://*.domain` wildcards (subdomains only), or `*`. */
export function isOriginAllowed(origin: string, allowed: readonly string[]): boolean {
  const o = origin.toLowerCase();
  for (const a of allowed) {
    if (a === '*' || a === o) return true;
    const star = a.indexOf('://*.');
    if (star >= 0) {
      const scheme = a.slice(0, star + 3);
      const suffix = a.slice(star + 4); // ".example.com[:port]"
      if (o.startsWith(scheme) && o.endsWith(suffix) && o.length > scheme.length + suffix.length) return true;
    }
  }
  return false;
}

/** Hostname of an Origin header value, or undefined when it is not a URL (e.g. `null`). */
export function originHost(origin: string): string | undefined {
  try {
    return new URL(origin).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}
