import type { ResolvedDestination } from '../config/schema.js';
import type { DeliverySettings } from '../config/settings.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { DeadLetterError, EventHead, Outbox, OutboxEntry } from '../outbox/types.js';
import type { SentLog } from '../sent-log.js';
import { backoffMs } from './backoff.js';
import { classify, type Classification, type ClassificationKind, type GraphErrorInfo, type PauseCause } from './classify.js';
import type { GraphClient } from './graph-client.js';

/** What sending a batch and acting on Meta's answer needs (the Dispatcher's deps, less its destinations). */
export interface DeliveryDeps {
  outbox: Outbox;
  client: GraphClient;
  settings: DeliverySettings;
  metrics: Metrics;
  logger: Logger;
  sentLog?: SentLog;
  now?: () => number;
  random?: () => number;
}

/** Why a destination is paused, as /readyz and /v1/sent show it (never the token). */
export interface DestinationPause {
  destination: string;
  cause: PauseCause;
  /** Epoch ms when the pause began. */
  since: number;
  httpStatus: number;
  code?: number;
  errorSubcode?: number;
  /** Meta's message (or the HTTP status line of a non-Graph answer). */
  message: string;
}

/** One destination's delivery state, shared by its worker loops (dispatcher.ts) and its answers (here). */
export interface DestState {
  dest: ResolvedDestination;
  /** Set while paused: why (Meta's answer); cleared by an accepted batch. */
  pause?: DestinationPause;
  /** When Meta last accepted a batch (this process). */
  lastAcceptedAt: number;
  /** Settles when the split test running for this destination ends (see #oneSplitTestAtATime). */
  splitTest?: Promise<void>;
  /** Outbox entry id → when it was last refused alone with code 100 naming no event (oldest first, bounded). */
  refusedAlone: Map<string, number>;
  nextProbeAt: number;
  probing: boolean;
  throttledUntil: number;
  /** Events enqueued since the last claim (this process): a full batch wakes sleeping workers. */
  pending: number;
  /** Consecutive transient failures (5xx, timeouts, network) of this destination; reset by any answer from Meta. */
  failStreak: number;
  sleepers: Set<() => void>;
  /** For the status page: the oldest enqueue time among the last claimed batch, and when it was claimed. */
  lastClaim?: { at: number; oldestEnqueuedAt: number };
}

export function newDestState(dest: ResolvedDestination): DestState {
  return { dest, lastAcceptedAt: 0, refusedAlone: new Map(), nextProbeAt: 0, probing: false, throttledUntil: 0, pending: 0, failStreak: 0, sleepers: new Set() };
}

/** Entries remembered as refused alone (see #refusedAlone); the oldest is forgotten beyond this. */
const MAX_REFUSED_ALONE = 10_000;

/** Consecutive transient failures after which the destination as a whole backs off. */
const BREAKER_THRESHOLD = 3;

/**
 * Sends one batch to Graph and acts on Meta's answer (classify.ts): ack, retry later with backoff, pause the
 * destination on a request-level refusal, or find and dead-letter the events Meta refused (isolation, and the
 * split test for a refusal that names no event). The Dispatcher claims the batches and calls `deliver`.
 */
export class BatchDelivery {
  readonly #d: DeliveryDeps;
  readonly #now: () => number;
  /** Wakes the destination's sleeping worker loops (a pause ended). */
  readonly #wake: (st: DestState) => void;

  constructor(deps: DeliveryDeps, wake: (st: DestState) => void) {
    this.#d = deps;
    this.#now = deps.now ?? Date.now;
    this.#wake = wake;
  }

  /**
   * Sends one batch and acts on Meta's answer; returns what the answer was. `unnamed` says what an
   * "invalid parameter" naming no event means here: unknown yet (`test`), or, inside an isolation that has
   * shown the refusal to be about events, a rejection (`reject`).
   */
  async deliver(st: DestState, entries: OutboxEntry[], unnamed: UnnamedRefusal = 'test'): Promise<ClassificationKind | undefined> {
    if (entries.length === 0) return undefined;
    return this.#act(st, entries, await this.#send(st, entries), unnamed);
  }

  async #send(st: DestState, entries: OutboxEntry[]): Promise<Classification> {
    const { client, metrics } = this.#d;
    const destination = st.dest.id;
    const res = await client.send(st.dest, entries);
    const c = classify(res);
    metrics.graphRequests.inc({ destination, outcome: c.kind });
    metrics.graphLatency.observe({ destination, outcome: c.kind }, res.latencyMs / 1000);
    if (c.kind !== 'retry') st.failStreak = 0;
    return c;
  }

  async #act(st: DestState, entries: OutboxEntry[], c: Classification, unnamed: UnnamedRefusal): Promise<ClassificationKind> {
    const { outbox, metrics, logger, sentLog } = this.#d;
    const destination = st.dest.id;
    switch (c.kind) {
      case 'ok': {
        await outbox.ack(destination, entries.map((e) => e.id));
        st.lastAcceptedAt = this.#now();
        metrics.sent.inc({ destination }, entries.length);
        if (sentLog) for (const e of entries) sentLog.update(head(e).event_id, destination, 'sent');
        if (st.pause) {
          delete st.pause;
          metrics.paused.set({ destination }, 0);
          logger.info({ destination }, 'destination resumed: Meta accepted a batch');
          this.#wake(st);
        }
        return c.kind;
      }
      case 'retry':
      case 'throttled':
        await this.#retryLater(st, entries, c.kind, c.error, c.retryAfterMs);
        return c.kind;
      case 'pause': {
        if (isUnnamedInvalidParameter(c)) {
          if (unnamed === 'reject') {
            await this.#isolate(st, entries, c.error, 'reject');
            return 'reject';
          }
          if (entries.length > 1) return this.#oneSplitTestAtATime(st, entries, c);
          return this.#refusedAlone(st, entries[0]!, c);
        }
        this.#pause(st, c);
        return c.kind;
      }
      case 'split': {
        if (entries.length === 1) {
          await this.deadLetter(st, [{ entry: entries[0]!, error: { reason: 'meta_rejected', ...errorFields(c.error) } }]);
          return c.kind;
        }
        const mid = Math.ceil(entries.length / 2);
        const first = await this.deliver(st, entries.slice(0, mid), unnamed);
        if (takesRequests(first)) await this.deliver(st, entries.slice(mid), unnamed);
        return c.kind;
      }
      case 'reject':
        await this.#isolate(st, entries, c.error, unnamed);
        return c.kind;
    }
  }

  /**
   * One event refused with code 100 naming no event: nothing in the request to compare it with. It is
   * dead-lettered when it is refused alone a second time after Meta accepted another batch in between
   * (what shows the refusal is about this event, not the request); until then it is retried with backoff
   * (with others, the split test decides). One event's refusal never pauses the destination.
   */
  async #refusedAlone(st: DestState, entry: OutboxEntry, c: Extract<Classification, { kind: 'pause' }>): Promise<ClassificationKind> {
    const refusedAt = st.refusedAlone.get(entry.id);
    if (refusedAt !== undefined && st.lastAcceptedAt > refusedAt) {
      st.refusedAlone.delete(entry.id);
      await this.deadLetter(st, [{ entry, error: { reason: 'meta_rejected', ...errorFields(c.error) } }]);
      return 'reject';
    }
    st.refusedAlone.delete(entry.id);
    st.refusedAlone.set(entry.id, this.#now());
    if (st.refusedAlone.size > MAX_REFUSED_ALONE) st.refusedAlone.delete(st.refusedAlone.keys().next().value!);
    await this.#retryLater(st, [entry], 'unnamed_refusal', c.error);
    return 'retry';
  }

  /**
   * Schedules `entries` again after a backoff. A throttle (or a Retry-After) holds the whole destination;
   * transient failures count toward the breaker; an unnamed refusal (an answer from Meta) does neither.
   */
  async #retryLater(st: DestState, entries: OutboxEntry[], kind: 'retry' | 'throttled' | 'unnamed_refusal', error: GraphErrorInfo, retryAfterMs?: number): Promise<void> {
    const { outbox, metrics, logger } = this.#d;
    const s = this.#d.settings;
    const destination = st.dest.id;
    const attempt = Math.max(...entries.map((e) => e.attempts));
    const delay = backoffMs({
      attempt, baseMs: s.backoffBaseMs, maxMs: s.backoffMaxMs,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      ...(this.#d.random ? { random: this.#d.random } : {}),
    });
    const until = this.#now() + delay;
    if (kind === 'throttled' || retryAfterMs !== undefined) st.throttledUntil = Math.max(st.throttledUntil, until);
    else if (kind === 'retry' && ++st.failStreak >= BREAKER_THRESHOLD) this.#openBreaker(st);
    await outbox.retryLater(destination, entries.map((e) => e.id), until);
    metrics.retried.inc({ destination, kind }, entries.length);
    logger.warn({ destination, events: entries.length, kind, delayMs: delay, error: summary(error) }, 'graph request failed, will retry');
  }

  /** Keeps the events: no attempt is counted; the lease expires and the probe or later claims get them. */
  #pause(st: DestState, c: Extract<Classification, { kind: 'pause' }>): void {
    const { metrics, logger } = this.#d;
    const destination = st.dest.id;
    const e = c.error;
    const pause: DestinationPause = {
      destination, cause: c.cause, since: this.#now(), httpStatus: e.httpStatus,
      ...(e.code !== undefined ? { code: e.code } : {}),
      ...(e.errorSubcode !== undefined ? { errorSubcode: e.errorSubcode } : {}),
      message: withoutSecrets(st.dest, (e.errorUserMsg ?? e.message ?? `HTTP ${e.httpStatus} without a Graph error body`).slice(0, 500)),
    };
    if (!st.pause || st.pause.code !== pause.code || st.pause.cause !== pause.cause) {
      logger.error({ destination, cause: c.cause, message: pause.message, error: summary(e) }, `destination paused (${c.cause}): Meta refused the request, not an event; events are kept until a probe batch succeeds`);
    }
    if (st.pause) pause.since = st.pause.since;
    st.pause = pause;
    metrics.paused.set({ destination }, 1);
    st.nextProbeAt = this.#now() + this.#d.settings.authProbeIntervalMs;
  }

  /**
   * Workers that meet the same refusal wait for the split test running: if it paused the destination, their
   * batch stays leased (the gate is closed; no request is spent); else they run their own.
   */
  async #oneSplitTestAtATime(st: DestState, entries: OutboxEntry[], c: Extract<Classification, { kind: 'pause' }>): Promise<ClassificationKind> {
    while (st.splitTest) await st.splitTest;
    if (st.pause) return 'pause';
    let done!: () => void;
    st.splitTest = new Promise((resolve) => (done = resolve));
    try {
      return await this.#splitTest(st, entries, c);
    } finally {
      st.splitTest = undefined;
      done();
    }
  }

  /**
   * Meta refused the batch as an "invalid parameter" (code 100) naming no event and no known event subcode:
   * about the request (a parameter sent wrong, a fault on Meta's side) or about events Meta did not name?
   * Searched for one part Meta accepts: each half is sent once; if both are refused the search goes on in
   * the first half, down to single events. One part accepted shows the refusal is about events: every part
   * known refused is isolated, and nothing accepted is sent twice. Every part refused, down to two single
   * events: about the request, so the destination pauses with every event kept. That costs at most
   * 2·log2(n) requests more than a plain pause, and spares a destination stalled on events Meta refuses.
   */
  async #splitTest(st: DestState, entries: OutboxEntry[], c: Extract<Classification, { kind: 'pause' }>): Promise<ClassificationKind> {
    /** Disjoint parts, each refused as a whole, together holding every entry not yet accepted. */
    const refused: OutboxEntry[][] = [];
    let part = entries;
    while (part.length > 1) {
      // Paused meanwhile for another cause (a worker met a bad token): the rest stays leased.
      if (st.pause) return 'pause';
      const mid = Math.ceil(part.length / 2);
      const halves = [part.slice(0, mid), part.slice(mid)] as const;
      for (let i = 0; i < 2; i++) {
        const half = halves[i]!;
        const answer = await this.#send(st, half);
        if (answer.kind === 'ok') {
          await this.#act(st, half, answer, 'test');
          const other = halves[1 - i]!;
          // The first half went through without the second being sent: it is not known refused on its own.
          if (i === 0) await this.#isolateRest(st, other, c.error);
          else refused.push(other);
          for (const r of refused) {
            if (st.pause || st.throttledUntil > this.#now()) break;
            await this.#isolate(st, r, withoutIndex(c.error), 'reject');
          }
          return 'reject';
        }
        if (!isUnnamedInvalidParameter(answer)) {
          // Anything but the same refusal: act on it; the parts not sent stay leased and are claimed again.
          const kind = await this.#act(st, half, answer, 'test');
          if (i === 0 && takesRequests(kind)) await this.deliver(st, halves[1]);
          return kind;
        }
      }
      refused.push(halves[1]);
      part = halves[0];
    }
    this.#pause(st, c);
    return 'pause';
  }

  /**
   * Meta refused `entries` as a whole because of at least one of its events (Meta rejects batches, not
   * events). When the error names the event (`eventIndex`), only that one is dead-lettered and the rest is
   * resent: k bad events cost k + 1 requests. Otherwise the batch is halved; when the first half goes
   * through, the second is known to hold the bad event(s) and is split again without being resent whole
   * (1,000 events with 20 bad: 207 requests instead of 263).
   */
  async #isolate(st: DestState, entries: OutboxEntry[], error: GraphErrorInfo, unnamed: UnnamedRefusal): Promise<void> {
    const index = error.eventIndex;
    if (entries.length === 1 || (index !== undefined && index < entries.length)) {
      const at = entries.length === 1 ? 0 : index!;
      await this.deadLetter(st, [{ entry: entries[at]!, error: { reason: 'meta_rejected', ...errorFields(error) } }]);
      if (entries.length > 1) await this.deliver(st, [...entries.slice(0, at), ...entries.slice(at + 1)], unnamed);
      return;
    }
    const mid = Math.ceil(entries.length / 2);
    const right = entries.slice(mid);
    const first = await this.deliver(st, entries.slice(0, mid), unnamed);
    // The first half went through: every bad event is in the second, so it is split without being sent whole.
    if (first === 'ok') await (unnamed === 'reject' ? this.#isolateRest(st, right, error) : this.#isolate(st, right, withoutIndex(error), unnamed));
    else if (takesRequests(first)) await this.deliver(st, right, unnamed);
  }

  /**
   * The part of a refused batch left once the rest went through, when Meta's refusal named no event: a
   * single event is sent alone before it is dead-lettered, so a refusal that was about the request after
   * all (a fault ending between two requests) never costs an event.
   */
  async #isolateRest(st: DestState, rest: OutboxEntry[], error: GraphErrorInfo): Promise<void> {
    if (rest.length === 1) await this.deliver(st, rest, 'reject');
    else await this.#isolate(st, rest, withoutIndex(error), 'reject');
  }

  /**
   * Meta (or the way to it) keeps failing: the whole destination waits a backoff that grows with the streak,
   * instead of every worker loop trying fresh batches (spending their attempts) into an outage. Each wait
   * ends with at most `concurrency` requests; any answer from Meta resets the streak.
   */
  #openBreaker(st: DestState): void {
    const s = this.#d.settings;
    const wait = backoffMs({
      attempt: st.failStreak - BREAKER_THRESHOLD, baseMs: s.backoffBaseMs, maxMs: s.backoffMaxMs,
      ...(this.#d.random ? { random: this.#d.random } : {}),
    });
    const until = this.#now() + wait;
    if (until <= st.throttledUntil) return;
    st.throttledUntil = until;
    if (st.failStreak === BREAKER_THRESHOLD) {
      this.#d.logger.warn({ destination: st.dest.id, consecutiveFailures: st.failStreak, waitMs: wait }, 'destination backing off: Graph requests keep failing (5xx, timeouts or network)');
    }
  }

  async deadLetter(st: DestState, items: Array<{ entry: OutboxEntry; error: DeadLetterError }>): Promise<void> {
    if (items.length === 0) return;
    const destination = st.dest.id;
    const outcome = await this.#d.outbox.deadLetter(destination, items.map((i) => ({ id: i.entry.id, error: i.error })));
    if (outcome && outcome.evicted > 0) {
      this.#d.metrics.deadLettersEvicted.inc(outcome.evicted);
      this.#d.logger.warn({ destination, evicted: outcome.evicted }, 'oldest dead letters evicted: the dead-letter store is at DEAD_LETTER_MAX_COUNT / DEAD_LETTER_MAX_BYTES');
    }
    for (const i of items) {
      this.#d.metrics.deadLettered.inc({ destination, reason: i.error.reason });
      this.#d.sentLog?.update(head(i.entry).event_id, destination, 'dead_lettered', i.error.reason);
    }
    const first = items[0]!;
    this.#d.logger.warn({ destination, events: items.length, reason: first.error.reason, example: { event_id: head(first.entry).event_id, ...first.error } }, 'events dead-lettered');
  }
}

/** The fields delivery reads, without parsing the stored event when the outbox already has them. */
export function head(e: OutboxEntry): EventHead {
  return e.head ?? e.event;
}

/** /readyz and /v1/sent show the pause message: Graph never echoes the token, and this makes sure of it. */
function withoutSecrets(dest: ResolvedDestination, text: string): string {
  let out = text;
  for (const secret of [dest.accessToken.reveal(), dest.appSecret?.reveal()]) {
    if (secret !== undefined && secret !== '') out = out.split(secret).join('[redacted]');
  }
  return out;
}

/** What an "invalid parameter" naming no event means where it is answered (see #deliver). */
type UnnamedRefusal = 'test' | 'reject';

/** Code 100 without a known event subcode and without `$['data'][N]`: classify() pauses on it. */
function isUnnamedInvalidParameter(c: Classification): boolean {
  return c.kind === 'pause' && c.cause === 'unrecognised' && c.error.code === 100;
}

function withoutIndex(e: GraphErrorInfo): GraphErrorInfo {
  const { eventIndex: _stale, ...rest } = e;
  return rest;
}

/** The error as stored with a dead letter (the event index only meant something in its request). */
function errorFields(e: GraphErrorInfo): Omit<DeadLetterError, 'reason'> {
  const { eventIndex: _index, ...rest } = e;
  return rest;
}

function summary(e: GraphErrorInfo): Record<string, unknown> {
  return { httpStatus: e.httpStatus, code: e.code, errorSubcode: e.errorSubcode, message: e.message, errorUserTitle: e.errorUserTitle, fbtraceId: e.fbtraceId };
}

/**
 * Whether the rest of a split batch may be sent after the first part's answer: not after a pause, a throttle
 * or a transient failure — the destination's gate (probe, throttle, breaker) decides when Meta is asked
 * again; the rest stays leased and is claimed again when its lease expires.
 */
function takesRequests(kind: ClassificationKind | undefined): boolean {
  return kind !== 'pause' && kind !== 'throttled' && kind !== 'retry';
}
