import type { ActionSource, CapiUserData, DropReason, MatchPolicy } from './types.js';

/** Commanders Act: at least one of these ("strong" keys)… */
export const STRONG_KEYS: ReadonlySet<string> = new Set(['em', 'ph', 'external_id', 'fbp', 'fbc']);
/**
 * …and at least this many more keys of any kind ("at least 3 of the other fields": the fields other than
 * the one strong key counted, so a second strong key counts as one of the three).
 */
export const MIN_OTHER_KEYS = 3;

/** Meta "baseline requirements for matching": invalid when the keys are (a subset of) one of these. */
export const META_WEAK_COMBINATIONS: ReadonlyArray<ReadonlySet<string>> = [
  new Set(['ct', 'country', 'st', 'zp', 'ge', 'client_user_agent']),
  new Set(['db', 'client_user_agent']),
  new Set(['fn', 'ge']),
  new Set(['ln', 'ge']),
];

/** The user_data keys that carry a value, in user_data order. */
export function presentMatchKeys(ud: CapiUserData): string[] {
  const keys: string[] = [];
  for (const k of Object.keys(ud)) {
    const v = ud[k];
    if (v === undefined || v === '' || (Array.isArray(v) && v.length === 0)) continue;
    keys.push(k);
  }
  return keys;
}

export type MatchCheck = { ok: true } | { ok: false; reason: DropReason; detail: string };

const OK: MatchCheck = Object.freeze({ ok: true });
const list = (keys: string[]): string => (keys.length > 0 ? keys.join(', ') : 'none');

export function checkMatchKeys(keys: string[], policy: MatchPolicy, actionSource: ActionSource): MatchCheck {
  if (policy === 'none') return OK;
  if (policy === 'commanders-act') {
    let strong = false;
    for (let i = 0; i < keys.length && !strong; i++) strong = STRONG_KEYS.has(keys[i]!);
    if (!strong || keys.length < 1 + MIN_OTHER_KEYS) {
      return {
        ok: false,
        reason: 'insufficient_match_keys',
        detail: `user_data: needs 1 of em, ph, external_id, fbp, fbc and ${MIN_OTHER_KEYS} more keys of any kind (commanders-act policy); present: ${list(keys)}`,
      };
    }
  } else {
    for (const combo of META_WEAK_COMBINATIONS) {
      if (keys.every((k) => combo.has(k))) {
        return {
          ok: false,
          reason: 'insufficient_match_keys',
          detail: `user_data: only weak keys that Meta rejects (meta-baseline policy); present: ${list(keys)}`,
        };
      }
    }
  }
  // Seed: offline conversions are only sent with personal information.
  if (actionSource === 'physical_store' && !keys.includes('em') && !keys.includes('ph')) {
    return { ok: false, reason: 'missing_personal_info', detail: `user_data: physical_store events need em or ph; present: ${list(keys)}` };
  }
  return OK;
}
