import type { ResolvedConfig } from './config/schema.js';
import { createOutbox } from './outbox/index.js';
import type { DeadLetter } from './outbox/types.js';

export interface DeadLettersArgs {
  action: 'list' | 'replay';
  destination?: string;
  ids?: string[];
  limit?: number;
  json?: boolean;
}

function line(d: DeadLetter): string {
  const e = d.error;
  const meta = [e.httpStatus && `http ${e.httpStatus}`, e.code !== undefined && `code ${e.code}`, e.errorSubcode !== undefined && `subcode ${e.errorSubcode}`]
    .filter(Boolean).join(' ');
  const msg = e.errorUserTitle ? `${e.errorUserTitle}: ${e.errorUserMsg ?? ''}` : e.message ?? '';
  return [d.id, d.destinationId, d.event.event_name, d.event.event_id, e.reason, meta, msg.replace(/\s+/g, ' ').slice(0, 160), e.fbtraceId ?? '']
    .join('\t');
}

/**
 * `capi-bridge dead-letters list|replay [--destination id] [--id a,b] [--limit n] [--json]` — opens the
 * configured outbox directly (the server may keep running: SQLite WAL allows a second connection).
 * Returns the text to print.
 */
export async function runDeadLetters(config: ResolvedConfig, args: DeadLettersArgs): Promise<string> {
  const outbox = await createOutbox(config.outboxUrl, { releaseLeasesOnOpen: false, thread: false });
  try {
    if (args.action === 'list') {
      const all = await outbox.listDeadLetters({ ...(args.destination ? { destinationId: args.destination } : {}), limit: args.limit ?? 100 });
      const items = args.ids ? all.filter((d) => args.ids!.includes(d.id)) : all;
      if (args.json) return JSON.stringify({ dead_letters: items }, null, 2);
      if (items.length === 0) return 'no dead letters';
      return ['id\tdestination\tevent_name\tevent_id\treason\tmeta\tmessage\tfbtrace_id', ...items.map(line)].join('\n');
    }
    const n = await outbox.replayDeadLetters({ ...(args.destination ? { destinationId: args.destination } : {}), ...(args.ids ? { ids: args.ids } : {}) });
    return args.json ? JSON.stringify({ replayed: n }) : `replayed ${n} dead letter(s) into the outbox`;
  } finally {
    await outbox.close();
  }
}
