import type { Fbq, Obj, Win } from './types.js';

export interface Pixel {
  track(pixelIds: string[], name: string, standard: boolean, params: Obj, eventID: string, advancedMatching?: Obj): void;
  consent(action: 'grant' | 'revoke'): void;
}

/**
 * Meta's base-code semantics: an `fbq` stub that queues calls until fbevents.js (loaded once, async)
 * takes over; each pixel id is initialised once. A site's own `fbq` is reused as is.
 */
export function createPixel(w: Win, fbeventsUrl: () => string): Pixel {
  const inited: Obj = {};
  const fbq = (): Fbq => {
    if (!w.fbq) {
      const n: Fbq = (w.fbq = function (...a: unknown[]) {
        n.callMethod ? n.callMethod(...a) : n.queue!.push(a);
      });
      if (!w._fbq) w._fbq = n;
      n.push = n;
      n.loaded = true;
      n.version = '2.0';
      n.queue = [];
      const d = w.document;
      const s = d.createElement('script');
      s.async = true;
      s.src = fbeventsUrl();
      (d.head || d.documentElement).appendChild(s);
    }
    return w.fbq;
  };
  return {
    track(ids, name, standard, params, eventID, am) {
      const f = fbq();
      for (const id of ids) {
        if (!inited[id]) f('init', id, am);
        inited[id] = 1;
      }
      const opts = { eventID };
      if (ids.length == 1) f(standard ? 'track' : 'trackCustom', name, params, opts);
      else for (const id of ids) f(standard ? 'trackSingle' : 'trackSingleCustom', id, name, params, opts);
    },
    consent(action) {
      if (w.fbq) w.fbq('consent', action);
    },
  };
}
