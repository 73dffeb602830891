/** ESM entry for bundlers. Sites that embed `<script src=…/tag.js>` get dist/tag.js (which runs `install`). */
export { createTag, MAX_HELD } from './create-tag.js';
export type { Tag } from './create-tag.js';
export { install } from './install.js';
export { FBEVENTS_URL, normalizeConfig } from './config.js';
export { cookieTarget, ensureFbc, ensureFbp, readCookie, MAX_FBCLID } from './cookies.js';
export type { CookieTarget } from './cookies.js';
export { buildPayload } from './payload.js';
export { send, MAX_BODY, RETRIES } from './transport.js';
export { generateEventId } from './ids.js';
export type { TagConfig, RawConfig, TriggerCallback, Win } from './types.js';
