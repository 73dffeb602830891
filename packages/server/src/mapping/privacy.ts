import type { CapiServerEvent } from './types.js';
import { describe, own } from './util.js';

type Privacy = Pick<CapiServerEvent, 'opt_out' | 'data_processing_options' | 'data_processing_options_country' | 'data_processing_options_state'>;

const DIGITS_1_6 = /^\d{1,6}$/;

function nonNegativeInt(fb: unknown, k: 'data_processing_options_country' | 'data_processing_options_state', out: Privacy, warnings: string[]): void {
  const v = own(fb, k);
  if (v === undefined || v === null) return;
  const n = typeof v === 'string' && DIGITS_1_6.test(v.trim()) ? Number(v) : v;
  if (typeof n === 'number' && Number.isInteger(n) && n >= 0) out[k] = n;
  else warnings.push(`integrations.facebook.${k}: not a non-negative integer (${describe(v)}), ignored`);
}

/**
 * opt_out and Limited Data Use (data_processing_options + _country / _state) from integrations.facebook.*
 * (`fb`), written onto `out` (the event) in that order.
 */
export function applyPrivacy(fb: unknown, out: Privacy, warnings: string[]): void {
  if (typeof fb !== 'object' || fb === null) return;

  const optOut = own(fb, 'opt_out');
  if (typeof optOut === 'boolean') out.opt_out = optOut;
  else if (optOut !== undefined && optOut !== null) warnings.push(`integrations.facebook.opt_out: not a boolean (${describe(optOut)}), ignored`);

  const dpo = own(fb, 'data_processing_options');
  if (dpo !== undefined && dpo !== null) {
    const list = typeof dpo === 'string' ? (dpo === '' ? [] : [dpo]) : dpo;
    if (Array.isArray(list) && list.length <= 8 && list.every((x) => typeof x === 'string' && x.length <= 32)) {
      out.data_processing_options = list as string[];
    } else warnings.push('integrations.facebook.data_processing_options: not an array of strings, ignored');
  }
  nonNegativeInt(fb, 'data_processing_options_country', out, warnings);
  nonNegativeInt(fb, 'data_processing_options_state', out, warnings);
}

