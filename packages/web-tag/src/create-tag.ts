import { isMetaStandardEvent, metaEventName, standardCustomData } from '@capi-bridge/contract';
import { defaultConfig } from './config.js';
import { fbCookies } from './cookies.js';
import { generateEventId } from './ids.js';
import { logOutcome, readOutcome } from './outcome.js';
import { merge } from './payload.js';
import { send } from './transport.js';
import type { Fbq, Obj, Outcome, RawConfig, TriggerCallback, Win } from './types.js';

/** Events held while no consent decision exists; later ones are dropped (the first ones carry the page view). */
export const MAX_HELD = 50;

/** The command function installed as `window.cact`. Never throws. */
export type Tag = (...args: unknown[]) => void;

/** Loosely typed reads into page-provided values (any of them may be missing or of the wrong type). */
type Loose = { [k: string]: Loose } & Obj;

/**
 * The tag's state machine. `tC` receives `uniqueEventId` and `generateEventId`. All IO goes through
 * `w` (window, document, navigator, fetch) so tests inject their own.
 * Written for size (dist/tag.js has a 3 KB gzip budget): one closure, each event a closure `go(categories)`
 * that runs or drops it once consent is known, and every step that touches the page wrapped by `safe`.
 */
export function createTag(w: Win, tC: Obj = {}): Tag {
  const doc = w.document;
  const cfg = defaultConfig();
  let persistent: Obj = {};
  /** Events waiting for a consent decision. */
  const held: Array<(categories?: string[]) => void> = [];
  const inited: Obj = {};
  let cats: string[] | undefined;

  /** Runs `f`; an exception is swallowed (logged with the `debug` flag): nothing escapes into the page. */
  const safe = (f: () => unknown) => {
    try {
      f();
    } catch (x) {
      if (cfg.debug) console.warn(x);
    }
  };
  const allowed = (c?: string[]) => !cfg.consentCategory || !!c?.includes('' + cfg.consentCategory);

  const commands: Record<string, (...a: any[]) => unknown> = {
    trigger(name: string, props: unknown, config?: Loose, cb?: TriggerCallback) {
      if (typeof config == 'function') cb = config; // (a function has no eventId)
      if (!name.trim()) throw __DEBUG__ ? 'trigger: event name' : 'trigger';
      const p = merge(persistent, props) as Loose;
      const id = '' + (config?.eventId || generateEventId());
      const ts = Date.now();
      const page = { url: w.location.href, referrer: doc.referrer, title: doc.title };
      const done = (o?: Outcome) => safe(() => cb?.(id, o));
      const say = (...a: unknown[]) => cfg.debug && console.warn('capi-bridge', name, id, ...a);
      tC.uniqueEventId = id;
      // Runs the event with the consent categories in force, or drops it.
      const go = (c?: string[]) => {
        if (!allowed(c)) return say('not sent: no consent'), done();
        let cookies: Obj | undefined;
        safe(() => (cookies = fbCookies(doc, page.url, page.referrer, cfg.cookieDomain)));
        // The pixel first: Meta keeps the browser copy and deduplicates the server copy that follows.
        safe(() => {
          const ids = ('' + cfg.pixelId).match(/\d+/g);
          if (!ids) return;
          if (!w.fbq) {
            // Meta's base-code stub (queues until fbevents.js, loaded once, takes over); a page's own fbq is reused.
            const n: Fbq = (w.fbq = (...a) => (n.callMethod ? n.callMethod(...a) : n.queue!.push(a)));
            w._fbq ||= n;
            n.push = n;
            n.loaded = true;
            n.version = '2.0';
            n.queue = [];
            // A script inserted from JS is async already (HTML spec), so no `async = true`.
            doc.head.append(Object.assign(doc.createElement('script'), { src: cfg.fbeventsUrl }));
          }
          const f = w.fbq;
          for (const i of ids) inited[i] ||= (f('init', i, cfg.advancedMatching), 1);
          const n = metaEventName(name, p.integrations?.facebook?.event_name as never);
          const m = 'track' + (ids[1] ? 'Single' : '') + (isMetaStandardEvent(n) ? '' : 'Custom');
          const args = [n, standardCustomData(p, cfg), { eventID: id }];
          ids[1] ? ids.map((i) => f(m, i, ...args)) : f(m, ...args);
        });
        const ep = cfg.endpoint;
        ep
          ? send(
              w,
              ep.replace(/\/*$/, '/collect'),
              JSON.stringify(
                merge(p, {
                  event_name: name,
                  context: { event_id: id, event_timestamp: ts, page },
                  integrations: { facebook: { event_id: id, ...cookies } },
                  user: { consent_categories: c },
                }),
              ),
              (x) => (cfg.debug && x ? readOutcome(x, w.location.origin).then((o) => (logOutcome(say, o), done(o))) : done()),
              cfg.debug,
            )
          : done();
      };
      cats || !cfg.consentCategory
        ? go(cats)
        : held[MAX_HELD - 1]
          ? done()
          : (say('held until consent.update'), held.push(go));
    },
    config: (x: RawConfig) => Object.assign(cfg, x),
    // A dotted path (`user.email`) as nested objects merged over the kept properties: plain objects on the way are
    // copied, a plain-object value is merged, `__proto__` segments are skipped (merge skips them).
    setProperty: (path: string, value: unknown) =>
      (persistent = merge(persistent, path.split('.').reduceRight((v, k) => ({ [k]: v }), value))),
    'consent.update'(x: Loose) {
      const next = (x.categories as unknown as unknown[]).map(String);
      const ok = allowed(next);
      // A change of an earlier decision: fbq('consent', 'revoke') or, back again, 'grant' (no-op without fbq).
      if (cats && allowed(cats) != ok) w.fbq?.('consent', ok ? 'grant' : 'revoke');
      cats = next;
      for (const go of held.splice(0)) go(cats);
    },
  };

  tC.generateEventId = generateEventId;
  return (cmd, ...a) => safe(() => commands[cmd as string]!(...a));
}
