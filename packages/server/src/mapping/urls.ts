import { isRegExpSpace } from './normalize/charsets.js';
import { stripPersonalDataFromUrl } from './personal-data.js';
import { describe, own, type Obj } from './util.js';

export const MAX_URL_LENGTH = 4096;

/** `/^https?:\/\/[^\s/]+/i` as one charCode check (this runs on every event). */
export function isHttpUrl(s: string): boolean {
  if (s.length < 8 || (s.charCodeAt(0) | 0x20) !== 104 || (s.charCodeAt(1) | 0x20) !== 116 || (s.charCodeAt(2) | 0x20) !== 116
    || (s.charCodeAt(3) | 0x20) !== 112) return false; // http
  const i = (s.charCodeAt(4) | 0x20) === 115 ? 5 : 4; // s
  if (s.charCodeAt(i) !== 58 || s.charCodeAt(i + 1) !== 47 || s.charCodeAt(i + 2) !== 47) return false; // ://
  const c = s.charCodeAt(i + 3); // NaN past the end
  return c === c && c !== 47 && !isRegExpSpace(c);
}

/**
 * undefined = try the next candidate; else the URL, without query parameters carrying e-mails or phones.
 * Bad values are warned about and skipped.
 */
function candidate(v: unknown, field: string, target: string, warnings: string[]): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') {
    warnings.push(`${field}: not a string (${describe(v)}), ignored for ${target}`);
    return undefined;
  }
  const s = v.trim();
  if (s.length > MAX_URL_LENGTH || !isHttpUrl(s)) {
    warnings.push(`${field}: not an http(s) URL (${describe(v)}), ignored for ${target}`);
    return undefined;
  }
  return stripPersonalDataFromUrl(s, field, warnings);
}

/**
 * event_source_url from context.page.url | page.url | url (`contextPage` = input.context.page, `page` =
 * input.page, whatever they are).
 */
export function resolveEventSourceUrl(input: Obj, contextPage: unknown, page: unknown, warnings: string[]): string | undefined {
  return candidate(own(contextPage, 'url'), 'context.page.url', 'event_source_url', warnings)
    ?? candidate(own(page, 'url'), 'page.url', 'event_source_url', warnings)
    ?? candidate(own(input, 'url'), 'url', 'event_source_url', warnings);
}

/** referrer_url from context.page.referrer | page.referrer | referrer. */
export function resolveReferrerUrl(input: Obj, contextPage: unknown, page: unknown, warnings: string[]): string | undefined {
  return candidate(own(contextPage, 'referrer'), 'context.page.referrer', 'referrer_url', warnings)
    ?? candidate(own(page, 'referrer'), 'page.referrer', 'referrer_url', warnings)
    ?? candidate(own(input, 'referrer'), 'referrer', 'referrer_url', warnings);
}
