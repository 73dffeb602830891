import { toFiniteNumber } from '@capi-bridge/contract';
import { describe, isObj, type Obj } from './util.js';

/** Meta's custom_data.delivery_category values. */
const DELIVERY_CATEGORIES: ReadonlySet<string> = new Set(['in_store', 'curbside', 'home_delivery']);
const CONTENT_TYPES: ReadonlySet<string> = new Set(['product', 'product_group']);
/** Standard keys Meta reads as strings (a number is accepted and sent as its string). */
const STRING_KEYS = ['order_id', 'search_string', 'content_name', 'content_category', 'item_number'] as const;
const NUMBER_KEYS = ['num_items', 'predicted_ltv', 'net_revenue'] as const;

/** A content id: a non-empty string (trimmed) or a finite number as a string; else undefined. */
function contentId(v: unknown): string | undefined {
  if (typeof v === 'string') {
    const t = v.trim();
    return t === '' ? undefined : t;
  }
  return typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined;
}

/** contents: items with an id and a numeric quantity (Meta requires both); others left out, with a warning. */
function checkContents(cd: Obj, warnings: string[]): void {
  const raw = cd.contents;
  if (!Array.isArray(raw)) {
    warnings.push(`custom_data.contents: not an array (${describe(raw)}), dropped`);
    delete cd.contents;
    return;
  }
  // Fast path (the standard mapping's output): every item already well-formed.
  let clean = true;
  for (let i = 0; i < raw.length; i++) {
    const item: unknown = raw[i];
    if (!isObj(item) || typeof item.id !== 'string' || item.id === '' || typeof item.quantity !== 'number' || !Number.isFinite(item.quantity)
      || (item.item_price !== undefined && (typeof item.item_price !== 'number' || !Number.isFinite(item.item_price)))) {
      clean = false;
      break;
    }
  }
  if (clean && raw.length > 0) return;
  const kept: Obj[] = [];
  for (let i = 0; i < raw.length; i++) {
    const item: unknown = raw[i];
    const field = `custom_data.contents[${i}]`;
    if (!isObj(item)) {
      warnings.push(`${field}: not an object (${describe(item)}), left out of contents`);
      continue;
    }
    const id = contentId(item.id);
    const quantity = toFiniteNumber(item.quantity);
    if (id === undefined || quantity === undefined) {
      const missing = id === undefined && quantity === undefined ? 'id and quantity' : id === undefined ? 'id' : 'quantity';
      warnings.push(`${field}: no usable ${missing} (Meta requires id and quantity), left out of contents`);
      continue;
    }
    const out: Obj = { ...item, id, quantity };
    if (item.item_price !== undefined) {
      const price = toFiniteNumber(item.item_price);
      if (price === undefined) {
        warnings.push(`${field}.item_price: not a number (${describe(item.item_price)}), dropped`);
        delete out.item_price;
      } else out.item_price = price;
    }
    kept.push(out);
  }
  if (kept.length > 0) cd.contents = kept;
  else delete cd.contents;
}

function checkContentIds(cd: Obj, warnings: string[]): void {
  const raw = cd.content_ids;
  const list = Array.isArray(raw) ? raw : [raw];
  const ids: string[] = [];
  let bad = 0;
  for (const v of list) {
    const id = contentId(v);
    if (id === undefined) bad++;
    else ids.push(id);
  }
  if (bad > 0) warnings.push(`custom_data.content_ids: ${bad} value(s) not a non-empty string or number, left out`);
  if (ids.length > 0) cd.content_ids = ids;
  else delete cd.content_ids;
}

/**
 * custom_data as Meta validates it, after the standard mapping and the overrides: every standard key has the
 * type and values Meta accepts; what does not is repaired (a number id becomes a string, a lone content id a
 * list) or left out with a warning naming the field. `value` and `currency` are checked by the caller.
 */
export function enforceCustomDataRules(cd: Obj, warnings: string[]): void {
  if (cd.contents !== undefined) checkContents(cd, warnings);
  if (cd.content_ids !== undefined && !(Array.isArray(cd.content_ids) && cd.content_ids.every((x) => typeof x === 'string' && x !== ''))) {
    checkContentIds(cd, warnings);
  }
  const ct = cd.content_type;
  if (ct !== undefined && !(typeof ct === 'string' && CONTENT_TYPES.has(ct))) {
    warnings.push(`custom_data.content_type: not product or product_group (${describe(ct)}), dropped`);
    delete cd.content_type;
  }
  const dc = cd.delivery_category;
  if (dc !== undefined && !(typeof dc === 'string' && DELIVERY_CATEGORIES.has(dc))) {
    warnings.push(`custom_data.delivery_category: not in_store, curbside or home_delivery (${describe(dc)}), dropped`);
    delete cd.delivery_category;
  }
  const st = cd.status;
  if (st !== undefined && typeof st !== 'string' && typeof st !== 'boolean') {
    warnings.push(`custom_data.status: not a string or boolean (${describe(st)}), dropped`);
    delete cd.status;
  }
  for (const k of STRING_KEYS) {
    const v = cd[k];
    if (v === undefined || typeof v === 'string') continue;
    if (typeof v === 'number' && Number.isFinite(v)) cd[k] = String(v);
    else {
      warnings.push(`custom_data.${k}: not a string (${describe(v)}), dropped`);
      delete cd[k];
    }
  }
  for (const k of NUMBER_KEYS) {
    const v = cd[k];
    if (v === undefined || (typeof v === 'number' && Number.isFinite(v))) continue;
    const n = toFiniteNumber(v);
    if (n !== undefined) cd[k] = n;
    else {
      warnings.push(`custom_data.${k}: not a number (${describe(v)}), dropped`);
      delete cd[k];
    }
  }
}
