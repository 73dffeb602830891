/**
 * The companion server's view of events the sandbox saw only from the browser: `GET /_sandbox/companion?event_id=`
 * asks the capi-bridge server's `GET /v1/sent` (with its API key, which stays here: the page never sees it)
 * what it did with those ids — dropped and why, queued, sent, dead-lettered — so the events page can say why a
 * browser event has no server copy.
 */
import type { Request, Response } from 'express';

export interface CompanionConfig {
  /** The capi-bridge server's base URL (where /v1/sent lives). */
  url: string;
  /** One of its API_KEYS. Never sent to the page or logged. */
  key: string;
}

/** At most this many ids per lookup (the server's own /v1/sent limit is 200). */
export const MAX_COMPANION_IDS = 200;
const TIMEOUT_MS = 5000;

export type CompanionAnswer =
  | { configured: false }
  | { configured: true; url: string; events: unknown[] }
  | { configured: true; url: string; error: string };

/** The lookup itself; `fetchImpl` injectable for tests. */
export async function askCompanion(c: CompanionConfig, ids: string[], fetchImpl: typeof fetch = fetch): Promise<CompanionAnswer> {
  const url = `${c.url.replace(/\/+$/, '')}/v1/sent?event_id=${ids.map(encodeURIComponent).join(',')}`;
  let res: globalThis.Response;
  try {
    res = await fetchImpl(url, { headers: { authorization: `Bearer ${c.key}`, accept: 'application/json' }, signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (e) {
    return { configured: true, url: c.url, error: `cannot reach ${c.url}/v1/sent: ${(e as Error).name === 'TimeoutError' ? 'timed out' : (e as Error).message}` };
  }
  if (res.status === 401 || res.status === 403) return { configured: true, url: c.url, error: `${c.url}/v1/sent refused the companion key (HTTP ${res.status})` };
  if (!res.ok) return { configured: true, url: c.url, error: `${c.url}/v1/sent answered HTTP ${res.status}` };
  const body = (await res.json().catch(() => undefined)) as { events?: unknown } | undefined;
  return { configured: true, url: c.url, events: Array.isArray(body?.events) ? body.events : [] };
}

export function companionRoute(companion: CompanionConfig | undefined) {
  return async (req: Request, res: Response): Promise<void> => {
    res.set('Cache-Control', 'no-store');
    if (!companion) {
      res.json({ configured: false } satisfies CompanionAnswer);
      return;
    }
    const raw = req.query.event_id;
    const ids = (typeof raw === 'string' ? raw : '').split(',').map((s) => s.trim()).filter(Boolean);
    if (ids.length === 0 || ids.length > MAX_COMPANION_IDS) {
      res.status(400).json({ error: `event_id: 1 to ${MAX_COMPANION_IDS} comma-separated ids` });
      return;
    }
    res.json(await askCompanion(companion, ids));
  };
}
