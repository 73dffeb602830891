/**
 * The structural Commanders Act → Meta `custom_data` mapping (seed table), shared by the web tag (fbq
 * params) and the server (CAPI custom_data), so both sides describe a conversion identically.
 * Written for size: the web tag bundles it under a gzip budget (see the web-tag README). No ISO
 * lists here — the server validates currency codes.
 */

export interface StandardCustomDataOptions {
  /** `custom_data.content_type`; null leaves it unset. */
  contentType: 'product' | 'product_group' | null;
}

export interface StandardCustomDataResult {
  customData: Record<string, unknown>;
  /** Human-readable, each naming the field, e.g. `amount: not a number`. */
  warnings: string[];
}

type Obj = Record<string, unknown>;

export const isObj = (v: unknown): v is Obj => typeof v == 'object' && v != null && !Array.isArray(v);

/** Finite number, or a numeric string (`"12.50"`); anything else → undefined. */
export const toFiniteNumber = (v: unknown): number | undefined => {
  const n = typeof v == 'number' || str(v) ? Number(v) : NaN;
  return isFinite(n) ? n : undefined;
};

/** Trimmed non-empty string, else undefined. */
const str = (v: unknown): string | undefined => (typeof v == 'string' && v.trim()) || undefined;

/** Non-empty string (trimmed) or finite number → string; else undefined. */
const toId = (v: unknown): string | undefined => str(v) ?? (Number.isFinite(v) ? '' + v : undefined);

/** A copy of `o` without its undefined values (a copy, not `delete`: keeps objects fast on the server). */
const defined = (o: Obj): Obj => {
  const out: Obj = {};
  for (const k in o) if (o[k] !== undefined) out[k] = o[k];
  return out;
};

/** Hears about each unusable field: `expected` is the type it should have had; undefined means "missing". */
export type CustomDataWarn = (field: string, expected?: 'number' | 'string' | 'array' | 'object') => void;

/**
 * Maps a Commanders Act event to Meta's standard `custom_data` fields:
 * value = amount ?? value ?? revenue; currency (upper-case); items[] → contents + content_ids;
 * num_items (sum of quantities); order_id = id; search_string = search_term; content_name = name ?? first product name;
 * content_category = category ?? first product.category_N (N 1..5); content_type (only with contents); status.
 */
export function buildStandardCustomData(event: Obj, options: StandardCustomDataOptions): StandardCustomDataResult {
  const warnings: string[] = [];
  if (!isObj(event)) return { customData: {}, warnings: ['event: not an object'] };
  const customData = standardCustomData(event, options, (field, expected) =>
    warnings.push(field + ': ' + (expected ? 'not ' + (/^[ao]/.test(expected) ? 'an ' : 'a ') + expected : 'missing')),
  );
  return { customData, warnings };
}

/**
 * The mapping behind buildStandardCustomData, for an event known to be an object. The web tag calls it
 * without `warn`, so the warning texts stay out of its bundle.
 */
export const standardCustomData = (event: Obj, options: StandardCustomDataOptions, warn?: CustomDataWarn): Obj => {
  const num = (k: string) => {
    const n = toFiniteNumber(event[k]);
    if (event[k] != null && n === undefined) warn?.(k, 'number');
    return n;
  };
  const product = (item: unknown) => (isObj(item) && isObj(item.product) ? item.product : undefined);
  const value = num('amount') ?? num('value') ?? num('revenue');
  let items = event.items as unknown[];
  if (!Array.isArray(items)) {
    if (items != null) warn?.('items', 'array');
    items = [];
  }
  const currency = event.currency ?? product(items[0])?.currency;
  if (typeof currency != 'string' && currency != null) warn?.('currency', 'string');

  let firstName: string | undefined;
  let firstCategory: string | undefined;
  const contents: Obj[] = [];
  const ids: string[] = [];
  let units = 0;
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (!isObj(item)) {
      warn?.(`items[${i}]`, 'object');
      continue;
    }
    const p = product(item);
    const id = toId(p?.id) ?? toId(item.id);
    units += toFiniteNumber(item.quantity) || 1;
    firstName ??= str(p?.name);
    for (let n = 1; p && !firstCategory && n < 6; n++) firstCategory = str(p['category_' + n]);
    if (!id) {
      warn?.(`items[${i}].product.id`);
      continue;
    }
    contents.push(defined({ id, quantity: toFiniteNumber(item.quantity), item_price: toFiniteNumber(p?.price) ?? toFiniteNumber(item.price) }));
    ids.push(id);
  }
  const search = event.search_term;
  const status = event.status;
  return defined({
    value,
    currency: str(currency)?.toUpperCase(),
    contents: contents[0] && contents,
    content_ids: contents[0] && ids,
    // Meta: "the number of items that a user tries to buy": units (2 shirts → 2), not lines.
    num_items: num('num_items') ?? (units || undefined),
    order_id: toId(event.id),
    search_string: (typeof search == 'string' && search) || undefined,
    content_name: str(event.name) ?? firstName,
    content_category: str(event.category) ?? firstCategory,
    // Only events about products (PageView, Lead… have none) describe what their content ids are.
    content_type: (contents[0] && options.contentType) || undefined,
    status: typeof status == 'string' || status === !!status ? status : undefined,
  });
};
