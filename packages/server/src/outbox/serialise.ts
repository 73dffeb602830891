import type { EnqueueItem, EnqueueResult } from './types.js';

/**
 * Every item's stored JSON, or the failure of this call alone. Runs before the call joins a group commit:
 * an event that cannot be serialised (cyclic, too deep for the stack) fails only its own request.
 */
export function serialiseItems(items: readonly EnqueueItem[]): string[] | EnqueueResult {
  const json = new Array<string>(items.length);
  let i = 0;
  try {
    for (; i < items.length; i++) {
      const it = items[i]!;
      json[i] = it.json ?? JSON.stringify(it.event);
    }
  } catch (e) {
    const why = e instanceof RangeError ? 'nested too deeply' : 'not serialisable';
    return { ok: false, reason: 'invalid_event', detail: `item ${i} (destination ${items[i]!.destinationId}): event ${why}` };
  }
  return json;
}
