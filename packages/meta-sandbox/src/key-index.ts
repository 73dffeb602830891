/** A value the store indexes by pixel + event_name (case-sensitive) + id (event_id, fbp or external_id). */
export interface Keyed {
  readonly pixelId: string;
  readonly eventName: string;
  readonly id: string;
}

const subKey = (pixelId: string, eventName: string): string => pixelId + '\u0000' + eventName;

/**
 * Map from (pixel, event_name, id) to one value, looked up by id first: an id nearly always belongs to one
 * pixel + event_name, so its entry is the value itself (checked by comparing pixel and name), and only ids
 * shared across names/pixels get a nested Map by pixel + name. This saves concatenating, flattening and
 * hashing a composite key string for every event; lookups stay O(1) whatever the data.
 */
export class KeyIndex<V extends Keyed> {
  private readonly byId = new Map<string, V | Map<string, V>>();

  get(pixelId: string, eventName: string, id: string): V | undefined {
    const e = this.byId.get(id);
    if (e === undefined) return undefined;
    if (e instanceof Map) return e.get(subKey(pixelId, eventName));
    return e.pixelId === pixelId && e.eventName === eventName ? e : undefined;
  }

  /** Adds `v`; the caller has checked that no value with its key is present. */
  add(v: V): void {
    const e = this.byId.get(v.id);
    if (e === undefined) {
      this.byId.set(v.id, v);
    } else if (e instanceof Map) {
      e.set(subKey(v.pixelId, v.eventName), v);
    } else {
      const m = new Map<string, V>();
      m.set(subKey(e.pixelId, e.eventName), e);
      m.set(subKey(v.pixelId, v.eventName), v);
      this.byId.set(v.id, m);
    }
  }

  /** Removes `v` when it is the value stored under its key. */
  delete(v: V): void {
    const e = this.byId.get(v.id);
    if (e === v) {
      this.byId.delete(v.id);
    } else if (e instanceof Map) {
      const k = subKey(v.pixelId, v.eventName);
      if (e.get(k) !== v) return;
      e.delete(k);
      if (e.size === 0) this.byId.delete(v.id);
    }
  }

  clear(): void {
    this.byId.clear();
  }
}
