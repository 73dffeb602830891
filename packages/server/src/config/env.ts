import { allSettings } from './settings.js';

/**
 * The one place that reads process.env. Everything else receives an `EnvInput` (a plain record), so tests
 * pass their own and nothing deep in the code depends on the process environment.
 */
export const ENV_NAMES: readonly string[] = allSettings().flatMap(([, s]) => (s.env === undefined ? [] : [s.env]));
export type EnvInput = Partial<Record<string, string>>;

export function readEnv(env: NodeJS.ProcessEnv = process.env): EnvInput {
  const out: Record<string, string> = {};
  for (const name of ENV_NAMES) {
    const v = env[name];
    if (v !== undefined && v !== '') out[name] = v;
  }
  return out;
}
