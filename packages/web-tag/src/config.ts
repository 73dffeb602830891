import type { RawConfig, TagConfig } from './types.js';

export const FBEVENTS_URL = 'https://connect.facebook.net/en_US/fbevents.js';

export const defaultConfig = (): TagConfig => ({
  pixelId: [],
  fbeventsUrl: FBEVENTS_URL,
  contentType: 'product',
  debug: false,
});

/**
 * Normalises `cact('config', …)` options and `data-*` attributes (same camelCase keys: `data-pixel-id`
 * → `pixelId`). `pixelId` takes an id, an array or a comma list; `advancedMatching` an object or JSON;
 * `debug` true / "" / "true" / "1"; `contentType` "null" → null. Unknown keys are kept and ignored.
 */
export function normalizeConfig(raw: RawConfig): Partial<TagConfig> {
  const c: RawConfig = { ...raw };
  const am = c.advancedMatching;
  if ('pixelId' in c) c.pixelId = String(c.pixelId).match(/[^\s,]+/g) || [];
  if (typeof am == 'string') {
    try {
      c.advancedMatching = JSON.parse(am);
    } catch {
      delete c.advancedMatching; // bad JSON: ignore this key only
    }
  }
  if ('debug' in c) c.debug = /^(|true|1)$/.test(String(c.debug));
  if (c.contentType == 'null') c.contentType = null;
  if (c.consentCategory != null) c.consentCategory = String(c.consentCategory) || undefined;
  return c as Partial<TagConfig>;
}
