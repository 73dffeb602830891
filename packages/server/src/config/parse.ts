import { redactUrl, redactUrlsInText } from '../redact-url.js';
import { parseOutboxUrl } from '../outbox/url.js';

/** A bad configuration value. `field` names it as the user wrote it (env name or file path). */
export class ConfigError extends Error {
  constructor(readonly field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'ConfigError';
  }
}

/** Reads one raw value (a string from the environment, any JSON value from the file); throws naming `field`. */
export type Parse<T> = (field: string, raw: unknown) => T;

export const show = (v: unknown): string => JSON.stringify(v) ?? String(v);

export const int = (min: number, max: number): Parse<number> => (field, raw) => {
  const n = typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw) : raw;
  if (typeof n !== 'number' || !Number.isInteger(n)) throw new ConfigError(field, `expected an integer, got ${show(raw)}`);
  if (n < min || n > max) throw new ConfigError(field, `expected ${min}..${max}, got ${n}`);
  return n;
};

export const bool: Parse<boolean> = (field, raw) => {
  if (typeof raw === 'boolean') return raw;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(field, `expected true or false, got ${show(raw)}`);
};

export const str: Parse<string> = (field, raw) => {
  if (typeof raw !== 'string' || raw.trim() === '') throw new ConfigError(field, `expected a non-empty string, got ${show(raw)}`);
  return raw.trim();
};

export const list: Parse<string[]> = (field, raw) => {
  if (typeof raw === 'string') return raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (Array.isArray(raw) && raw.every((s) => typeof s === 'string')) return raw.map((s: string) => s.trim()).filter(Boolean);
  throw new ConfigError(field, `expected a comma-separated string or an array of strings, got ${show(raw)}`);
};

export const oneOf = <T extends string>(values: readonly T[]): Parse<T> => (field, raw) => {
  const v = typeof raw === 'string' ? raw.trim() : raw;
  if (!(values as readonly unknown[]).includes(v)) throw new ConfigError(field, `expected one of ${values.join(', ')}, got ${show(raw)}`);
  return v as T;
};

/** Keys (API or status keys): a list, each at least 16 characters. */
export const keys = (what: string): Parse<string[]> => (field, raw) => {
  const out = list(field, raw);
  for (const key of out) if (key.length < 16) throw new ConfigError(field, `every ${what} must be at least 16 characters`);
  return out;
};

export const apiVersion: Parse<string> = (field, raw) => {
  const v = str(field, raw);
  if (!/^v\d{1,3}\.\d$/.test(v)) throw new ConfigError(field, `expected vNN.N, got ${show(raw)}`);
  return v;
};

export const url: Parse<string> = (field, raw) => {
  const v = str(field, raw);
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new ConfigError(field, `expected an http(s) URL, got ${show(redactUrlsInText(v))}`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new ConfigError(field, `expected an http(s) URL, got ${show(redactUrl(v))}`);
  return v.replace(/\/+$/, '');
};

export const origins: Parse<string[]> = (field, raw) => list(field, raw).map((o) => {
  if (o === '*') return o;
  const m = /^(https?):\/\/(\*\.)?([a-z0-9.-]+|\[[0-9a-f:]+\])(:\d{1,5})?\/?$/i.exec(o);
  if (!m) throw new ConfigError(field, `expected origins like https://shop.example.com or https://*.example.com, got ${show(o)}`);
  return o.toLowerCase().replace(/\/$/, '');
});

export const outboxUrl: Parse<string> = (field, raw) => {
  const v = str(field, raw);
  const target = parseOutboxUrl(v);
  if (target.kind === 'invalid') throw new ConfigError(field, target.problem);
  return v;
};

export const trustProxy: Parse<boolean | number | string> = (field, raw) => {
  if (typeof raw === 'boolean' || typeof raw === 'number') return raw;
  if (typeof raw !== 'string') throw new ConfigError(field, `expected true, false, a hop count or a list of addresses, got ${show(raw)}`);
  if (raw === 'true' || raw === 'false') return raw === 'true';
  if (/^\d+$/.test(raw)) return Number(raw);
  return raw; // express accepts 'loopback', 'uniquelocal', CIDRs, comma lists
};
