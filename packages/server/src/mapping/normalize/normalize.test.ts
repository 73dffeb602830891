import { describe, expect, it } from 'vitest';
import {
  normalizeCity, normalizeCountry, normalizeDate, normalizeEmail, normalizeExternalId, normalizeGender, normalizeName,
  normalizePhone, normalizeState, normalizeZip,
} from './index.js';

const C = { year: 2024 };

describe('normalisers', () => {
  it('email', () => {
    expect(normalizeEmail(' A.B@Example.COM ')).toBe('a.b@example.com');
    expect(normalizeEmail('no at sign')).toBeUndefined();
  });
  it('phone', () => {
    expect(normalizePhone('+1 (650) 555-1212', C)).toBe('16505551212');
    expect(normalizePhone('0044 20 7946 0958', C)).toBe('442079460958');
    expect(normalizePhone('020 7946 0958', { ...C, defaultPhoneCountry: 'GB' })).toBe('442079460958');
    expect(normalizePhone('06 12 34 56 78', { ...C, country: 'fr', defaultPhoneCountry: 'US' })).toBe('33612345678');
    expect(normalizePhone('16505551212', C)).toBe('16505551212');
    expect(normalizePhone('12', C)).toBeUndefined();
    expect(normalizePhone('call me', C)).toBeUndefined();
  });
  it('names', () => {
    expect(normalizeName("O'Brien-Smith")).toBe('obriensmith');
    expect(normalizeName('  JOSÉ ')).toBe('josé');
    expect(normalizeName('...')).toBeUndefined();
  });
  it('gender synonyms', () => {
    for (const f of ['F', 'female', 'Woman', 'Mrs.', 'frau']) expect(normalizeGender(f)).toBe('f');
    for (const m of ['M', 'Male', 'man', 'Mr', 'homme']) expect(normalizeGender(m)).toBe('m');
    expect(normalizeGender('x')).toBeUndefined();
  });
  it('dates → YYYYMMDD within 1900..now', () => {
    expect(normalizeDate('19970216', C)).toBe('19970216');
    expect(normalizeDate('1997-02-16T00:00:00Z', C)).toBe('19970216');
    expect(normalizeDate('1997/2/6', C)).toBe('19970206');
    expect(normalizeDate('16/02/1997', C)).toBe('19970216');
    expect(normalizeDate('03.04.1997', C)).toBe('19970403');
    expect(normalizeDate('02/30/1997', C)).toBeUndefined();
    expect(normalizeDate('1899-12-31', C)).toBeUndefined();
    expect(normalizeDate('2025-01-01', C)).toBeUndefined();
    expect(normalizeDate('tomorrow', C)).toBeUndefined();
  });
  it('city, state, zip', () => {
    expect(normalizeCity('St. Louis 2')).toBe('stlouis');
    expect(normalizeState('New York', C)).toBe('ny');
    expect(normalizeState('CA', C)).toBe('ca');
    expect(normalizeState('Île-de-France', { ...C, country: 'fr' })).toBe('îledefrance');
    expect(normalizeZip('94025-1234', C)).toBe('94025');
    expect(normalizeZip('940251234', { ...C, country: 'us' })).toBe('94025');
    expect(normalizeZip('940251234', { ...C, country: 'br' })).toBe('940251234');
    expect(normalizeZip('00-950', { ...C, country: 'pl' })).toBe('00950');
    expect(normalizeZip('1', C)).toBeUndefined();
  });
  it('country names, alpha-3 and aliases → alpha-2', () => {
    expect(normalizeCountry('US')).toBe('us');
    expect(normalizeCountry('United Kingdom')).toBe('gb');
    expect(normalizeCountry('UK')).toBe('gb');
    expect(normalizeCountry('FRA')).toBe('fr');
    expect(normalizeCountry('Deutschland')).toBe('de');
    expect(normalizeCountry('Côte d’Ivoire')).toBe('ci');
    expect(normalizeCountry('Atlantis')).toBeUndefined();
    expect(normalizeCountry('zz')).toBeUndefined();
  });
  it('external_id', () => {
    expect(normalizeExternalId(' AB c1 ')).toBe('abc1');
    expect(normalizeExternalId('  ')).toBeUndefined();
  });
});
