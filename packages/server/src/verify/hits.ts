/** Recognising Meta Pixel hits among a page's requests. Pure. */
import type { PixelHit } from './types.js';

/** A `/tr` or `/tr/` request on any host (facebook.com in production, the sandbox in the demo). */
export function isPixelHitUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return parsed.pathname === '/tr' || parsed.pathname === '/tr/';
}

/**
 * Reads a pixel hit from its URL and, for POST hits, its form-encoded body. Returns undefined when the
 * request is not a pixel event (no `id` or `ev`).
 */
export function parsePixelHit(url: string, postData?: string | null): PixelHit | undefined {
  if (!isPixelHitUrl(url)) return undefined;
  const params = new URL(url).searchParams;
  if (postData && !postData.trimStart().startsWith('{')) {
    for (const [k, v] of bodyParams(postData)) if (!params.has(k)) params.set(k, v);
  }
  const pixelId = params.get('id');
  const eventName = params.get('ev');
  if (!pixelId || !eventName) return undefined;
  const hit: PixelHit = { pixelId, eventName, url };
  const eid = params.get('eid');
  const fbp = params.get('fbp');
  const fbc = params.get('fbc');
  const dl = params.get('dl');
  if (eid) hit.eventId = eid;
  if (dl) hit.pageUrl = dl;
  if (fbp) hit.fbp = fbp;
  if (fbc) hit.fbc = fbc;
  return hit;
}

/** Event id of a body the web tag POSTs to `/collect` (JSON, possibly sent as text/plain). */
export function collectEventId(postData: string | null | undefined): string | undefined {
  if (!postData) return undefined;
  let body: unknown;
  try {
    body = JSON.parse(postData);
  } catch {
    return undefined;
  }
  if (!body || typeof body !== 'object') return undefined;
  const b = body as { integrations?: { facebook?: { event_id?: unknown } }; context?: { event_id?: unknown }; event_id?: unknown };
  const id = b.integrations?.facebook?.event_id ?? b.event_id ?? b.context?.event_id; // the mapping core's precedence
  return typeof id === 'string' && id ? id : undefined;
}

/** A POST hit's fields: form-urlencoded, or multipart/form-data (what a FormData beacon sends). */
function bodyParams(body: string): Array<[string, string]> {
  if (!body.startsWith('--')) return [...new URLSearchParams(body)];
  const out: Array<[string, string]> = [];
  const part = /name="([^"]+)"\r?\n(?:[^\r\n]+\r?\n)*\r?\n([\s\S]*?)\r?\n--/g;
  for (let m = part.exec(body); m; m = part.exec(body)) out.push([m[1]!, m[2]!]);
  return out;
}
