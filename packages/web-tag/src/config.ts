import type { TagConfig } from './types.js';

export const FBEVENTS_URL = 'https://connect.facebook.net/en_US/fbevents.js';

/**
 * The defaults. `cact('config', …)` and `data-*` attributes (same camelCase keys: `data-pixel-id` → `pixelId`)
 * are assigned over them as given; values are interpreted where they are used (`pixelId`: the digit runs of
 * its string form, so an id, a number, an array or a comma list; `consentCategory` compared as a string;
 * `debug` truthy).
 */
export const defaultConfig = (): TagConfig => ({ fbeventsUrl: FBEVENTS_URL, contentType: 'product' });
