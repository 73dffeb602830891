/**
 * Append-at-back, remove-at-front list in arrival order (what the store's FIFO eviction needs): the front is
 * dropped by moving a head index, not by shifting/splicing the array; the array is compacted once more than
 * half of it is dead, so each operation is amortised O(1).
 */
/** Shared by every empty queue and never written to (each mutation below needs length > 0 or replaces it). */
const EMPTY: never[] = [];

export class SeqQueue<T> {
  // Most queues (an event_id chain of one event and its keeper group) only ever hold one element: start with
  // the shared empty array and allocate a one-slot array on the first push, not a 17-slot backing store.
  private items: T[] = EMPTY;
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  /** Element i from the front (0 = oldest). */
  at(i: number): T | undefined {
    return this.items[this.head + i];
  }

  front(): T | undefined {
    return this.items[this.head];
  }

  back(): T | undefined {
    return this.length > 0 ? this.items[this.items.length - 1] : undefined;
  }

  push(x: T): void {
    if (this.items === EMPTY) this.items = [x];
    else this.items.push(x);
  }

  popBack(): void {
    if (this.length > 0) this.items.pop();
  }

  /** Removes the front element when it is `x` (returns whether it did). */
  shiftIf(x: T): boolean {
    if (this.length === 0 || this.items[this.head] !== x) return false;
    (this.items as Array<T | undefined>)[this.head] = undefined;
    this.head++;
    if (this.head === this.items.length) {
      this.items = EMPTY;
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return true;
  }

  /** Removes `x` wherever it is (not the expected path: FIFO eviction always removes the front). */
  remove(x: T): void {
    if (this.shiftIf(x)) return;
    const i = this.items.indexOf(x, this.head);
    if (i >= 0) this.items.splice(i, 1);
  }

  clear(): void {
    this.items = EMPTY;
    this.head = 0;
  }
}
