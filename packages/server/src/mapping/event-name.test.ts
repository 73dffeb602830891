import { META_EVENT_NAMES, isMetaStandardEvent, metaEventName } from '@capi-bridge/contract';
import { describe, expect, it } from 'vitest';
import { resolveEventName } from './event-name.js';

/** What the web tag computes for the pixel's name. */
const tagName = (n: string, o?: string) => {
  const name = metaEventName(n, o);
  return { name, standard: isMetaStandardEvent(name) };
};

describe('server event name = the shared contract resolver', () => {
  const names = [...Object.keys(META_EVENT_NAMES), 'custom_thing', 'Purchase', 'PageView', 'constructor', '__proto__', 'toString', ''];
  const overrides = [undefined, 'Lead', 'MyCustom', 'purchase'];
  it('resolveEventName reports standard exactly like the contract', () => {
    for (const n of names) {
      if (n === '') continue;
      for (const o of overrides) {
        const r = resolveEventName({ event_name: n }, o === undefined ? undefined : { event_name: o });
        const want = tagName(n, o);
        expect(r).toEqual({ ok: true, name: want.name, standard: want.standard });
      }
    }
  });

  it('padded names resolve exactly as the web tag resolves them (both trim)', () => {
    for (const [n, o] of [[' purchase ', undefined], ['\tadd_to_cart', undefined], [' my_event ', undefined], ['lead', ' Purchase ']] as const) {
      const r = resolveEventName({ event_name: n }, o === undefined ? undefined : { event_name: o });
      expect(r).toEqual({ ok: true, ...tagName(n, o) });
    }
    expect(resolveEventName({ event_name: ' purchase ' }, undefined)).toEqual({ ok: true, name: 'Purchase', standard: true });
  });
});
