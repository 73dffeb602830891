import { describe, expect, it } from 'vitest';
import { normalizeConfig } from './config.js';

describe('normalizeConfig', () => {
  it('pixelId: id, number, array or comma list', () => {
    expect(normalizeConfig({ pixelId: '1, 2,,3 ' }).pixelId).toEqual(['1', '2', '3']);
    expect(normalizeConfig({ pixelId: 42 }).pixelId).toEqual(['42']);
    expect(normalizeConfig({ pixelId: ['4', 5] }).pixelId).toEqual(['4', '5']);
  });
  it('debug from attributes', () => {
    expect(normalizeConfig({ debug: '' }).debug).toBe(true);
    expect(normalizeConfig({ debug: 'true' }).debug).toBe(true);
    expect(normalizeConfig({ debug: true }).debug).toBe(true);
    expect(normalizeConfig({ debug: 'false' }).debug).toBe(false);
    expect(normalizeConfig({}).debug).toBeUndefined();
  });
  it('consentCategory becomes a string; empty means none', () => {
    expect(normalizeConfig({ consentCategory: 3 }).consentCategory).toBe('3');
    expect(normalizeConfig({ consentCategory: '' }).consentCategory).toBeUndefined();
  });
  it('advancedMatching JSON; contentType "null"', () => {
    expect(normalizeConfig({ advancedMatching: '{"em":"x"}' }).advancedMatching).toEqual({ em: 'x' });
    expect(normalizeConfig({ advancedMatching: { ph: '1' } }).advancedMatching).toEqual({ ph: '1' });
    expect(normalizeConfig({ contentType: 'null' }).contentType).toBeNull();
  });
});
