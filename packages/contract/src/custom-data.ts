/**
 * The structural Commanders Act → Meta `custom_data` mapping (seed table), shared by the web tag (fbq
 * params) and the server (CAPI custom_data), so both sides describe a conversion identically.
 * Written for size: the web tag bundles it under a 2.5 KB gzip budget (see the web-tag README). No ISO
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

const isObj = (v: unknown): v is Obj => typeof v == 'object' && v != null && !Array.isArray(v);

/** Finite number, or a numeric string (`"12.50"`); anything else → undefined. */
export function toFiniteNumber(v: unknown): number | undefined {
  const n = typeof v == 'number' || (typeof v == 'string' && v.trim()) ? Number(v) : NaN;
  return isFinite(n) ? n : undefined;
}

/** Trimmed non-empty string, else undefined. */
const str = (v: unknown): string | undefined => (typeof v == 'string' && v.trim()) || undefined;

/** Non-empty string (trimmed) or finite number → string; else undefined. */
const toId = (v: unknown): string | undefined => str(v) ?? (typeof v == 'number' && isFinite(v) ? '' + v : undefined);

/** Sets `o[k]` unless `v` is undefined (assignments only, no `delete`: keeps objects fast on the server). */
const put = (o: Obj, k: string, v: unknown): void => {
  if (v !== undefined) o[k] = v;
};

/** Hears about each unusable field: `expected` is the type it should have had; undefined means "missing". */
export type CustomDataWarn = (field: string, expected?: 'number' | 'string' | 'array' | 'object') => void;

/**
 * Maps a Commanders Act event to Meta's standard `custom_data` fields:
 * value = amount ?? value ?? revenue; currency (upper-case); items[] → contents + content_ids;
 * num_items; order_id = id; search_string = search_term; content_name = name ?? first product name;
 * content_category = category ?? first product.category_N (N 1..5); content_type; status.
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
export function standardCustomData(event: Obj, options: StandardCustomDataOptions, warn?: CustomDataWarn): Obj {
  const customData: Obj = {};
  const num = (k: string) => {
    const raw = event[k];
    const n = toFiniteNumber(raw);
    if (raw != null && n === undefined) warn?.(k, 'number');
    return n;
  };
  const product = (item: unknown) => (isObj(item) && isObj(item.product) ? item.product : undefined);

  put(customData, 'value', num('amount') ?? num('value') ?? num('revenue'));

  let items = event.items;
  if (!Array.isArray(items)) {
    if (items != null) warn?.('items', 'array');
    items = undefined;
  }
  const list = items as unknown[] | undefined;

  const currency = event.currency ?? product(list?.[0])?.currency;
  if (typeof currency == 'string') put(customData, 'currency', str(currency)?.toUpperCase());
  else if (currency != null) warn?.('currency', 'string');

  let firstName: string | undefined;
  let firstCategory: string | undefined;
  const contents: Obj[] = [];
  const ids: string[] = [];
  for (let i = 0; list && i < list.length; i++) {
    const item = list[i];
    if (!isObj(item)) {
      warn?.(`items[${i}]`, 'object');
      continue;
    }
    const p = product(item);
    const id = toId(p?.id) ?? toId(item.id);
    firstName ??= str(p?.name);
    for (let n = 1; p && !firstCategory && n < 6; n++) firstCategory = str(p['category_' + n]);
    if (id === undefined) {
      warn?.(`items[${i}].product.id`);
      continue;
    }
    const content: Obj = { id };
    put(content, 'quantity', toFiniteNumber(item.quantity));
    put(content, 'item_price', toFiniteNumber(p?.price) ?? toFiniteNumber(item.price));
    contents.push(content);
    ids.push(id);
  }
  if (contents.length) {
    customData.contents = contents;
    customData.content_ids = ids;
  }

  put(customData, 'num_items', num('num_items') ?? (list?.length || undefined));
  put(customData, 'order_id', toId(event.id));
  const search = event.search_term;
  put(customData, 'search_string', (typeof search == 'string' && search) || undefined);
  put(customData, 'content_name', str(event.name) ?? firstName);
  put(customData, 'content_category', str(event.category) ?? firstCategory);
  if (options.contentType !== null) customData.content_type = options.contentType;
  const status = event.status;
  if (typeof status == 'string' || typeof status == 'boolean') customData.status = status;
  return customData;
}
