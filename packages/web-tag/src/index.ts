/** ESM entry for bundlers. Sites that embed `<script src=…/tag.js>` get dist/tag.js (which runs `install`). */
export { createTag, MAX_HELD } from './create-tag.js';
export type { Tag } from './create-tag.js';
export { install } from './install.js';
export { FBEVENTS_URL, defaultConfig } from './config.js';
export { cookieTarget, fbCookies, readCookie } from './cookies.js';
export { merge } from './payload.js';
export { send, RETRIES } from './transport.js';
export { generateEventId } from './ids.js';
export type { TagConfig, RawConfig, TriggerCallback, Win } from './types.js';
