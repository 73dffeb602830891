import { randomUUID } from 'node:crypto';

/**
 * Event factories in the tag's layout. `purchase()` passes both match-key policies (meta-baseline, the default, and commanders-act)
 * and Meta's rules: email + phone + name + city, page URL, UA/IP (for /v1/events; /collect takes them from
 * the request).
 */
export function purchase(overrides: Record<string, unknown> = {}, id: string = randomUUID()): Record<string, unknown> {
  return {
    event_name: 'purchase',
    id: `order-${id}`,
    value: 42.5,
    currency: 'EUR',
    context: { event_id: id, event_timestamp: Date.now(), page: { url: 'https://shop.example/checkout/done' } },
    integrations: { facebook: { event_id: id, fbp: 'fb.1.1700000000000.1234567890' } },
    browser: { user_agent: 'Mozilla/5.0 (test)', ip: '203.0.113.7' },
    user: { email: `shopper-${id}@example.com`, phone: '+33612345678', firstname: 'Ada', lastname: 'Lovelace', city: 'Paris', country: 'FR' },
    items: [{ product: { id: 'sku-1', price: 42.5, name: 'Widget' }, quantity: 1 }],
    ...overrides,
  };
}

/**
 * A purchase our mapping accepts but Meta (the sandbox) refuses. Ingest now repairs or refuses everything
 * Meta documents (a contents item without `id` is left out), so the refusal comes from the sandbox's test
 * rule: an event id starting with `sandbox-refuse-` (code 100, "Event Refused By Test Rule", naming
 * `data[N].event_id`).
 */
export function metaRejectedPurchase(id: string = randomUUID()): Record<string, unknown> {
  return purchase({}, `sandbox-refuse-${id}`);
}

/** The same event as sent by the browser tag to /collect (no server-only fields). */
export function browserPurchase(id: string = randomUUID()): Record<string, unknown> {
  const e = purchase({}, id);
  delete e.browser;
  return e;
}
