import type { EnvInput } from './env.js';
import { ConfigError, show } from './parse.js';
import type { ResolvedConfig, ResolvedDestination } from './schema.js';
import { Secret } from './secret.js';
import { DESTINATION_SETTINGS, GROUPS, SETTINGS, type ConfigFile, type ConfigFileDestination, type Setting } from './settings.js';

export { ConfigError } from './parse.js';

export interface ResolveInput {
  env?: EnvInput;
  file?: ConfigFile;
  /** The dead-letters CLI only needs the outbox. */
  requireDestinations?: boolean;
}

type Values<T> = { [K in keyof T]: T[K] extends Setting<infer V> ? V : never };
type Raw = Readonly<Record<string, unknown>>;

/**
 * Every setting of `table`: the environment variable, else `prefix<key>` from `file`, else the default. Errors
 * name the variable or the file path; a file key not in the table is an unknown setting.
 */
function readTable<T extends Record<string, Setting<unknown>>>(table: T, prefix: string, file: unknown, env: EnvInput): Values<T> {
  if (file !== undefined && (typeof file !== 'object' || file === null || Array.isArray(file))) {
    throw new ConfigError(prefix.replace(/\.$/, ''), `expected an object, got ${show(file)}`);
  }
  const f = (file ?? {}) as Raw;
  for (const k of Object.keys(f)) if (!Object.hasOwn(table, k)) throw new ConfigError(`${prefix}${k}`, 'unknown setting');
  const out: Record<string, unknown> = {};
  for (const [key, s] of Object.entries(table)) {
    const fromEnv = s.env === undefined ? undefined : env[s.env];
    if (fromEnv !== undefined) out[key] = (s.parseEnv ?? s.parse)(s.env!, fromEnv);
    else if (f[key] !== undefined) out[key] = s.parse(`${prefix}${key}`, f[key]);
    else out[key] = s.default;
  }
  return out as Values<T>;
}

const TOP_KEYS = new Set([...Object.keys(SETTINGS), ...Object.keys(GROUPS), 'destinations']);

function destination(d: Values<typeof DESTINATION_SETTINGS>, fallbackVersion: string, path: string): ResolvedDestination {
  if (d.pixelId === undefined) throw new ConfigError(`${path}pixelId`, `expected a non-empty string, got undefined`);
  if (d.accessToken === undefined) throw new ConfigError(`${path}accessToken`, `expected a non-empty string, got undefined`);
  const out: ResolvedDestination = {
    id: d.id ?? d.pixelId,
    pixelId: d.pixelId,
    accessToken: new Secret(d.accessToken),
    matchPolicy: d.matchPolicy,
    contentType: d.contentType,
    defaultActionSource: d.defaultActionSource,
    sendAllProperties: d.sendAllProperties,
    apiVersion: d.apiVersion ?? fallbackVersion,
  };
  if (d.consentCategory !== undefined) out.consentCategory = d.consentCategory;
  if (d.defaultPhoneCountry !== undefined) out.defaultPhoneCountry = d.defaultPhoneCountry;
  if (d.testEventCode !== undefined) out.testEventCode = d.testEventCode;
  if (d.appSecret !== undefined) out.appSecret = new Secret(d.appSecret);
  return out;
}

function destinations(file: ConfigFile, env: EnvInput, version: string): ResolvedDestination[] {
  if (file.destinations !== undefined) {
    if (!Array.isArray(file.destinations)) throw new ConfigError('config.destinations', 'expected an array');
    return file.destinations.map((d: ConfigFileDestination, i) => {
      const path = `config.destinations[${i}]`;
      if (typeof d !== 'object' || d === null) throw new ConfigError(path, `expected an object, got ${show(d)}`);
      // A destination in the file is read from the file only (no environment variable applies to it).
      return destination(readTable(DESTINATION_SETTINGS, `${path}.`, d, {}), version, `${path}.`);
    });
  }
  if (env.FB_PIXEL_ID === undefined && env.FB_ACCESS_TOKEN === undefined) return [];
  if (env.FB_PIXEL_ID === undefined) throw new ConfigError('FB_PIXEL_ID', 'missing (FB_ACCESS_TOKEN is set)');
  if (env.FB_ACCESS_TOKEN === undefined) throw new ConfigError('FB_ACCESS_TOKEN', 'missing (FB_PIXEL_ID is set)');
  return [destination(readTable(DESTINATION_SETTINGS, 'FB.', undefined, env), version, 'FB.')];
}

/**
 * Env + config file → a fully typed, validated config, from the settings tables (settings.ts). Precedence:
 * env over file over defaults. Destinations come from the file's `destinations`, else from FB_PIXEL_ID +
 * FB_ACCESS_TOKEN. Throws ConfigError naming the field on the first bad value.
 */
export function resolveConfig(input: ResolveInput = {}): ResolvedConfig {
  const env = input.env ?? {};
  const file = input.file ?? {};
  if (typeof file !== 'object' || file === null || Array.isArray(file)) throw new ConfigError('config', 'expected a JSON object');
  for (const k of Object.keys(file)) if (!TOP_KEYS.has(k)) throw new ConfigError(`config.${k}`, 'unknown setting');

  const scalars: Record<string, unknown> = {};
  for (const k of Object.keys(file)) if (Object.hasOwn(SETTINGS, k)) scalars[k] = (file as Raw)[k];
  const top = readTable(SETTINGS, 'config.', scalars, env);
  const dests = destinations(file, env, top.apiVersion);
  if (dests.length === 0 && input.requireDestinations !== false) {
    throw new ConfigError('FB_PIXEL_ID', 'no destination configured: set FB_PIXEL_ID and FB_ACCESS_TOKEN, or `destinations` in the config file');
  }
  const ids = new Set<string>();
  for (const d of dests) {
    if (ids.has(d.id)) throw new ConfigError('config.destinations', `duplicate destination id ${show(d.id)}`);
    ids.add(d.id);
  }

  const limits = readTable(GROUPS.limits, 'config.limits.', file.limits, env);
  const delivery = readTable(GROUPS.delivery, 'config.delivery.', file.delivery, env);
  if (delivery.backoffMaxMs < delivery.backoffBaseMs) {
    throw new ConfigError('config.delivery.backoffMaxMs', `must be ≥ backoffBaseMs (${delivery.backoffBaseMs}), got ${delivery.backoffMaxMs}`);
  }
  const rateLimit = readTable(GROUPS.rateLimit, 'config.rateLimit.', file.rateLimit, env);

  const { apiVersion: _v, outbox, apiKeys, statusKeys, ...rest } = top;
  const out: ResolvedConfig = {
    ...rest,
    destinations: dests,
    apiKeys: apiKeys.map((x) => new Secret(x)),
    outboxUrl: outbox,
    ...(statusKeys.length > 0 ? { statusKeys: statusKeys.map((x) => new Secret(x)) } : {}),
    limits,
    delivery,
    rateLimit,
  };
  // Unset optional settings are absent, not undefined.
  for (const k of Object.keys(out) as Array<keyof ResolvedConfig>) if (out[k] === undefined) delete out[k];
  return out;
}
