import { createTag } from './create-tag.js';
import type { Tag } from './create-tag.js';
import type { Obj, Win } from './types.js';

/**
 * What dist/tag.js runs on load: reads `data-*` from its own script tag (endpoint defaulting to the
 * origin tag.js came from — the companion server serves it), replaces the `cact` stub with the real
 * function and replays the `caReady` queue in order. Later pushes to `caReady` (a captured stub) still run.
 */
export function install(w: Win): Tag | undefined {
  try {
    const tC = (w.tC ||= {}) as Obj;
    if (tC.capiBridge) return; // loaded twice: the first copy keeps the queue
    const doc = w.document;
    const s = (doc.currentScript || doc.querySelector('script[data-pixel-id]')) as HTMLScriptElement | null;
    const tag = createTag(w, tC);
    tC.capiBridge = tag;
    tag.cact('config', { endpoint: s?.src && new URL(s.src, w.location.href).origin, ...s?.dataset });
    const q = (w.caReady ||= []) as unknown as ArrayLike<unknown>[] & { push: unknown };
    w.cact = tag.cact;
    for (const args of Array.from(q)) tag.cact(...Array.from(args));
    q.length = 0;
    q.push = (args: ArrayLike<unknown>) => (tag.cact(...Array.from(args)), 0);
    return tag;
  } catch {
    // never break the host page
  }
}
