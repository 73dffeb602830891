import { resolveMetaEventName, standardCustomData } from '@capi-bridge/contract';
import { defaultConfig, normalizeConfig } from './config.js';
import { cookieTarget, ensureFbc, ensureFbp } from './cookies.js';
import type { CookieTarget } from './cookies.js';
import { generateEventId } from './ids.js';
import { buildPayload, merge, setPath } from './payload.js';
import { send } from './transport.js';
import type { Fbq, Obj, RawConfig, TagConfig, Win } from './types.js';

/** Events held while no consent decision exists; later ones are dropped (the first ones carry the page view). */
export const MAX_HELD = 50;

export interface Tag {
  /** The command function installed as `window.cact`. Never throws. */
  cact: (...args: unknown[]) => void;
  readonly config: TagConfig;
}

/** Loosely typed reads into page-provided values (any of them may be missing or of the wrong type). */
type Loose = { [k: string]: Loose } | undefined;

const strs = (v: unknown): string[] | undefined => (Array.isArray(v) ? v.map(String) : undefined);

/**
 * The tag's state machine. `tC` receives `uniqueEventId` and `generateEventId`. All IO goes through
 * `w` (window, document, navigator, fetch) so tests inject their own.
 * Written for size (dist/tag.js has a 2.5 KB gzip budget): one closure, each event a closure `go(categories)`
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
  let target: CookieTarget | undefined;
  let revoked: boolean | undefined;

  /** Runs `f`; an exception is swallowed (logged with the `debug` flag): nothing escapes into the page. */
  const safe = (f: () => unknown) => {
    try {
      f();
    } catch (x) {
      if (cfg.debug) console.warn('[capi-bridge]', x);
    }
  };
  const allowed = (c?: string[]) => !cfg.consentCategory || !!c?.includes(cfg.consentCategory);

  /** Meta's base-code `fbq` stub (queues until fbevents.js, loaded once, takes over); a page's own fbq is reused. */
  const fbq = (): Fbq => {
    if (!w.fbq) {
      const n: Fbq = (w.fbq = (...a) => (n.callMethod ? n.callMethod(...a) : n.queue!.push(a)));
      w._fbq ||= n;
      Object.assign(n, { push: n, loaded: true, version: '2.0', queue: [] });
      // A script inserted from JS is async already (HTML spec), so no `async = true`.
      doc.head.append(Object.assign(doc.createElement('script'), { src: cfg.fbeventsUrl }));
    }
    return w.fbq;
  };

  const commands: Record<string, (...a: any[]) => unknown> = {
    __proto__: null as never,
    trigger(name: unknown, props: unknown, config?: Loose | (() => void), cb?: unknown) {
      if (typeof config == 'function') (cb = config), (config = undefined);
      if (typeof name != 'string' || !name) throw __DEBUG__ ? 'trigger: event name' : 'trigger';
      const p = merge(persistent, props);
      const fb = (p as Loose)!.integrations?.facebook;
      const given: unknown = config?.eventId || fb?.event_id;
      const id = typeof given == 'string' || typeof given == 'number' ? '' + given : generateEventId();
      const ts = Date.now();
      const page = { url: w.location.href, referrer: doc.referrer, title: doc.title };
      const done = () => safe(() => typeof cb == 'function' && cb(id));
      tC.uniqueEventId = id;
      // Runs the event with the consent categories in force, or drops it.
      const go = (c?: string[]) => {
        if (!allowed(c)) return done();
        let fbp: string | undefined;
        let fbc: string | undefined;
        safe(() => {
          const now = Date.now();
          target ||= cookieTarget(doc, w.location.hostname, cfg.cookieDomain);
          fbp = ensureFbp(doc, target, now);
          fbc = ensureFbc(doc, target, now, page.url, page.referrer);
        });
        // The pixel first: Meta keeps the browser copy and deduplicates the server copy that follows.
        safe(() => {
          const ids = cfg.pixelId;
          if (!ids[0]) return;
          const f = fbq();
          for (const i of ids) inited[i] ||= (f('init', i, cfg.advancedMatching), 1);
          const o: unknown = fb?.event_name;
          const r = resolveMetaEventName(name, typeof o == 'string' ? o : undefined);
          const m = 'track' + (ids[1] ? 'Single' : '') + (r.standard ? '' : 'Custom');
          const args = [r.name, standardCustomData(p, cfg), { eventID: id }];
          ids[1] ? ids.forEach((i) => f(m, i, ...args)) : f(m, ...args);
        });
        const ep = cfg.endpoint;
        ep ? send(w, ep.replace(/\/+$/, '') + '/collect', JSON.stringify(buildPayload(name, p, id, ts, page, fbp, fbc, c)), done) : done();
      };
      const c = strs((p as Loose)!.user?.consent_categories) || cats;
      if (c || !cfg.consentCategory) go(c);
      else if (held.length < MAX_HELD) held.push(go);
      else done();
    },
    config: (x: RawConfig) => Object.assign(cfg, normalizeConfig(x)),
    setProperty: (path: string, value: unknown) => (persistent = setPath(persistent, path, value)),
    'consent.update'(x?: Loose) {
      const next = strs(x?.categories);
      if (!next) throw __DEBUG__ ? 'consent.update: categories' : 'consent.update';
      const was = cats && allowed(cats);
      const ok = allowed((cats = next));
      if (ok ? revoked : was) {
        safe(() => w.fbq?.('consent', ok ? 'grant' : 'revoke'));
        revoked = !ok;
      }
      for (const go of held.splice(0)) go(cats);
    },
  };

  tC.generateEventId = generateEventId;
  return { cact: (cmd, ...a) => safe(() => commands[cmd as string]!(...a)), config: cfg };
}
