/** `add_to_cart` → `AddToCart`, at the type level. */
type Pascal<S extends string> = S extends `${infer H}_${infer T}` ? `${Capitalize<H>}${Pascal<T>}` : Capitalize<S>;

/** Seed rows whose Meta name is the PascalCase of the Commanders Act name (`add_to_cart` → `AddToCart`). */
const PASCAL_ROWS = [
  'purchase', 'add_to_cart', 'search', 'add_payment_info', 'add_to_wishlist', 'page_view', 'complete_registration',
  'contact', 'customize_product', 'donate', 'find_location', 'schedule', 'start_trial', 'submit_application', 'subscribe',
] as const;

/** The other seed rows. */
const RENAMED_ROWS = {
  begin_checkout: 'InitiateCheckout',
  view_item: 'ViewContent',
  view_item_list: 'ViewContent',
  generate_lead: 'Lead',
  sign_up: 'CompleteRegistration',
} as const;

type Rows = { readonly [K in (typeof PASCAL_ROWS)[number]]: Pascal<K> } & typeof RENAMED_ROWS;

/**
 * Commanders Act standard event → Meta standard event: the seed connector's table (20 rows), written as
 * PASCAL_ROWS + RENAMED_ROWS so the web tag bundles fewer bytes; the type spells out every row.
 * The tag uses it to pick `fbq('track', …)` vs `fbq('trackCustom', …)`, the server to set `event_name`:
 * one table, so browser and server can never disagree (Meta deduplicates on event_name + event_id).
 */
export const META_EVENT_NAMES: { readonly [K in keyof Rows]: Rows[K] } = Object.assign(
  Object.fromEntries(PASCAL_ROWS.map((n) => [n, n.replace(/(?:^|_)(.)/g, (_, c: string) => c.toUpperCase())])),
  RENAMED_ROWS,
) as Rows;

export type CommandersActStandardEvent = keyof typeof META_EVENT_NAMES;
export type MetaStandardEvent = (typeof META_EVENT_NAMES)[CommandersActStandardEvent];

/**
 * Meta's standard events (Pixel reference), PageView included: 18 names, which are exactly the values of
 * the seed table (checked by a test).
 */
export const META_STANDARD_EVENTS: ReadonlySet<string> = new Set<string>(Object.values(META_EVENT_NAMES));

export interface ResolvedEventName {
  /** The name Meta receives (browser `ev`, server `event_name`). */
  name: string;
  /** true → `fbq('track', …)`; false → `fbq('trackCustom', …)`. */
  standard: boolean;
}

/**
 * Resolves the Meta event name for a Commanders Act event name, honouring an explicit override
 * (`integrations.facebook.event_name`). Unmapped names are sent unchanged as custom events.
 */
export function resolveMetaEventName(eventName: string, override?: string): ResolvedEventName {
  const name = override ?? (Object.hasOwn(META_EVENT_NAMES, eventName)
    ? META_EVENT_NAMES[eventName as CommandersActStandardEvent]
    : eventName);
  return { name, standard: META_STANDARD_EVENTS.has(name) };
}

/** Meta: "Custom event names must be strings, and cannot exceed 50 characters". */
export const MAX_CUSTOM_EVENT_NAME_LENGTH = 50;
