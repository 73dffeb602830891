import { redactUrl } from '../redact-url.js';

/** Which backend an OUTBOX URL names, or why it names none. */
export type OutboxTarget =
  | { kind: 'sqlite'; path: string }
  | { kind: 'redis'; url: string }
  | { kind: 'invalid'; problem: string };

/**
 * `sqlite:<path>` or `redis[s]://…`: the one reading of the OUTBOX setting (config validation and createOutbox
 * both use it). The problem never echoes a password (a mistyped mysql://user:pass@… URL may carry one).
 */
export function parseOutboxUrl(url: string): OutboxTarget {
  if (url.startsWith('sqlite:') && url.length > 'sqlite:'.length) {
    if (/\?thread=[^/]*$/.test(url)) {
      return { kind: 'invalid', problem: 'the ?thread= parameter is not read; set OUTBOX_THREAD (config outboxThread) to true or false instead' };
    }
    return { kind: 'sqlite', path: url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '') };
  }
  if (/^rediss?:\/\//.test(url)) return { kind: 'redis', url };
  return { kind: 'invalid', problem: `expected sqlite:<path> or redis://host:port[/db], got ${JSON.stringify(redactUrl(url))}` };
}
