import { stripPersonalDataFromUrl } from './personal-data.js';
import { describe, own, type Obj } from './util.js';

export const MAX_URL_LENGTH = 4096;
const HTTP_RE = /^https?:\/\/[^\s/]+/i;

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
  if (s.length > MAX_URL_LENGTH || !HTTP_RE.test(s)) {
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
