import { createTag } from './create-tag.js';
import type { Tag } from './create-tag.js';
import type { Obj, Win } from './types.js';

/**
 * What dist/tag.js runs on load: reads `data-*` from its own script tag (endpoint defaulting to the
 * origin tag.js came from — the companion server serves it), replaces the `cact` stub with the real
 * function and replays the `caReady` queue in order. Later pushes to `caReady` (a captured stub) run at once.
 */
export function install(w: Win): Tag | undefined {
  try {
    const tC = (w.tC ||= {}) as Obj;
    if (tC.capiBridge) return; // loaded twice: the first copy keeps the queue
    const s = w.document.currentScript as HTMLScriptElement | null;
    const tag = (tC.capiBridge = createTag(w, tC));
    tag('config', { endpoint: s?.src && new URL(s.src).origin, ...s?.dataset });
    const q = (w.caReady ||= []) as unknown as { push: (args: Iterable<unknown>) => unknown; splice: (i: number) => Iterable<unknown>[] };
    w.cact = tag;
    q.push = (args) => tag(...args);
    for (const args of q.splice(0)) q.push(args);
    return tag as Tag;
  } catch {
    // never break the host page
  }
}
