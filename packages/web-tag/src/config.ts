import type { TagConfig } from './types.js';

export const FBEVENTS_URL = 'https://connect.facebook.net/en_US/fbevents.js';

/**
 * The defaults. `cact('config', …)` and `data-*` attributes (same camelCase keys: `data-pixel-id` → `pixelId`)
 * are assigned over them as given; values are interpreted where they are used (`pixelId`: the digit runs of
 * its string form, so an id, a number, an array or a comma list; `consentCategory` compared as a string;
 * `debug` truthy; `autoPageViews` and `mirror` switches, see isOn).
 */
export const defaultConfig = (): TagConfig => ({ fbeventsUrl: FBEVENTS_URL, contentType: 'product', mirror: true });

/**
 * A switch's value from `cact('config')` or a `data-*` attribute: off when absent or `false`, `0`, `"false"`,
 * `"0"`, `"off"`; on otherwise (so a bare `data-auto-page-views` attribute, `""`, turns it on).
 */
export const isOn = (v: unknown): boolean => v != null && !/^(false|0|off)$/.test('' + v);
