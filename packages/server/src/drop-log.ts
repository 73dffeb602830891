import type { Logger } from './log.js';

/** What a drop or refusal line may carry: names and counts, never an event's values or a secret. */
export type DropFields = Record<string, string | number | boolean | string[] | undefined>;

interface ReasonState {
  /** When the last line for this reason was written. */
  loggedAt: number;
  /** Occurrences since that line. */
  suppressed: number;
  /** The fields of the first suppressed occurrence (an example for the summary line). */
  example?: DropFields;
}

export interface DropLogOptions {
  logger: Pick<Logger, 'warn'>;
  now?: () => number;
  /** At most one line per reason per this many ms after the first (default 60 s). */
  intervalMs?: number;
}

/**
 * Drops and refusals in the server log, rate-limited per reason: the first occurrence of a reason is
 * logged at once with its fields; later ones within `intervalMs` are only counted, and one summary line
 * per reason (count + one example) is written when the interval has passed — on the next occurrence or
 * by `flush()` (a timer calls it). `fields` is a function so the hot path builds nothing it will not log.
 */
export class DropLog {
  readonly #logger: Pick<Logger, 'warn'>;
  readonly #now: () => number;
  readonly #intervalMs: number;
  readonly #reasons = new Map<string, ReasonState>();
  #timer: NodeJS.Timeout | undefined;

  constructor(options: DropLogOptions) {
    this.#logger = options.logger;
    this.#now = options.now ?? Date.now;
    this.#intervalMs = options.intervalMs ?? 60_000;
  }

  /** `count` occurrences of `reason` (a request may drop several events for the same reason). */
  note(reason: string, message: string, fields: () => DropFields, count = 1): void {
    const now = this.#now();
    const st = this.#reasons.get(reason);
    if (st === undefined) {
      this.#reasons.set(reason, { loggedAt: now, suppressed: 0 });
      this.#logger.warn({ reason, ...clean(fields()), ...(count > 1 ? { count } : {}) }, message);
      return;
    }
    if (st.suppressed === 0) st.example = fields();
    st.suppressed += count;
    if (now - st.loggedAt >= this.#intervalMs) this.#summarise(reason, st, now, message);
  }

  /** Writes the summary line of every reason whose interval has passed (the timer), or of all (`all`: shutdown). */
  flush(all = false): void {
    const now = this.#now();
    for (const [reason, st] of this.#reasons) {
      if (st.suppressed > 0 && (all || now - st.loggedAt >= this.#intervalMs)) this.#summarise(reason, st, now, 'more of the same since the last line');
    }
  }

  /** Flushes every `intervalMs` until `stop()` (the timer never keeps the process alive). */
  start(): void {
    this.#timer ??= setInterval(() => this.flush(), this.#intervalMs).unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #summarise(reason: string, st: ReasonState, now: number, message: string): void {
    const seconds = Math.round((now - st.loggedAt) / 1000);
    this.#logger.warn({ reason, count: st.suppressed, seconds, ...(st.example ? { example: clean(st.example) } : {}) }, `${message} (${st.suppressed} in the last ${seconds} s)`);
    st.loggedAt = now;
    st.suppressed = 0;
    delete st.example;
  }
}

function clean(f: DropFields): DropFields {
  const out: DropFields = {};
  for (const k in f) if (f[k] !== undefined) out[k] = f[k];
  return out;
}
