import { isObj, own, type Obj } from './util.js';

export type ConsentResult = { ok: true } | { ok: false; detail: string };

/**
 * Consent gate (seed: "Only events with a consent will be sent"). `consent_categories` at the root or in
 * `user`: array of strings/numbers, or a comma-separated string. No category configured → everything passes.
 */
const OK: ConsentResult = Object.freeze({ ok: true });

export function checkConsent(input: Obj, category: string | undefined): ConsentResult {
  if (category === undefined || category === '') return OK;
  let field = 'consent_categories';
  let raw = own(input, 'consent_categories');
  if (raw === undefined || raw === null) {
    const user = own(input, 'user');
    raw = isObj(user) ? own(user, 'consent_categories') : undefined;
    field = 'user.consent_categories';
  }
  if (raw === undefined || raw === null) {
    return { ok: false, detail: `consent_categories: missing (category ${category} required)` };
  }
  let list: unknown[];
  if (typeof raw === 'string') list = raw.split(',');
  else if (typeof raw === 'number') list = [raw];
  else if (Array.isArray(raw)) list = raw;
  else return { ok: false, detail: `${field}: not an array or comma-separated string` };
  for (const c of list) {
    if ((typeof c === 'string' || typeof c === 'number') && String(c).trim() === category) return OK;
  }
  return { ok: false, detail: `${field}: does not contain category ${category}` };
}
