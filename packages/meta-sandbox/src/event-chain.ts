import { SeqQueue } from './seq-queue.js';
import type { RecordedEvent } from './types.js';

/**
 * The stored (non-rejected) events of one pixel + event_name + event_id, with the dedup state kept as they
 * arrive, change and leave, so a decision never walks the chain:
 * - `keeper`: the most recent counted event (a newer event can only be counted by becoming the keeper, and
 *   eviction is oldest-first, so when the keeper leaves no counted event of the chain is left);
 * - `windowStart()`: the earliest receivedAt among the keeper and the events it absorbed by event_id, kept as a
 *   monotonic queue (members join in seq order and leave oldest-first), so the minimum is its front.
 */
export class EventIdChain {
  readonly events = new SeqQueue<RecordedEvent>();
  keeper: RecordedEvent | undefined;
  /** Keeper's group, receivedAt non-decreasing from the front; later members that arrived earlier pop it. */
  private readonly group = new SeqQueue<RecordedEvent>();

  constructor(readonly pixelId: string, readonly eventName: string, readonly id: string) {}

  windowStart(): number {
    return this.group.front()?.receivedAt ?? this.keeper?.receivedAt ?? NaN;
  }

  /** `r` joins the chain with its status decided; `demotedKeeper`: it took over the current keeper's group. */
  add(r: RecordedEvent, demotedKeeper: boolean): void {
    this.events.push(r);
    if (r.status === 'counted') {
      if (!demotedKeeper) this.group.clear();
      this.keeper = r;
      this.joinGroup(r);
    } else if (r.dedupMethod === 'event_id' && this.keeper !== undefined && r.dedupOf === this.keeper.seq) {
      this.joinGroup(r);
    }
  }

  /** `r` (the oldest stored event) leaves the store. */
  evict(r: RecordedEvent): void {
    this.events.remove(r);
    if (r === this.keeper) {
      this.keeper = undefined;
      this.group.clear();
    } else {
      this.group.shiftIf(r);
    }
  }

  private joinGroup(r: RecordedEvent): void {
    for (let b = this.group.back(); b !== undefined && b.receivedAt > r.receivedAt; b = this.group.back()) this.group.popBack();
    this.group.push(r);
  }
}
