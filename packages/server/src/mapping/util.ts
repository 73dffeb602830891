/** Small shared helpers for the mapping core. */

export type Obj = Record<string, unknown>;

/** A plain (non-array) object: the contract's check, shared with the web tag. */
export { isObj } from '@capi-bridge/contract';

/** An object's own property, or undefined (never reads the prototype chain). */
export function own(o: unknown, key: string): unknown {
  // Arrays are objects too; reading an own named key from one is harmless.
  return typeof o === 'object' && o !== null && Object.hasOwn(o, key) ? (o as Obj)[key] : undefined;
}

/**
 * What kind of bad value a field held, for warnings and error details: its type (and a string's length),
 * never the value itself — a misplaced field often carries an e-mail or a phone number.
 */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `a string of ${v.length} characters`;
  if (typeof v === 'number') return Number.isFinite(v) ? 'a number' : String(v);
  if (typeof v === 'boolean') return 'a boolean';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/** Keys that would mutate a prototype if assigned on a plain object. */
export const isUnsafeKey = (k: string): boolean => k === '__proto__' || k === 'constructor' || k === 'prototype';
