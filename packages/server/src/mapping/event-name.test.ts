import { META_EVENT_NAMES, resolveMetaEventName } from '@capi-bridge/contract';
import { describe, expect, it } from 'vitest';
import { resolveEventName } from './event-name.js';

describe('server event name = the shared contract resolver', () => {
  const names = [...Object.keys(META_EVENT_NAMES), 'custom_thing', 'Purchase', 'PageView', 'constructor', '__proto__', 'toString', ''];
  const overrides = [undefined, 'Lead', 'MyCustom', 'purchase'];
  it('resolveEventName reports standard exactly like the contract', () => {
    for (const n of names) {
      if (n === '') continue;
      for (const o of overrides) {
        const r = resolveEventName({ event_name: n }, o === undefined ? undefined : { event_name: o });
        const want = resolveMetaEventName(n, o);
        expect(r).toEqual({ ok: true, name: want.name, standard: want.standard });
      }
    }
  });
});
