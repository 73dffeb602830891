import type { EnqueueItem, EnqueueResult, Outbox } from '../../src/outbox/types.js';

/**
 * An outbox that stores nothing: every enqueue succeeds, nothing is ever claimed. For tests of what reaches
 * the outbox (override `enqueue` to record it) or of the HTTP side alone.
 */
export class NullOutbox implements Outbox {
  async enqueue(_items: readonly EnqueueItem[]): Promise<EnqueueResult> {
    return { ok: true };
  }
  async claim() { return []; }
  async ack() {}
  async retryLater() {}
  async deadLetter() {}
  async depth() { return 0; }
  async listDeadLetters() { return []; }
  async replayDeadLetters() { return 0; }
  async close() {}
}
