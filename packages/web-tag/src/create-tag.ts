import { commandersActEventName, metaEventName, standardCustomData, type TagEvent } from '@capi-bridge/contract';
import { defaultConfig, isOn } from './config.js';
import { fbCookies } from './cookies.js';
import { generateEventId } from './ids.js';
import { reportAnswer } from './outcome.js';
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
 * Written for size (dist/tag.js has a ~3.2 KB gzip budget): one closure, each event a closure `go(categories)`
 * that runs or drops it once consent is known, and every step that touches the page wrapped by `safe`.
 */
export const createTag = (w: Win, tC: Obj = {}): Tag => {
  const doc = w.document;
  const cfg = defaultConfig();
  let persistent: Obj = {};
  /** Events waiting for a consent decision. */
  const held: Array<(categories?: string[]) => void> = [];
  const inited: Obj = {};
  let cats: string[] | undefined;
  /** The fbq whose calls are mirrored; the URL last seen by autoPageViews (set once history is watched) and the one before it. */
  let hooked: Fbq | undefined;
  let url: string | undefined;
  let ref: string | undefined;

  /** Runs `f`; an exception is swallowed (logged with the `debug` flag): nothing escapes into the page. */
  const safe = (f: () => unknown) => {
    try {
      f();
    } catch (x) {
      if (cfg.debug) console.warn(x);
    }
  };
  const allowed = (c?: string[]) => !cfg.consentCategory || c?.includes('' + cfg.consentCategory);

  /** autoPageViews: one paired page_view per in-page URL change (a replace of the same URL is none). */
  const watch = () => {
    if (url || !isOn(cfg.autoPageViews)) return;
    url = w.location.href;
    // Deferred: routers change the URL first and render (and set the title) after.
    const changed = () =>
      setTimeout(() => {
        const u = w.location.href;
        const f = w.fbq;
        if (u == url) return;
        ref = url;
        url = u;
        // An fbevents.js that started without disablePushState sends its own (eid-less) PageView: no second one.
        if (!f?.callMethod || f.disablePushState) event('page_view', {});
      });
    const h = w.history as unknown as Record<string, (...a: unknown[]) => unknown>;
    for (const k of ['pushState', 'replaceState']) {
      const o = h[k]!;
      h[k] = function (this: unknown) {
        changed();
        return o.apply(this, arguments as never);
      };
    }
    w.addEventListener('popstate', changed);
    w.addEventListener('hashchange', changed);
  };

  /** One event: pixel (unless `mirrored`: the page's own fbq call gets the id, which this returns) and forward. */
  const event = (name: string, props: unknown, config?: Loose, cb?: TriggerCallback, mirrored?: unknown) => {
    if (typeof config == 'function') cb = config; // (a function has no eventId)
    if (!name.trim()) throw __DEBUG__ ? 'trigger: event name' : 'trigger';
    const p = merge(persistent, props) as Loose;
    const id = (tC.uniqueEventId = '' + (config?.eventId || generateEventId()));
    const ts = Date.now();
    // After an in-page navigation seen by autoPageViews, the referrer is the URL before it.
    const page = { url: w.location.href, referrer: ref ?? doc.referrer, title: doc.title };
    const done = (o?: Outcome) => safe(() => cb?.(id, o));
    const say = (...a: unknown[]) => cfg.debug && console.warn('capi-bridge', name, id, ...a);
    // Runs the event with the consent categories in force, or drops it.
    const go = (c?: string[]) => {
      if (!allowed(c)) return say('not sent: no consent'), done();
      let cookies: ReturnType<typeof fbCookies> | undefined;
      safe(() => (cookies = fbCookies(doc, page.url, page.referrer, cfg.cookieDomain)));
      // The pixel first: Meta keeps the browser copy and deduplicates the server copy that follows.
      mirrored ||
        safe(() => {
          const ids = ('' + cfg.pixelId).match(/\d+/g);
          if (!ids) return;
          if (!w.fbq) {
            // Meta's base-code stub (queues until fbevents.js, loaded once, takes over); a page's own fbq is reused.
            // The tag sends every page view itself: none automatic from the pixel (they carry no id).
            const n: Fbq = (w.fbq = (...a) => (n.callMethod ? n.callMethod(...a) : n.queue!.push(a)));
            w._fbq ||= n;
            n.push = n;
            n.loaded = n.disablePushState = true;
            n.version = '2.0';
            n.queue = [];
            // A script inserted from JS is async already (HTML spec), so no `async = true`.
            doc.head.append(Object.assign(doc.createElement('script'), { src: cfg.fbeventsUrl }));
          }
          const f = w.fbq;
          prep(f);
          // fbevents.js sends one PageView per pixel and page load unless this is set (SPAs have many).
          f.allowDuplicatePageViews = true;
          for (const i of ids) inited[i] ||= (f('init', i, cfg.advancedMatching), 1);
          const n = metaEventName(name, p.integrations?.facebook?.event_name as never);
          // A Meta standard event is one the seed table maps to (so it has a seed name): no Set of them in the bundle.
          const m = 'track' + (ids[1] ? 'Single' : '') + (commandersActEventName(n) != n ? '' : 'Custom');
          for (const i of ids) f(m, ...(ids[1] ? [i] : []), n, standardCustomData(p, cfg), { eventID: id });
        });
      const ep = cfg.endpoint;
      ep
        ? send(
            w,
            ep.replace(/\/*$/, '/collect'),
            JSON.stringify(
              // What the server reads is the contract's TagEvent; the page's own properties come along.
              merge(p, {
                event_name: name,
                context: { event_id: id, event_timestamp: ts, page },
                integrations: { facebook: { event_id: id, ...cookies } },
                user: { consent_categories: c },
              } satisfies TagEvent),
            ),
            // With `debug`, the outcome is logged and handed to the callback. A readable answer: by reportAnswer
            // (outcome.ts), which dist/tag.js imports from the server that answered (`<endpoint>/tag-debug.js`, next to
            // tag.js; the browser loads it once), so the tag carries none of its formatting; a failed import is logged
            // with the status. No answer (fetch's error): status 0 with both causes, here, as the server that serves the
            // module may be down; the server's 403 for an origin not in its ALLOWED_ORIGINS carries no CORS header, so
            // the browser reports it like a server that is down. (`message` is a local: send passes one argument.)
            (x, message?: string) =>
              !cfg.debug
                ? done()
                : (x as Response)?.status
                  ? (__LAZY_OUTCOME__ ? import(ep.replace(/\/*$/, '/tag-debug.js')) : Promise.resolve({ default: reportAnswer })).then(
                      (m: { default: typeof reportAnswer }) => m.default(x as Response, say, done),
                      (e) => (say((x as Response).status, e), done()),
                    )
                  : (say(0, (message = x + ': server down, or ' + w.location.origin + ' is not in its ALLOWED_ORIGINS')),
                    done({ status: 0, error: { message } })),
            cfg.debug,
          )
        : done();
    };
    cats || !cfg.consentCategory
      ? go(cats)
      : held[MAX_HELD - 1]
        ? done()
        : (say('held until consent.update'), held.push(go));
    return id;
  };

  /**
   * The mirror of one fbq call (its arguments, as an array): a track call of the page without `eventID` gets a
   * new id and is forwarded as the matching event (Meta name → seed name, others kept; an override keeps the
   * exact name). Calls with an id (the tag's own included) pass unchanged.
   */
  const mirror = (a: ArrayLike<unknown>) => {
    const args = Array.from(a) as Loose[];
    safe(() => {
      const o = +/Single/.test(args[0] as never); // trackSingle*: the pixel id comes first (test() converts to a string)
      const n = args[o + 1] as unknown as string;
      if (!/^track/.test(args[0] as never) || args[o + 3]?.eventID) return;
      const ca = commandersActEventName(n);
      const fb = { custom_data: args[o + 2], event_name: metaEventName(ca) != n ? n : undefined };
      args[o + 2] ||= {} as Loose;
      args[o + 3] = { ...args[o + 3], eventID: event(ca, { integrations: { facebook: fb } }, undefined, undefined, 1) } as never;
    });
    return args;
  };

  /**
   * Prepares an fbq: before fbevents.js started (no callMethod yet), autoPageViews turns off the pixel's own
   * eid-less history PageViews; with the mirror on, its queued calls, later queue pushes and callMethod
   * (set by fbevents.js when it starts) go through `mirror`. Calls that already left are never forwarded.
   */
  const prep = (f?: Fbq) => {
    if (!f) return;
    if (isOn(cfg.autoPageViews) && !f.callMethod) f.disablePushState = true;
    if (hooked == f || !isOn(cfg.mirror)) return;
    hooked = f;
    const q = f.queue as unknown[] | undefined;
    if (q) {
      Object.assign(q, q.map(mirror as never));
      q.push = ((a: unknown[]) => (q[q.length] = mirror(a))) as never; // the stub pushes one `arguments` at a time
    }
    let real = f.callMethod;
    Object.defineProperty(f, 'callMethod', {
      configurable: true,
      get: () =>
        real &&
        function (this: unknown) {
          // `this` is fbq for ordinary calls (fbevents.js reads allowDuplicatePageViews from it).
          return real!.apply(this, mirror(arguments));
        },
      set: (v) => (real = v),
    });
  };

  const commands: Record<string, (...a: any[]) => unknown> = {
    trigger: (name: string, props: unknown, config?: Loose, cb?: TriggerCallback) => event(name, props, config, cb),
    config(x: RawConfig) {
      Object.assign(cfg, x);
      watch();
      // A base code that runs after the tag defines fbq later: prepared once its snippet has run (before fbevents.js).
      let fbq: Fbq;
      'fbq' in w ||
        Object.defineProperty(w, 'fbq', {
          configurable: true,
          get: () => fbq,
          set(f: Fbq) {
            fbq = f;
            queueMicrotask(() => prep(f));
          },
        });
      prep(w.fbq);
    },

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
};
