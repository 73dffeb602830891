import { buildStandardCustomData, resolveMetaEventName } from '@capi-bridge/contract';
import { defaultConfig, normalizeConfig } from './config.js';
import { cookieTarget, ensureFbc, ensureFbp } from './cookies.js';
import type { CookieTarget } from './cookies.js';
import { generateEventId } from './ids.js';
import { buildPayload, isObj, merge, setPath } from './payload.js';
import { createPixel } from './pixel.js';
import { send } from './transport.js';
import type { Obj, RawConfig, TagConfig, TriggerCallback, Win } from './types.js';

/** Events held while no consent decision exists; later ones are dropped (the first ones carry the page view). */
export const MAX_HELD = 50;

/** A triggered event. `$`-prefixed fields are internal: terser mangles them in dist/tag.js. */
interface Pending {
  $name: string;
  $props: Obj;
  $id: string;
  $ts: number;
  $page: { url: string; referrer: string; title: string };
  /** Consent categories from the event's own `user.consent_categories`, else the page's decision. */
  $cats?: string[];
  $cb?: TriggerCallback;
}

export interface Tag {
  /** The command function installed as `window.cact`. Never throws. */
  cact: (...args: unknown[]) => void;
  readonly config: TagConfig;
}

const strs = (v: unknown): string[] | undefined => (Array.isArray(v) ? v.map(String) : undefined);

/**
 * The tag's state machine. `tC` receives `uniqueEventId` and `generateEventId`. All IO goes through
 * `w` (window, document, navigator, fetch) so tests inject their own.
 */
export function createTag(w: Win, tC: Obj = {}): Tag {
  const doc = w.document;
  const cfg = defaultConfig();
  const persistent: Obj = {};
  const held: Pending[] = [];
  const pixel = createPixel(w, () => cfg.fbeventsUrl);
  let cats: string[] | undefined;
  let target: CookieTarget | undefined;
  let revoked = false;

  const log = (...a: unknown[]) => {
    if (cfg.debug) console.warn('[capi-bridge]', ...a);
  };
  const allowed = (c?: string[]) => !cfg.consentCategory || !!c?.includes(cfg.consentCategory);
  const finish = (e: Pending) => {
    try {
      e.$cb?.(e.$id);
    } catch (x) {
      log(x);
    }
  };

  function run(e: Pending) {
    let fbp: string | undefined;
    let fbc: string | undefined;
    try {
      const now = Date.now();
      target ||= cookieTarget(doc, w.location.hostname, cfg.cookieDomain);
      fbp = ensureFbp(doc, target, now);
      fbc = ensureFbc(doc, target, now, e.$page.url, e.$page.referrer);
    } catch (x) {
      log(x);
    }
    // The pixel first: Meta keeps the browser copy and deduplicates the server copy that follows.
    try {
      const ids = cfg.pixelId;
      if (ids.length) {
        const fb = (e.$props.integrations as Obj | undefined)?.facebook as Obj | undefined;
        const override = fb?.event_name;
        const r = resolveMetaEventName(e.$name, typeof override == 'string' ? override : undefined);
        const params = buildStandardCustomData(e.$props, { contentType: cfg.contentType }).customData;
        pixel.track(ids, r.name, r.standard, params, e.$id, cfg.advancedMatching);
        if (__DEBUG__) log('pixel', r.name, e.$id, params);
      }
    } catch (x) {
      log(x);
    }
    const endpoint = cfg.endpoint;
    if (!endpoint) {
      if (__DEBUG__) log('no endpoint');
      return finish(e);
    }
    const body = JSON.stringify(buildPayload(e.$name, e.$props, e.$id, e.$ts, e.$page, fbp, fbc, e.$cats));
    if (__DEBUG__) log('forward', body);
    send(w, endpoint.replace(/\/+$/, '') + '/collect', body, (ok) => {
      if (__DEBUG__ && !ok) log('forward failed', e.$id);
      finish(e);
    });
  }

  function trigger(name: unknown, props: unknown, config?: unknown, cb?: unknown) {
    if (typeof config == 'function') [cb, config] = [config, undefined];
    if (typeof name != 'string' || !name) return __DEBUG__ && log('trigger: event name');
    const p = merge(persistent, props);
    const fb = (p.integrations as Obj | undefined)?.facebook as Obj | undefined;
    const given = (isObj(config) && config.eventId) || fb?.event_id;
    const id = typeof given == 'string' || typeof given == 'number' ? String(given) : generateEventId();
    tC.uniqueEventId = id;
    const e: Pending = {
      $name: name,
      $props: p,
      $id: id,
      $ts: Date.now(),
      $page: { url: w.location.href, referrer: doc.referrer, title: doc.title },
      $cats: strs((p.user as Obj | undefined)?.consent_categories) || cats,
      $cb: typeof cb == 'function' ? (cb as TriggerCallback) : undefined,
    };
    if (allowed(e.$cats)) run(e);
    else if (!e.$cats && held.length < MAX_HELD) held.push(e);
    else {
      if (__DEBUG__) log('dropped: consent', id);
      finish(e);
    }
  }

  function consentUpdate(arg: unknown) {
    const next = strs(isObj(arg) ? arg.categories : undefined);
    if (!next) return __DEBUG__ && log('consent.update: categories');
    const was = cats && allowed(cats);
    cats = next;
    const ok = allowed(cats);
    if (was && !ok) {
      pixel.consent('revoke');
      revoked = true;
    }
    if (revoked && ok) {
      pixel.consent('grant');
      revoked = false;
    }
    for (const e of held.splice(0)) {
      e.$cats = cats;
      ok ? run(e) : finish(e);
    }
  }

  const cact = (...a: unknown[]) => {
    try {
      const [cmd, x, y, z, cb] = a;
      if (cmd == 'trigger') trigger(x, y, z, cb);
      else if (cmd == 'config') Object.assign(cfg, normalizeConfig(x as RawConfig));
      else if (cmd == 'setProperty') typeof x == 'string' && setPath(persistent, x, y);
      else if (cmd == 'consent.update') consentUpdate(x);
      else throw cmd;
    } catch (err) {
      log(err);
    }
  };
  tC.generateEventId = generateEventId;
  return { cact, config: cfg };
}
