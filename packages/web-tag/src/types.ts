/** Resolved tag configuration (from `data-*` attributes on the script tag and `cact('config', …)`). */
export interface TagConfig {
  /** One or several Meta pixel ids: an id, a number, an array or a comma list (`"111,222"`). */
  pixelId?: string | number | Array<string | number>;
  /** Companion server base URL; default: the origin tag.js was loaded from. */
  endpoint?: string;
  /** Consent category id that must be granted before anything happens. */
  consentCategory?: string | number;
  fbeventsUrl: string;
  /** Passed to `fbq('init', pixelId, advancedMatching)`. */
  advancedMatching?: Record<string, unknown>;
  /** Forces the `_fbp`/`_fbc` cookie domain (e.g. `example.com`). */
  cookieDomain?: string;
  /** `custom_data.content_type` of the pixel params; must match the server's destination config. */
  contentType: 'product' | 'product_group' | null;
  /**
   * Truthy → swallowed errors are logged with console.warn, and each forward is sent with fetch (not
   * sendBeacon) so its outcome can be read: logged to the console and passed to the trigger callback.
   */
  debug?: unknown;
  /**
   * A switch (see `isOn`): a paired `page_view` on every in-page URL change (`pushState`, `replaceState`,
   * `popstate`, `hashchange`). Default off.
   */
  autoPageViews?: unknown;
  /**
   * A switch (see `isOn`): the page's own `fbq('track'|'trackCustom'|'trackSingle*', …)` calls without an
   * `eventID` get one and are forwarded to the server as the matching event. Default on.
   */
  mirror?: unknown;
}

/** What `cact('config', …)` and `data-*` accept before normalisation. */
export type RawConfig = Record<string, unknown>;

export type Obj = Record<string, unknown>;

/** One destination's verdict in the server's `/collect` reply. */
export interface DestinationOutcome {
  destination: string;
  status: 'accepted' | 'dropped';
  /** Dropped: the named reason (`insufficient_match_keys`, `no_consent`…) and what it means. */
  reason?: string;
  detail?: string;
  /** user_data keys present (names only). */
  match_keys?: string[];
}

/**
 * With `debug`: what became of a forward. `status` is the HTTP status (202 accepted, 200 dropped by every
 * destination, 4xx/5xx refused, 0 no answer); `results` the per-event reply, `error` the refusal.
 */
export interface Outcome {
  status: number;
  results?: Array<{ event_id?: string; status: string; destinations: DestinationOutcome[] }>;
  error?: { code?: string; message: string; field?: string };
}

/**
 * `outcome` is passed with `debug` once the server answered (or did not); without `debug` it is undefined
 * (a beacon's answer cannot be read), and so it is for events not sent (consent).
 */
export type TriggerCallback = (eventId: string, outcome?: Outcome) => void;

/** The window parts the tag touches, so tests can inject them. */
export type Win = Window & typeof globalThis & {
  cact?: unknown;
  caReady?: ArrayLike<unknown> & { push?: unknown };
  tC?: Obj;
  fbq?: Fbq;
  _fbq?: Fbq;
};

export interface Fbq {
  (...args: unknown[]): void;
  callMethod?: (...args: unknown[]) => void;
  queue?: unknown[];
  push?: unknown;
  loaded?: boolean;
  version?: string;
  /** Read by fbevents.js when it starts: true → no automatic (eid-less) PageView on history changes. */
  disablePushState?: boolean;
  /** Read by fbevents.js on each PageView: true → more than one PageView per pixel and page load. */
  allowDuplicatePageViews?: boolean;
}
