/** `add_to_cart` → `AddToCart`, at the type level. */
type Pascal<S extends string> = S extends `${infer H}_${infer T}` ? `${Capitalize<H>}${Pascal<T>}` : Capitalize<S>;

/** Meta names of the seed rows whose Commanders Act name is their snake_case (`AddToCart` → `add_to_cart`). */
const SNAKE_CASED_META_NAMES =
  'Purchase AddToCart Search AddPaymentInfo AddToWishlist PageView CompleteRegistration Contact CustomizeProduct Donate FindLocation Schedule StartTrial SubmitApplication Subscribe';

/** The other seed rows. */
const RENAMED_ROWS = {
  begin_checkout: 'InitiateCheckout',
  view_item: 'ViewContent',
  view_item_list: 'ViewContent',
  generate_lead: 'Lead',
  sign_up: 'CompleteRegistration',
} as const;

/** The Commanders Act names of SNAKE_CASED_META_NAMES. */
type SnakeCaseRows =
  | 'purchase' | 'add_to_cart' | 'search' | 'add_payment_info' | 'add_to_wishlist' | 'page_view' | 'complete_registration'
  | 'contact' | 'customize_product' | 'donate' | 'find_location' | 'schedule' | 'start_trial' | 'submit_application' | 'subscribe';
type Rows = { readonly [K in SnakeCaseRows]: Pascal<K> } & typeof RENAMED_ROWS;


/**
 * Commanders Act standard event → Meta standard event: the seed connector's table (20 rows), written as
 * SNAKE_CASED_META_NAMES + RENAMED_ROWS so the web tag bundles fewer bytes; the type spells out every row.
 * The tag uses it to pick `fbq('track', …)` vs `fbq('trackCustom', …)`, the server to set `event_name`:
 * one table, so browser and server can never disagree (Meta deduplicates on event_name + event_id).
 */
export const META_EVENT_NAMES: { readonly [K in keyof Rows]: Rows[K] } = { ...RENAMED_ROWS } as Rows;

const table = META_EVENT_NAMES as Record<string, string>;
for (const n of SNAKE_CASED_META_NAMES.split(' ')) table[n.replace(/\B(?=[A-Z])/g, '_').toLowerCase()] = n;

export type CommandersActStandardEvent = keyof typeof META_EVENT_NAMES;
export type MetaStandardEvent = (typeof META_EVENT_NAMES)[CommandersActStandardEvent];

/**
 * Meta's standard events (Pixel reference), PageView included: 18 names, which are exactly the values of
 * the seed table (checked by a test).
 */
export const META_STANDARD_EVENTS: ReadonlySet<string> = /* @__PURE__ */ new Set<string>(/* @__PURE__ */ Object.values(table));

/**
 * The one event-name resolver of browser and server: the Meta event name for a Commanders Act event name,
 * honouring an explicit override (`integrations.facebook.event_name`). Both names are trimmed first (so
 * `' purchase '` is `Purchase` on both sides); a blank override counts as none. Unmapped names are sent
 * (trimmed) as custom events; isMetaStandardEvent() tells `fbq('track', …)` from `fbq('trackCustom', …)`.
 */
export const metaEventName = (eventName: string, override?: string): string =>
  override?.trim() || (Object.hasOwn(table, (eventName = eventName.trim())) ? table[eventName]! : eventName);

/**
 * The reverse direction, for a Meta event name seen in a page's own `fbq('track', …)`: a seed row
 * that maps to it (`AddToCart` → `add_to_cart`, `ViewContent` → `view_item`), else the name unchanged
 * (custom names are kept).
 */
export const commandersActEventName = (metaName: string): string => {
  for (const k in table) if (table[k] === metaName) return k;
  return metaName;
};

/** Whether Meta knows `name` as a standard event (→ `track`, else `trackCustom`). */
export const isMetaStandardEvent = (name: string): boolean => META_STANDARD_EVENTS.has(name);
