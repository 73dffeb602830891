import { redactOutboxUrl } from './outbox/redis-config.js';

/**
 * Any configured URL (FB_GRAPH_URL, OUTBOX, …) as it may appear in logs and errors: password,
 * credential-like query values and fragment masked (the one redaction function, shared with the outbox).
 */
export const redactUrl: (url: string | URL) => string = redactOutboxUrl;

const USERINFO_IN_TEXT = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]*@/gi;

/** Free text (an error message, a log line) with the user:password part of every URL in it masked. */
export function redactUrlsInText(text: string): string {
  return text.includes('@') && text.includes('://') ? text.replace(USERINFO_IN_TEXT, '$1***@') : text;
}
