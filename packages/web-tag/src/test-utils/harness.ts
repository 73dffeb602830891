import { Window } from 'happy-dom';
import type { Win } from '../types.js';

export interface JarWrite {
  raw: string;
  name: string;
  value: string;
  domain?: string;
  accepted: boolean;
}

/**
 * A cookie jar standing in for `document.cookie` that behaves like a browser on the attributes the tag
 * uses: refuses Domain= on public suffixes and on foreign domains, host-only without Domain, max-age=0
 * deletes, and records every write.
 */
export function installJar(doc: Document, host: string, publicSuffixes = ['com', 'uk', 'co.uk', 'test', 'fr']) {
  const store = new Map<string, { name: string; value: string; domain: string }>();
  const writes: JarWrite[] = [];
  let enabled = true;
  Object.defineProperty(doc, 'cookie', {
    configurable: true,
    get: () => (enabled ? [...store.values()].map((c) => `${c.name}=${c.value}`).join('; ') : ''),
    set: (raw: string) => {
      const [pair = '', ...attrs] = raw.split(';').map((s) => s.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      const attr = (k: string) => attrs.find((a) => a.toLowerCase().startsWith(k + '='))?.slice(k.length + 1);
      const domainAttr = attr('domain')?.replace(/^\./, '').toLowerCase();
      const ok =
        enabled &&
        (!domainAttr ||
          (!publicSuffixes.includes(domainAttr) && (host === domainAttr || host.endsWith('.' + domainAttr))));
      writes.push({ raw, name, value, domain: domainAttr, accepted: ok });
      if (!ok) return;
      const key = `${name}@${domainAttr ?? host}`;
      if (attr('max-age') === '0') store.delete(key);
      else store.set(key, { name, value, domain: domainAttr ? '.' + domainAttr : host });
    },
  });
  return {
    store,
    writes,
    disable: () => {
      enabled = false;
    },
    get: (name: string) => [...store.values()].filter((c) => c.name === name),
  };
}

export interface Sent {
  via: 'beacon' | 'fetch';
  url: string;
  body: string;
  init?: RequestInit;
  type?: string;
}

export interface HarnessOptions {
  url?: string;
  referrer?: string;
  title?: string;
  beacon?: boolean | 'missing';
  /** Responses (status, or status and JSON body) or 'error' for successive fetch calls; default 200. */
  fetchResults?: Array<number | { status: number; body: unknown } | 'error'>;
}

/** A fresh happy-dom window with a cookie jar, recorded sendBeacon/fetch and an ordered log of calls. */
export function makeWindow(o: HarnessOptions = {}) {
  const hw = new Window({
    url: o.url ?? 'https://www.shop.example.com/product?x=1',
    settings: { disableJavaScriptFileLoading: true, handleDisabledFileLoadingAsSuccess: true },
  });
  const w = hw as unknown as Win;
  const doc = w.document;
  const host = new URL(w.location.href).hostname;
  const jar = installJar(doc, host);
  if (o.referrer !== undefined) Object.defineProperty(doc, 'referrer', { configurable: true, value: o.referrer });
  doc.title = o.title ?? 'Product page';
  const sent: Sent[] = [];
  const order: string[] = [];
  const results = [...(o.fetchResults ?? [])];
  const nav = w.navigator as Navigator & { sendBeacon?: unknown };
  if (o.beacon === 'missing') {
    Object.defineProperty(nav, 'sendBeacon', { configurable: true, value: undefined });
  } else {
    Object.defineProperty(nav, 'sendBeacon', {
      configurable: true,
      value: (url: string, data: Blob | string) => {
        if (o.beacon === false) return false;
        order.push('forward');
        // A string body goes out as text/plain;charset=UTF-8 (Beacon spec: extract a body from a USVString).
        if (typeof data == 'string') sent.push({ via: 'beacon', url, body: data, type: 'text/plain;charset=UTF-8' });
        else {
          sent.push({ via: 'beacon', url, body: '', type: data.type });
          void data.text().then((t) => (sent.find((s) => s.url === url && s.body === '')!.body = t));
        }
        return true;
      },
    });
  }
  Object.defineProperty(w, 'fetch', {
    configurable: true,
    value: (url: string, init: RequestInit) => {
      order.push('forward');
      sent.push({ via: 'fetch', url, body: String(init.body), init });
      const r = results.length ? results.shift()! : 200;
      if (r === 'error') return Promise.reject(new TypeError('Failed to fetch'));
      const { status, body } = typeof r == 'number' ? { status: r, body: undefined } : r;
      const json = () => (body === undefined ? Promise.reject(new SyntaxError('no JSON')) : Promise.resolve(body));
      return Promise.resolve({ status, ok: status < 300, json });
    },
  });
  return {
    w,
    doc,
    jar,
    sent,
    order,
    /** fbq calls made so far (through the base-code stub's queue). */
    fbqCalls: () => ((w.fbq?.queue ?? []) as unknown[][]).map((a) => Array.from(a)),
    /** Payloads parsed (waits for Blob reads). */
    async payloads() {
      await new Promise((r) => setTimeout(r, 0));
      return sent.map((s) => JSON.parse(s.body) as Record<string, any>);
    },
    close: () => hw.happyDOM.close(),
  };
}
