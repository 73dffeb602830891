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
  /** Truthy → swallowed errors are logged with console.warn. */
  debug?: unknown;
}

/** What `cact('config', …)` and `data-*` accept before normalisation. */
export type RawConfig = Record<string, unknown>;

export type Obj = Record<string, unknown>;

export type TriggerCallback = (eventId: string) => void;

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
}
