const WS = /\s+/g;
const HAS_WS = /\s/;

/**
 * external_id. Meta: any advertiser id, sent in the same format everywhere; hashing is recommended.
 * Trimmed, whitespace removed and lower-cased (as Meta's parameter builder does) before SHA-256.
 */
export function normalizeExternalId(raw: string): string | undefined {
  const s = (HAS_WS.test(raw) ? raw.replace(WS, '') : raw).toLowerCase();
  return s === '' ? undefined : s;
}
