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
    const doc = w.document;
    const s = (doc.currentScript || doc.querySelector('script[data-pixel-id]')) as HTMLScriptElement | null;
    const tag = (tC.capiBridge = createTag(w, tC));
    const run = (args: Iterable<unknown>) => tag.cact(...args);
    run(['config', { endpoint: s?.src && new URL(s.src, w.location.href).origin, ...s?.dataset }]);
    const q = (w.caReady ||= []) as unknown as Iterable<unknown>[] & { push: unknown; splice: (i: number) => Iterable<unknown>[] };
    w.cact = tag.cact;
    const queued = q.splice(0);
    q.push = (args: Iterable<unknown>) => (run(args), 0);
    for (const args of queued) run(args);
    return tag as Tag;
  } catch {
    // never break the host page
  }
}
