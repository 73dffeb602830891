/**
 * The structural Commanders Act → Meta `custom_data` mapping (seed table), shared by the web tag (fbq
 * params) and the server (CAPI custom_data), so both sides describe a conversion identically.
 * Kept tiny and dependency-free: the web tag bundles it under a 2.5 KB gzip budget. No ISO lists here —
 * the server validates currency codes.
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

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Finite number, or a numeric string (`"12.50"`); anything else → undefined. */
export function toFiniteNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/** Non-empty string (trimmed) or finite number → string; else undefined. */
function toId(v: unknown): string | undefined {
  if (typeof v === 'string') {
    const s = v.trim();
    return s === '' ? undefined : s;
  }
  return typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined;
}

function num(event: Obj, key: string, warnings: string[]): number | undefined {
  const raw = event[key];
  if (raw === undefined || raw === null) return undefined;
  const n = toFiniteNumber(raw);
  if (n === undefined) warnings.push(`${key}: not a number`);
  return n;
}

/**
 * Maps a Commanders Act event to Meta's standard `custom_data` fields:
 * value = amount ?? value ?? revenue; currency (upper-case); items[] → contents + content_ids;
 * num_items; order_id = id; search_string = search_term; content_name = name ?? first product name;
 * content_category = category ?? first product.category_N (N 1..5); content_type; status.
 */
export function buildStandardCustomData(
  event: Record<string, unknown>,
  options: StandardCustomDataOptions,
): StandardCustomDataResult {
  const warnings: string[] = [];
  const cd: Obj = {};
  if (!isObj(event)) return { customData: cd, warnings: ['event: not an object'] };

  const value = num(event, 'amount', warnings) ?? num(event, 'value', warnings) ?? num(event, 'revenue', warnings);
  if (value !== undefined) cd.value = value;

  const items = Array.isArray(event.items) ? event.items : undefined;
  if (event.items !== undefined && event.items !== null && !items) warnings.push('items: not an array');

  let currency = event.currency;
  if (currency === undefined || currency === null) {
    const first = items?.[0];
    const product = isObj(first) ? first.product : undefined;
    currency = isObj(product) ? product.currency : undefined;
  }
  if (typeof currency === 'string') {
    const c = currency.trim().toUpperCase();
    if (c !== '') cd.currency = c;
  } else if (currency !== undefined && currency !== null) {
    warnings.push('currency: not a string');
  }

  let firstName: string | undefined;
  let firstCategory: string | undefined;
  if (items && items.length > 0) {
    const contents: Obj[] = [];
    const ids: string[] = [];
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      if (!isObj(item)) {
        warnings.push(`items[${i}]: not an object`);
        continue;
      }
      const product = isObj(item.product) ? item.product : undefined;
      const id = toId(product?.id) ?? toId(item.id);
      if (firstName === undefined && typeof product?.name === 'string' && product.name.trim() !== '') {
        firstName = product.name.trim();
      }
      if (firstCategory === undefined && product) {
        for (let n = 1; n <= 5; n++) {
          const c = product[`category_${n}`];
          if (typeof c === 'string' && c.trim() !== '') {
            firstCategory = c.trim();
            break;
          }
        }
      }
      if (id === undefined) {
        warnings.push(`items[${i}].product.id: missing`);
        continue;
      }
      const content: Obj = { id };
      const quantity = toFiniteNumber(item.quantity);
      if (quantity !== undefined) content.quantity = quantity;
      const price = toFiniteNumber(product?.price) ?? toFiniteNumber(item.price);
      if (price !== undefined) content.item_price = price;
      contents.push(content);
      ids.push(id);
    }
    if (contents.length > 0) {
      cd.contents = contents;
      cd.content_ids = ids;
    }
  }

  const numItems = num(event, 'num_items', warnings) ?? (items && items.length > 0 ? items.length : undefined);
  if (numItems !== undefined) cd.num_items = numItems;

  const orderId = toId(event.id);
  if (orderId !== undefined) cd.order_id = orderId;

  if (typeof event.search_term === 'string' && event.search_term !== '') cd.search_string = event.search_term;

  const name = typeof event.name === 'string' && event.name.trim() !== '' ? event.name.trim() : firstName;
  if (name !== undefined) cd.content_name = name;

  const category = typeof event.category === 'string' && event.category.trim() !== '' ? event.category.trim() : firstCategory;
  if (category !== undefined) cd.content_category = category;

  if (options.contentType !== null) cd.content_type = options.contentType;

  const status = event.status;
  if (typeof status === 'string' || typeof status === 'boolean') cd.status = status;

  return { customData: cd, warnings };
}
