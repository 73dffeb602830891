/** Small shared helpers for the mapping core. */

export type Obj = Record<string, unknown>;

/** A plain (non-array) object: the contract's check, shared with the web tag. */
export { isObj } from '@capi-bridge/contract';

/** An object's own property, or undefined (never reads the prototype chain). */
export function own(o: unknown, key: string): unknown {
  // Arrays are objects too; reading an own named key from one is harmless.
  return typeof o === 'object' && o !== null && Object.hasOwn(o, key) ? (o as Obj)[key] : undefined;
}

/** A short, safe rendering of a bad value for error details (never the whole value). */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return v.length > 40 ? `"${v.slice(0, 40)}…"` : JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return `a ${typeof v}`;
}

/** Keys that would mutate a prototype if assigned on a plain object. */
export const isUnsafeKey = (k: string): boolean => k === '__proto__' || k === 'constructor' || k === 'prototype';
