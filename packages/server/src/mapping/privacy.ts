import type { CapiServerEvent } from './types.js';
import { describe, path, type Obj } from './util.js';

type Privacy = Pick<CapiServerEvent, 'opt_out' | 'data_processing_options' | 'data_processing_options_country' | 'data_processing_options_state'>;

/** opt_out and Limited Data Use (data_processing_options + _country / _state) from integrations.facebook.*. */
export function resolvePrivacy(input: Obj, warnings: string[]): Privacy {
  const out: Privacy = {};
  const fb = path(input, 'integrations', 'facebook');
  const get = (k: string): unknown => path(fb, k);

  const optOut = get('opt_out');
  if (typeof optOut === 'boolean') out.opt_out = optOut;
  else if (optOut !== undefined && optOut !== null) warnings.push(`integrations.facebook.opt_out: not a boolean (${describe(optOut)}), ignored`);

  const dpo = get('data_processing_options');
  if (dpo !== undefined && dpo !== null) {
    const list = typeof dpo === 'string' ? (dpo === '' ? [] : [dpo]) : dpo;
    if (Array.isArray(list) && list.length <= 8 && list.every((x) => typeof x === 'string' && x.length <= 32)) {
      out.data_processing_options = list as string[];
    } else warnings.push('integrations.facebook.data_processing_options: not an array of strings, ignored');
  }
  for (const k of ['data_processing_options_country', 'data_processing_options_state'] as const) {
    const v = get(k);
    if (v === undefined || v === null) continue;
    const n = typeof v === 'string' && /^\d{1,6}$/.test(v.trim()) ? Number(v) : v;
    if (typeof n === 'number' && Number.isInteger(n) && n >= 0) out[k] = n;
    else warnings.push(`integrations.facebook.${k}: not a non-negative integer (${describe(v)}), ignored`);
  }
  return out;
}
