/** `add_to_cart` → `AddToCart`, at the type level. */
type Pascal<S extends string> = S extends `${infer H}_${infer T}` ? `${Capitalize<H>}${Pascal<T>}` : Capitalize<S>;

/**
 * The seed table (20 rows) packed for the web tag's byte budget, in snake_case: `name` when the Meta name is its
 * PascalCase (`add_to_cart` → `AddToCart`), `name:meta_name` for the others, in funnel order. Order matters for
 * commandersActEventName: the first row of a Meta name wins (`ViewContent` → `view_item`).
 */
const ROWS =
  'page_view view_item:view_content view_item_list:view_content add_to_cart add_to_wishlist add_payment_info begin_checkout:initiate_checkout purchase search generate_lead:lead sign_up:complete_registration complete_registration contact customize_product donate find_location schedule start_trial submit_application subscribe';

/** The rows of ROWS whose Meta name is the PascalCase of their Commanders Act name. */
type SnakeCaseRows =
  | 'purchase' | 'add_to_cart' | 'search' | 'add_payment_info' | 'add_to_wishlist' | 'page_view' | 'complete_registration'
  | 'contact' | 'customize_product' | 'donate' | 'find_location' | 'schedule' | 'start_trial' | 'submit_application' | 'subscribe';
type Rows = { readonly [K in SnakeCaseRows]: Pascal<K> } & {
  readonly begin_checkout: 'InitiateCheckout';
  readonly view_item: 'ViewContent';
  readonly view_item_list: 'ViewContent';
  readonly generate_lead: 'Lead';
  readonly sign_up: 'CompleteRegistration';
};

/**
 * Commanders Act standard event → Meta standard event: the seed connector's table (20 rows), parsed once from
 * ROWS so the web tag bundles fewer bytes; the type spells out every row.
 * The tag uses it to pick `fbq('track', …)` vs `fbq('trackCustom', …)`, the server to set `event_name`:
 * one table, so browser and server can never disagree (Meta deduplicates on event_name + event_id).
 */
export const META_EVENT_NAMES: { readonly [K in keyof Rows]: Rows[K] } = {} as Rows;

const table = META_EVENT_NAMES as Record<string, string>;
for (const row of ROWS.split(' ')) {
  const [ca, meta = ca] = row.split(':') as [string, string?];
  table[ca] = meta.replace(/(?:^|_)(.)/g, (_, c: string) => c.toUpperCase());
}

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
