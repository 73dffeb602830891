// Deliberately loose: one @, no spaces, a dot in the domain. Meta only asks for trim + lowercase.
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Meta: trim leading and trailing spaces, lowercase. */
export function normalizeEmail(raw: string): string | undefined {
  const s = raw.trim().toLowerCase();
  return EMAIL_RE.test(s) ? s : undefined;
}
