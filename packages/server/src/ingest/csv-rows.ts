/**
 * Commanders Act conversion-file layout → JSON events. Pure.
 *
 * - The header names dotted paths of the JSON event: `id`, `user.email`, `consent_categories`,
 *   `context.event_timestamp`, `items.product.id`, `items.quantity`… Paths under `items.` describe the one
 *   item a row carries.
 * - Consecutive rows with the same non-empty `id` are one conversion: root fields come from its first row,
 *   each row adds its item. (Only consecutive rows are grouped: sort the file by `id` first.)
 * - Cells are strings; known numeric paths are converted to numbers; empty cells are left out.
 */
export const NUMERIC_PATHS = new Set([
  'value', 'amount', 'revenue', 'num_items', 'timestamp', 'event_timestamp', 'context.event_timestamp',
  'items.quantity', 'items.price', 'items.product.price', 'items.product.quantity',
]);

const PATH_RE = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;
const NUMBER_RE = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/;
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

export type HeaderCheck = { ok: true; paths: string[] } | { ok: false; field: string; detail: string };

export function checkHeader(header: readonly string[]): HeaderCheck {
  const seen = new Set<string>();
  const paths: string[] = [];
  for (const [i, raw] of header.entries()) {
    const h = raw.trim();
    if (!PATH_RE.test(h)) return { ok: false, field: `column ${i + 1}`, detail: `header ${JSON.stringify(raw.slice(0, 100))} is not a dotted path like user.email` };
    if (h.split('.').some((p) => FORBIDDEN.has(p))) return { ok: false, field: h, detail: `header ${JSON.stringify(h)} uses a reserved name` };
    if (seen.has(h)) return { ok: false, field: h, detail: `header ${JSON.stringify(h)} appears twice` };
    if (h === 'items') return { ok: false, field: h, detail: 'use items.<field> columns (e.g. items.product.id)' };
    seen.add(h);
    paths.push(h);
  }
  return { ok: true, paths };
}

export type CellResult = { ok: true; value: string | number } | { ok: false; detail: string };

export function convertCell(path: string, cell: string): CellResult {
  if (!NUMERIC_PATHS.has(path)) return { ok: true, value: cell };
  const t = cell.trim();
  if (!NUMBER_RE.test(t)) return { ok: false, detail: `expected a number, got ${JSON.stringify(cell.slice(0, 50))}` };
  return { ok: true, value: Number(t) };
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (let i = 0; i < path.length - 1; i++) {
    const k = path[i]!;
    const next = node[k];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[k] = {};
    node = node[k] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}

export type RowResult =
  | { ok: true; id?: string; root: Record<string, unknown>; item?: Record<string, unknown> }
  | { ok: false; field: string; detail: string };

/** One CSV record → its root fields and its item (if any item cell is set). */
export function rowToParts(paths: readonly string[], record: readonly string[]): RowResult {
  const root: Record<string, unknown> = {};
  let item: Record<string, unknown> | undefined;
  for (let i = 0; i < paths.length; i++) {
    const cell = record[i];
    if (cell === undefined || cell === '') continue;
    const path = paths[i]!;
    const c = convertCell(path, cell);
    if (!c.ok) return { ok: false, field: path, detail: c.detail };
    if (path.startsWith('items.')) {
      item ??= {};
      setPath(item, path.slice(6).split('.'), c.value);
    } else setPath(root, path.split('.'), c.value);
  }
  const id = typeof root.id === 'string' ? root.id : typeof root.id === 'number' ? String(root.id) : undefined;
  const out: RowResult = { ok: true, root };
  if (id !== undefined) out.id = id;
  if (item !== undefined) out.item = item;
  return out;
}

export interface Conversion {
  event: Record<string, unknown>;
  /** File line numbers of the rows that make it (header = line 1). */
  rows: number[];
}

/** Groups consecutive rows sharing an `id` into conversions. Feed rows, collect what `push` returns. */
export class ConversionGrouper {
  #current: (Conversion & { id?: string }) | undefined;

  /** Returns the conversion completed by this row, if any. */
  push(row: number, parts: Extract<RowResult, { ok: true }>): Conversion | undefined {
    const cur = this.#current;
    if (cur && cur.id !== undefined && parts.id === cur.id) {
      if (parts.item) (cur.event.items as unknown[]).push(parts.item);
      cur.rows.push(row);
      return undefined;
    }
    const done = this.flush();
    const event: Record<string, unknown> = { ...parts.root, items: parts.item ? [parts.item] : [] };
    this.#current = { event, rows: [row], ...(parts.id !== undefined ? { id: parts.id } : {}) };
    return done;
  }

  flush(): Conversion | undefined {
    const cur = this.#current;
    this.#current = undefined;
    if (!cur) return undefined;
    if ((cur.event.items as unknown[]).length === 0) delete cur.event.items;
    return { event: cur.event, rows: cur.rows };
  }
}
