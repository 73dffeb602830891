/**
 * Commanders Act standard event → Meta standard event. The seed connector's table, verbatim.
 * The tag uses it to pick `fbq('track', …)` vs `fbq('trackCustom', …)`, the server to set `event_name`:
 * one table, so browser and server can never disagree (Meta deduplicates on event_name + event_id).
 */
export const META_EVENT_NAMES = {
  begin_checkout: 'InitiateCheckout',
  purchase: 'Purchase',
  add_to_cart: 'AddToCart',
  view_item: 'ViewContent',
  view_item_list: 'ViewContent',
  search: 'Search',
  add_payment_info: 'AddPaymentInfo',
  add_to_wishlist: 'AddToWishlist',
  generate_lead: 'Lead',
  page_view: 'PageView',
  complete_registration: 'CompleteRegistration',
  sign_up: 'CompleteRegistration',
  contact: 'Contact',
  customize_product: 'CustomizeProduct',
  donate: 'Donate',
  find_location: 'FindLocation',
  schedule: 'Schedule',
  start_trial: 'StartTrial',
  submit_application: 'SubmitApplication',
  subscribe: 'Subscribe',
} as const satisfies Record<string, string>;

export type CommandersActStandardEvent = keyof typeof META_EVENT_NAMES;
export type MetaStandardEvent = (typeof META_EVENT_NAMES)[CommandersActStandardEvent];

/** Meta's standard events (Pixel reference), PageView included. */
export const META_STANDARD_EVENTS: ReadonlySet<string> = new Set<string>([
  'AddPaymentInfo', 'AddToCart', 'AddToWishlist', 'CompleteRegistration', 'Contact', 'CustomizeProduct',
  'Donate', 'FindLocation', 'InitiateCheckout', 'Lead', 'PageView', 'Purchase', 'Schedule', 'Search',
  'StartTrial', 'SubmitApplication', 'Subscribe', 'ViewContent',
]);

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
