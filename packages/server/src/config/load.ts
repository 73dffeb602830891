import { readFileSync } from 'node:fs';
import type { EnvInput } from './env.js';
import { ConfigError, resolveConfig } from './resolve.js';
import type { ResolvedConfig } from './schema.js';
import type { ConfigFile } from './settings.js';

/** Reads a JSON config file; a missing file or bad JSON is a ConfigError naming the file. */
export function readConfigFile(path: string): ConfigFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError('--config', `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  try {
    return JSON.parse(text) as ConfigFile;
  } catch (e) {
    throw new ConfigError('--config', `${path} is not valid JSON: ${(e as Error).message}`);
  }
}

/** Env + optional config file path (argument or CAPI_BRIDGE_CONFIG) → ResolvedConfig. */
export function loadConfig(env: EnvInput, configPath?: string, requireDestinations = true): ResolvedConfig {
  const path = configPath ?? env.CAPI_BRIDGE_CONFIG;
  const file = path === undefined ? {} : readConfigFile(path);
  return resolveConfig({ env, file, requireDestinations });
}
