import { toFiniteNumber } from '@capi-bridge/contract';
import { contactWarning, keyContactKind, stringContactKind, valueContactKind, type PersonalKind } from './personal-data.js';
import { describe, isObj, type Obj } from './util.js';

/** Meta's custom_data.delivery_category values. */
const DELIVERY_CATEGORIES: ReadonlySet<string> = new Set(['in_store', 'curbside', 'home_delivery']);
const NONE: Obj = {};
const CONTENT_TYPES: ReadonlySet<string> = new Set(['product', 'product_group']);

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

function checkString(cd: Obj, k: string, v: unknown, warnings: string[]): void {
  if (typeof v === 'string') return;
  if (typeof v === 'number' && Number.isFinite(v)) cd[k] = String(v);
  else {
    warnings.push(`custom_data.${k}: not a string (${describe(v)}), dropped`);
    delete cd[k];
  }
}

function checkNumber(cd: Obj, k: string, v: unknown, warnings: string[]): void {
  if (typeof v === 'number' && Number.isFinite(v)) return;
  const n = toFiniteNumber(v);
  if (n !== undefined) cd[k] = n;
  else {
    warnings.push(`custom_data.${k}: not a number (${describe(v)}), dropped`);
    delete cd[k];
  }
}

function checkEnum(cd: Obj, k: string, v: unknown, allowed: ReadonlySet<string>, what: string, warnings: string[]): void {
  if (typeof v === 'string' && allowed.has(v)) return;
  warnings.push(`custom_data.${k}: not ${what} (${describe(v)}), dropped`);
  delete cd[k];
}

function isStringList(v: unknown): boolean {
  if (!Array.isArray(v)) return false;
  for (let i = 0; i < v.length; i++) if (typeof v[i] !== 'string' || v[i] === '') return false;
  return true;
}

/** Contact information in contents built by the standard mapping: items are exactly { id, quantity, item_price }. */
function contentsIdsKind(contents: unknown): PersonalKind | undefined {
  if (!Array.isArray(contents)) return undefined;
  for (let i = 0; i < contents.length; i++) {
    const id: unknown = (contents[i] as Obj).id;
    const kind = typeof id === 'string' ? stringContactKind('id', id) : undefined;
    if (kind !== undefined) return kind;
  }
  return undefined;
}

function stringsKind(list: unknown): PersonalKind | undefined {
  if (!Array.isArray(list)) return undefined;
  for (let i = 0; i < list.length; i++) {
    const v: unknown = list[i];
    const kind = typeof v === 'string' ? stringContactKind('', v) : undefined;
    if (kind !== undefined) return kind;
  }
  return undefined;
}

function dropContact(cd: Obj, k: string, kind: PersonalKind, warnings: string[]): void {
  delete cd[k];
  warnings.push(contactWarning(k, kind, false));
}

/** A string standard key: contact information in it drops it. */
function scanString(cd: Obj, k: string, v: unknown, warnings: string[]): void {
  const kind = typeof v === 'string' ? stringContactKind(k, v) : undefined;
  if (kind !== undefined) dropContact(cd, k, kind, warnings);
}

/**
 * The common case, custom_data from the standard mapping alone (no overrides, no copied properties): its
 * types are the contract's (contents items { id: string, quantity?, item_price? }, string ids and names), so
 * only Meta's contents rule and the contact-information scan remain. Direct reads, no walk over the keys.
 */
function standardOnly(cd: Obj, warnings: string[]): void {
  if (cd.contents !== undefined) checkContents(cd, warnings);
  const ids = cd.content_ids;
  if (ids !== undefined) {
    const kind = stringsKind(ids);
    if (kind !== undefined) {
      dropContact(cd, 'content_ids', kind, warnings);
      // The same ids are the contents items' ids.
      if (cd.contents !== undefined) dropContact(cd, 'contents', kind, warnings);
    }
  } else if (cd.contents !== undefined) {
    const kind = contentsIdsKind(cd.contents);
    if (kind !== undefined) dropContact(cd, 'contents', kind, warnings);
  }
  if (cd.content_name !== undefined) scanString(cd, 'content_name', cd.content_name, warnings);
  if (cd.content_category !== undefined) scanString(cd, 'content_category', cd.content_category, warnings);
  if (cd.order_id !== undefined) scanString(cd, 'order_id', cd.order_id, warnings);
  if (cd.search_string !== undefined) scanString(cd, 'search_string', cd.search_string, warnings);
  if (typeof cd.status === 'string') scanString(cd, 'status', cd.status, warnings);
}

/**
 * custom_data as Meta validates it, after the standard mapping and the overrides (`overrides` =
 * integrations.facebook.custom_data when it is an object): every standard key has the type and values Meta
 * accepts; what does not is repaired (a number id becomes a string, a lone content id a list) or left out
 * with a warning naming the field. In the same pass, a key whose value (at any depth) or name carries a plain
 * e-mail address or phone number is dropped with a warning naming the key, never the value. `value` and
 * `currency` are checked by the caller. `copiedProperties`: sendAllProperties copied root properties in.
 * One pass over the keys present (or, for the standard mapping alone, direct reads): this runs on every event.
 */
export function enforceCustomDataRules(cd: Obj, overrides: Obj | undefined, copiedProperties: boolean, warnings: string[]): void {
  if (overrides === undefined && !copiedProperties) {
    standardOnly(cd, warnings);
    return;
  }
  for (const k in cd) {
    const v = cd[k];
    if (v === undefined) continue;
    let contact: PersonalKind | undefined;
    switch (k) {
      case 'value': case 'currency': break;
      case 'contents':
        checkContents(cd, warnings);
        // Items of the standard mapping hold only id/quantity/item_price, and their ids are content_ids too
        // (checked there); an override's items may hold anything.
        if (overrides !== undefined && Object.hasOwn(overrides, 'contents')) contact = valueContactKind(k, cd.contents);
        else if (cd.content_ids === undefined || Object.hasOwn(overrides ?? NONE, 'content_ids')) contact = contentsIdsKind(cd.contents);
        break;
      case 'content_ids':
        if (!isStringList(v)) checkContentIds(cd, warnings);
        contact = stringsKind(cd.content_ids);
        break;
      case 'content_type': checkEnum(cd, k, v, CONTENT_TYPES, 'product or product_group', warnings); break;
      case 'delivery_category': checkEnum(cd, k, v, DELIVERY_CATEGORIES, 'in_store, curbside or home_delivery', warnings); break;
      case 'status':
        if (typeof v === 'string') contact = stringContactKind(k, v);
        else if (typeof v !== 'boolean') {
          warnings.push(`custom_data.status: not a string or boolean (${describe(v)}), dropped`);
          delete cd.status;
        }
        break;
      case 'order_id': case 'search_string': case 'content_name': case 'content_category': case 'item_number':
        checkString(cd, k, v, warnings);
        if (typeof cd[k] === 'string') contact = stringContactKind(k, cd[k] as string);
        break;
      case 'num_items': case 'predicted_ltv': case 'net_revenue':
        checkNumber(cd, k, v, warnings);
        break;
      default: {
        const inName = keyContactKind(k);
        contact = inName ?? (v === null || typeof v === 'boolean' ? undefined : valueContactKind(k, v));
        if (contact !== undefined) {
          delete cd[k];
          warnings.push(contactWarning(k, contact, inName !== undefined));
        }
        continue;
      }
    }
    if (contact !== undefined && cd[k] !== undefined) {
      delete cd[k];
      warnings.push(contactWarning(k, contact, false));
    }
  }
}
