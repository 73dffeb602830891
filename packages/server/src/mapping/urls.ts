import { describe, own, path, type Obj } from './util.js';

export const MAX_URL_LENGTH = 4096;
const HTTP_RE = /^https?:\/\/[^\s/]+/i;

function pick(input: Obj, candidates: ReadonlyArray<readonly [string, unknown]>, target: string, warnings: string[]): string | undefined {
  for (const [field, v] of candidates) {
    if (v === undefined || v === null || v === '') continue;
    if (typeof v !== 'string') {
      warnings.push(`${field}: not a string (${describe(v)}), ignored for ${target}`);
      continue;
    }
    const s = v.trim();
    if (s.length > MAX_URL_LENGTH || !HTTP_RE.test(s)) {
      warnings.push(`${field}: not an http(s) URL (${describe(v)}), ignored for ${target}`);
      continue;
    }
    return s;
  }
  void input;
  return undefined;
}

/** event_source_url from context.page.url | page.url | url. */
export function resolveEventSourceUrl(input: Obj, warnings: string[]): string | undefined {
  return pick(input, [
    ['context.page.url', path(input, 'context', 'page', 'url')],
    ['page.url', path(input, 'page', 'url')],
    ['url', own(input, 'url')],
  ], 'event_source_url', warnings);
}

/** referrer_url from context.page.referrer | page.referrer | referrer. */
export function resolveReferrerUrl(input: Obj, warnings: string[]): string | undefined {
  return pick(input, [
    ['context.page.referrer', path(input, 'context', 'page', 'referrer')],
    ['page.referrer', path(input, 'page', 'referrer')],
    ['referrer', own(input, 'referrer')],
  ], 'referrer_url', warnings);
}
