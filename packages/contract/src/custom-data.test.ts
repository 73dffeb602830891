import { describe, expect, it } from 'vitest';
import { buildStandardCustomData, standardCustomData, toFiniteNumber } from './custom-data.js';

const P = { contentType: 'product' } as const;

describe('buildStandardCustomData', () => {
  it('maps a full purchase per the seed table', () => {
    const r = buildStandardCustomData({
      id: 'ORD-1', amount: 59.9, value: 1, revenue: 2, currency: 'eur', status: 'pending', search_term: 'x',
      items: [
        { quantity: 2, product: { id: 'SKU1', name: 'Shoe', price: 19.95, category_2: 'Shoes' } },
        { id: 'SKU2', quantity: '1', product: { name: 'Sock', price: '20', category_1: 'Socks' } },
      ],
    }, P);
    expect(r.warnings).toEqual([]);
    expect(r.customData).toEqual({
      value: 59.9, currency: 'EUR', order_id: 'ORD-1', status: 'pending', search_string: 'x',
      contents: [{ id: 'SKU1', quantity: 2, item_price: 19.95 }, { id: 'SKU2', quantity: 1, item_price: 20 }],
      content_ids: ['SKU1', 'SKU2'], num_items: 3, content_name: 'Shoe', content_category: 'Shoes',
      content_type: 'product',
    });
  });

  it('falls back value → revenue and accepts numeric strings', () => {
    expect(buildStandardCustomData({ value: '12.5' }, P).customData.value).toBe(12.5);
    expect(buildStandardCustomData({ revenue: 7 }, P).customData.value).toBe(7);
    expect(buildStandardCustomData({ amount: 0, value: 3 }, P).customData.value).toBe(0);
  });

  it('warns on non-numeric values and skips them', () => {
    const r = buildStandardCustomData({ amount: 'abc', value: 4 }, P);
    expect(r.customData.value).toBe(4);
    expect(r.warnings).toContain('amount: not a number');
  });

  it('prefers root name/category over items', () => {
    const r = buildStandardCustomData({ name: 'N', category: 'C', items: [{ product: { id: 1, name: 'x', category_1: 'y' } }] }, P);
    expect(r.customData).toMatchObject({ content_name: 'N', content_category: 'C', content_ids: ['1'] });
  });

  it('takes currency from the first product when absent at root', () => {
    expect(buildStandardCustomData({ items: [{ product: { id: 'a', currency: 'usd' } }] }, P).customData.currency).toBe('USD');
  });

  it('leaves content_type unset for null and sets product_group', () => {
    const items = [{ product: { id: 'g' } }];
    expect(buildStandardCustomData({ items }, { contentType: null }).customData).not.toHaveProperty('content_type');
    expect(buildStandardCustomData({ items }, { contentType: 'product_group' }).customData).toMatchObject({ content_type: 'product_group' });
  });

  it('sets content_type only on events with products (a page view has no content ids to describe)', () => {
    expect(buildStandardCustomData({}, P).customData).toEqual({});
    expect(buildStandardCustomData({ value: 5, items: [{ product: { name: 'no id' } }] }, P).customData).not.toHaveProperty('content_type');
    expect(buildStandardCustomData({ items: [{ id: 'a' }] }, P).customData.content_type).toBe('product');
  });

  it('num_items is the number of units (sum of quantities), an item without a usable quantity counting 1', () => {
    expect(buildStandardCustomData({ items: [{ id: 'shirt', quantity: 2 }] }, P).customData.num_items).toBe(2);
    expect(buildStandardCustomData({ items: [{ id: 'a', quantity: '3' }, { id: 'b' }, { id: 'c', quantity: 0 }] }, P).customData.num_items).toBe(5);
    expect(buildStandardCustomData({ num_items: 7, items: [{ id: 'a', quantity: 2 }] }, P).customData.num_items).toBe(7);
  });

  it('survives junk items and types', () => {
    const r = buildStandardCustomData({ items: [null, 3, { product: {} }], currency: 5, status: {} }, P);
    expect(r.customData.contents).toBeUndefined();
    expect(r.warnings).toEqual(['currency: not a string', 'items[0]: not an object', 'items[1]: not an object', 'items[2].product.id: missing']);
    expect(buildStandardCustomData({ items: 'x' }, P).warnings).toContain('items: not an array');
    expect(buildStandardCustomData(null as never, P).warnings).toEqual(['event: not an object']);
  });

  it('toFiniteNumber', () => {
    expect(toFiniteNumber(' 3 ')).toBe(3);
    expect(toFiniteNumber('')).toBeUndefined();
    expect(toFiniteNumber(Infinity)).toBeUndefined();
    expect(toFiniteNumber('1e400')).toBeUndefined();
  });

  it('standardCustomData (what the web tag calls, no warn) gives the same custom_data; warn hears each field', () => {
    const events = [
      { id: 7, amount: '9.5', currency: ' usd ', items: [{ product: { id: 'a', price: 2, name: ' N ', category_3: 'c' }, quantity: 3 }, null] },
      { value: 'x', revenue: 4, items: 'nope', status: true, search_term: 'q', num_items: '2' },
      { items: [{ id: 5 }, { product: {} }], currency: 3 },
    ];
    for (const e of events) {
      const seen: string[] = [];
      expect(standardCustomData(e, P)).toStrictEqual(buildStandardCustomData(e, P).customData);
      standardCustomData(e, P, (field, expected) => seen.push(field + ':' + (expected ?? 'missing')));
      expect(seen.map((x) => x.split(':')[0])).toEqual(buildStandardCustomData(e, P).warnings.map((x) => x.split(':')[0]));
    }
    expect(buildStandardCustomData(events[2]!, P).warnings).toEqual(['currency: not a string', 'items[1].product.id: missing']);
  });
});
