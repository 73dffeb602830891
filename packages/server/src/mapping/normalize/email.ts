/**
 * Loose but structural (the checks Meta's parameter builder makes): one @, dot-separated atoms on both sides
 * (no leading, trailing or doubled dots), a dot in the domain, no spaces or `()<>[],;:"\`.
 * Meta itself only asks for trim + lowercase.
 */
const ATOM = '[^\\s@.()<>\\[\\],;:"\\\\]+';
const EMAIL_RE = new RegExp(`^${ATOM}(?:\\.${ATOM})*@${ATOM}(?:\\.${ATOM})+$`);

/** Meta: trim leading and trailing spaces, lowercase. */
export function normalizeEmail(raw: string): string | undefined {
  const s = raw.trim().toLowerCase();
  return EMAIL_RE.test(s) ? s : undefined;
}
