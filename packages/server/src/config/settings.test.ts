import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ENV_NAMES } from './env.js';
import { withSettingsTable } from './settings-doc.js';
import {
  DESTINATION_SETTINGS, GROUPS, SETTINGS, type ConfigFile, type ConfigFileDestination, type DeliverySettings, type Limits, type RateLimitSettings,
} from './settings.js';

/** Compile-time: the settings tables name exactly the config file's keys (a key added to one but not the other fails typecheck). */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const fileKeys: Same<keyof typeof SETTINGS | keyof typeof GROUPS | 'destinations', keyof ConfigFile> = true;
const destinationKeys: Same<keyof typeof DESTINATION_SETTINGS, keyof ConfigFileDestination> = true;
const groupKeys: Same<keyof typeof GROUPS.limits, keyof Limits> & Same<keyof typeof GROUPS.delivery, keyof DeliverySettings>
  & Same<keyof typeof GROUPS.rateLimit, keyof RateLimitSettings> = true;

describe('settings tables', () => {
  it('the README settings table is the one generated from the tables (run scripts/readme-settings.ts after a change)', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(readme).toBe(withSettingsTable(readme));
  });

  it('every environment variable is read once and belongs to one setting', () => {
    expect(fileKeys && destinationKeys && groupKeys).toBe(true);
    expect(new Set(ENV_NAMES).size).toBe(ENV_NAMES.length);
    for (const name of ['FB_PIXEL_ID', 'FB_API_VERSION', 'OUTBOX_THREAD', 'MAX_RETRY_AGE_HOURS', 'CAPI_BRIDGE_CONFIG', 'COLLECT_RATE_BURST']) {
      expect(ENV_NAMES).toContain(name);
    }
  });
});
