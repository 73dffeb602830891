import type { NormalizeContext } from './context.js';

const COMPACT = /^(\d{4})(\d{2})(\d{2})$/;
const YEAR_FIRST = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ].*)?$/;
/** Any run of separators (not letters or digits): `12 31 1990`, `1990_12_31`, `16–2–1997`, `12:31:1990`. */
const SEP = '[^\\p{L}\\p{N}]+';
const ANY_YEAR_FIRST = new RegExp(`^(\\d{4})${SEP}(\\d{1,2})${SEP}(\\d{1,2})$`, 'u');
const ANY_YEAR_LAST = new RegExp(`^(\\d{1,2})(${SEP})(\\d{1,2})${SEP}(\\d{4})$`, 'u');
/** A trailing format hint as people write it: `2/16/1997 (mm/dd/yyyy)`; it decides day/month order. */
const HINT = /^(.*?)\s*\(\s*(mm|dd)\W+(mm|dd)\W+yyyy\s*\)$/i;
const MIN_YEAR = 1900;

/** The decimal value of `n` ASCII digits at `i`, or -1 if any is not a digit. */
function digitsAt(s: string, i: number, n: number): number {
  let v = 0;
  for (let k = i; k < i + n; k++) {
    const c = s.charCodeAt(k) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

const pad = (n: number): string => (n < 10 ? `0${n}` : String(n));

function valid(y: number, m: number, d: number, ctx: NormalizeContext): string | undefined {
  if (y < MIN_YEAR || y > ctx.year || m < 1 || m > 12 || d < 1) return undefined;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const days = m === 2 ? (leap ? 29 : 28) : m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
  if (d > days) return undefined;
  return `${y}${pad(m)}${pad(d)}`;
}

/**
 * db → `YYYYMMDD` (Meta: year 1900 to now, MM 01–12, DD 01–31; "with or without punctuation").
 * Accepts YYYYMMDD, YYYY-MM-DD (also with a time part), MM/DD/YYYY (Meta's own example 2/16/1997; DD/MM
 * when the first part > 12) and DD.MM.YYYY (dots are day-first, as in Europe), with any separator
 * (`12 31 1990`, `1990_12_31`, `16–2–1997`) and an optional `(dd/mm/yyyy)`-style hint deciding the order.
 */
export function normalizeDate(raw: string, ctx: NormalizeContext): string | undefined {
  // Fast paths (no match arrays): YYYY-MM-DD and YYYYMMDD, the two forms most sites store.
  if (raw.length === 10 && raw.charCodeAt(4) === 45 && raw.charCodeAt(7) === 45) {
    const y = digitsAt(raw, 0, 4), m = digitsAt(raw, 5, 2), d = digitsAt(raw, 8, 2);
    if (y >= 0 && m >= 0 && m <= 12 && d >= 0) return valid(y, m, d, ctx);
  } else if (raw.length === 8) {
    const y = digitsAt(raw, 0, 4), m = digitsAt(raw, 4, 2), d = digitsAt(raw, 6, 2);
    if (y >= 0 && m >= 0 && d >= 0) return valid(y, m, d, ctx);
  }
  let s = raw.trim();
  let dayFirstHint: boolean | undefined;
  const hint = HINT.exec(s);
  if (hint) {
    s = hint[1]!;
    dayFirstHint = hint[2]!.toLowerCase() === 'dd';
  }
  let m = COMPACT.exec(s);
  if (m) return valid(+m[1]!, +m[2]!, +m[3]!, ctx);
  m = YEAR_FIRST.exec(s) ?? ANY_YEAR_FIRST.exec(s);
  if (m) {
    const b = +m[2]!;
    const c = +m[3]!;
    // YYYY-DD-MM only when the middle part cannot be a month.
    return b > 12 && c <= 12 ? valid(+m[1]!, c, b, ctx) : valid(+m[1]!, b, c, ctx);
  }
  m = ANY_YEAR_LAST.exec(s);
  if (m) {
    const a = +m[1]!;
    const b = +m[3]!;
    const y = +m[4]!;
    const dayFirst = dayFirstHint ?? (m[2] === '.' || (a > 12 && b <= 12));
    return dayFirst ? valid(y, b, a, ctx) : valid(y, a, b, ctx);
  }
  return undefined;
}
