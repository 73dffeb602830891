const MASK = '***';
/** Query parameters whose value may be a credential (ioredis takes e.g. `?password=` as a connect option). */
const SECRET_PARAM = /pass|pwd|secret|token|auth|cred|key/i;
/** What an unparseable URL is reduced to: where a secret sits in it cannot be told. */
const UNPARSEABLE = '[unparseable URL, redacted]';

/**
 * Any configured URL (FB_GRAPH_URL, OUTBOX, …) as it may appear in logs and errors: the password,
 * credential-like query values and any fragment become `***`; the user name stays (`redis://user:***@host`).
 * Userinfo the parser mistook for a path or query (an unencoded `/` or `?` in it) shows up as an `@` after
 * the host: then path and query are masked too. A string that needed no change (e.g.
 * `sqlite:./data/outbox.db`) comes back as given.
 */
export function redactUrl(url: string | URL): string {
  // Without `@`, `?` or `#` a string has no userinfo, query or fragment that could hold a secret.
  if (typeof url === 'string' && !/[@?#]/.test(url)) return url;
  let copy: URL;
  try {
    copy = new URL(typeof url === 'string' ? url : url.href);
  } catch {
    return UNPARSEABLE;
  }
  let changed = false;
  if (copy.password) {
    copy.password = MASK;
    changed = true;
  }
  if (copy.host !== '' && (copy.pathname.includes('@') || copy.search.includes('@'))) {
    copy.pathname = `/${MASK}`;
    copy.search = '';
    changed = true;
  }
  const params = [...copy.searchParams];
  if (params.some(([name, value]) => value !== '' && SECRET_PARAM.test(name))) {
    copy.search = new URLSearchParams(
      params.map(([name, value]): [string, string] => [name, value !== '' && SECRET_PARAM.test(name) ? MASK : value]),
    ).toString();
    changed = true;
  }
  if (copy.hash) {
    copy.hash = MASK;
    changed = true;
  }
  return changed || typeof url !== 'string' ? copy.href : url;
}

const USERINFO_IN_TEXT = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]*@/gi;

/** Free text (an error message, a log line) with the user:password part of every URL in it masked. */
export function redactUrlsInText(text: string): string {
  return text.includes('@') && text.includes('://') ? text.replace(USERINFO_IN_TEXT, '$1***@') : text;
}
