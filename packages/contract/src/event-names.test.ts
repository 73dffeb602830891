import { describe, expect, it } from 'vitest';
import { META_EVENT_NAMES, META_STANDARD_EVENTS, commandersActEventName, isMetaStandardEvent, metaEventName } from './event-names.js';

const nameAndKind = (n: string, o?: string) => {
  const name = metaEventName(n, o);
  return { name, standard: isMetaStandardEvent(name) };
};

describe('metaEventName + isMetaStandardEvent', () => {
  it('maps every seed row to a Meta standard event', () => {
    for (const [ca, meta] of Object.entries(META_EVENT_NAMES)) {
      expect(nameAndKind(ca)).toEqual({ name: meta, standard: true });
    }
  });

  it('sends unmapped names unchanged as custom events', () => {
    expect(nameAndKind('newsletter_opt_in')).toEqual({ name: 'newsletter_opt_in', standard: false });
    expect(nameAndKind('toString')).toEqual({ name: 'toString', standard: false });
  });

  it('honours the integrations.facebook.event_name override', () => {
    expect(nameAndKind('purchase', 'BigPurchase')).toEqual({ name: 'BigPurchase', standard: false });
    expect(nameAndKind('my_lead', 'Lead')).toEqual({ name: 'Lead', standard: true });
  });

  it('knows the 18 Meta standard events', () => {
    expect(META_STANDARD_EVENTS.size).toBe(18);
    expect(META_EVENT_NAMES.view_item_list).toBe('ViewContent');
    expect(META_EVENT_NAMES.sign_up).toBe('CompleteRegistration');
  });

  it('is the seed table verbatim (the packed snake_case ROWS encoding changes nothing)', () => {
    const seed: typeof META_EVENT_NAMES = {
      begin_checkout: 'InitiateCheckout', purchase: 'Purchase', add_to_cart: 'AddToCart', view_item: 'ViewContent',
      view_item_list: 'ViewContent', search: 'Search', add_payment_info: 'AddPaymentInfo', add_to_wishlist: 'AddToWishlist',
      generate_lead: 'Lead', page_view: 'PageView', complete_registration: 'CompleteRegistration',
      sign_up: 'CompleteRegistration', contact: 'Contact', customize_product: 'CustomizeProduct', donate: 'Donate',
      find_location: 'FindLocation', schedule: 'Schedule', start_trial: 'StartTrial',
      submit_application: 'SubmitApplication', subscribe: 'Subscribe',
    };
    expect(META_EVENT_NAMES).toStrictEqual(seed);
    expect([...META_STANDARD_EVENTS].sort()).toEqual([
      'AddPaymentInfo', 'AddToCart', 'AddToWishlist', 'CompleteRegistration', 'Contact', 'CustomizeProduct',
      'Donate', 'FindLocation', 'InitiateCheckout', 'Lead', 'PageView', 'Purchase', 'Schedule', 'Search',
      'StartTrial', 'SubmitApplication', 'Subscribe', 'ViewContent',
    ]);
  });
});

describe('one resolver for tag and server', () => {
  it('trims the event name and the override before the table lookup', () => {
    expect(nameAndKind(' purchase ')).toEqual({ name: 'Purchase', standard: true });
    expect(nameAndKind('\tpage_view\n')).toEqual({ name: 'PageView', standard: true });
    expect(nameAndKind(' my_event ')).toEqual({ name: 'my_event', standard: false });
    expect(nameAndKind('purchase', ' Lead ')).toEqual({ name: 'Lead', standard: true });
    expect(nameAndKind('purchase', '   ')).toEqual({ name: 'Purchase', standard: true });
    expect(metaEventName(' add_to_cart ')).toBe('AddToCart');
  });

  it('maps a Meta name back to the first seed row (custom names kept) and round-trips', () => {
    expect(commandersActEventName('AddToCart')).toBe('add_to_cart');
    expect(commandersActEventName('ViewContent')).toBe('view_item');
    expect(['sign_up', 'complete_registration']).toContain(commandersActEventName('CompleteRegistration'));
    expect(commandersActEventName('InitiateCheckout')).toBe('begin_checkout');
    expect(commandersActEventName('MyThing')).toBe('MyThing');
    for (const meta of META_STANDARD_EVENTS) expect(metaEventName(commandersActEventName(meta))).toBe(meta);
  });

  it('a name is standard exactly when it maps back to a seed row (the web tag tells track from trackCustom so)', () => {
    const names = [...META_STANDARD_EVENTS, ...Object.keys(META_EVENT_NAMES), 'MyThing', 'purchase', 'pageView', 'Pageview', '', 'toString', '__proto__'];
    for (const n of names) expect(commandersActEventName(n) != n, n).toBe(isMetaStandardEvent(n));
  });
});
