import { describe, expect, it } from 'vitest';
import {
  isAmbiguousGender, isHexHash, normalizeCity, normalizeCountry, normalizeDate, normalizeEmail, normalizeExternalId, normalizeGender,
  normalizeName, normalizePhone, normalizeState, normalizeZip,
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

describe('normalisers: Meta-documented forms', () => {
  it('zip: US ZIP+4 with a dash, a space or none (with country US) → first 5 digits', () => {
    for (const z of ['94025-1234', '94025 1234', '94025–1234']) expect(normalizeZip(z, C)).toBe('94025');
    expect(normalizeZip('94025 1234', { ...C, country: 'us' })).toBe('94025');
    expect(normalizeZip('940251234', { ...C, country: 'us' })).toBe('94025');
    expect(normalizeZip('M1 1AE', { ...C, country: 'gb' })).toBe('m11ae');
  });
  it('country: Congo is cg; long and short English forms', () => {
    const cases: Array<[string, string]> = [
      ['Congo', 'cg'], ['Republic of the Congo', 'cg'], ['Congo-Brazzaville', 'cg'], ['Democratic Republic of the Congo', 'cd'],
      ['Congo, the Democratic Republic of the', 'cd'], ['DR Congo', 'cd'], ['The Netherlands', 'nl'], ['Korea, Republic of', 'kr'],
      ['South Korea', 'kr'], ["Korea, Democratic People's Republic of", 'kp'], ['Palestine', 'ps'], ['Palestine, State of', 'ps'],
      ['Vatican', 'va'], ['Holy See (Vatican City State)', 'va'], ['Virgin Islands, U.S.', 'vi'], ['Virgin Islands, British', 'vg'],
      ['Iran, Islamic Republic of', 'ir'], ['Bolivia, Plurinational State of', 'bo'], ['Taiwan, Province of China', 'tw'],
      ['United States of America', 'us'], ['Great Britain', 'gb'], ['U.K.', 'gb'],
    ];
    for (const [name, code] of cases) expect(normalizeCountry(name), name).toBe(code);
    for (const junk of ['Ger.', 'GermanyEurope', 'zz', 'uk-ish']) expect(normalizeCountry(junk), junk).toBeUndefined();
  });
  it('state: US abbreviations as written, accents ignored; other countries keep the name', () => {
    for (const [s, code] of [['Calif.', 'ca'], ['Fla.', 'fl'], ['Mass.', 'ma'], ['Penn.', 'pa'], ['Tex.', 'tx'], ['Califórnia', 'ca'], ['N.Y.', 'ny']] as const) {
      expect(normalizeState(s, { ...C, country: 'us' }), s).toBe(code);
    }
    expect(normalizeState('Mass.', { ...C, country: 'fr' })).toBe('mass');
    expect(normalizeState('Ontario', { ...C, country: 'ca' })).toBe('ontario');
  });
  it('dates: any unambiguous separator, format hints, Meta range', () => {
    const Y = { year: 2026 };
    const cases: Array<[string, string | undefined]> = [
      ['16–2–1997', '19970216'], ['12 31 1990', '19901231'], ['1990_12_31', '19901231'], ['12:31:1990', '19901231'],
      ['1990|12|31', '19901231'], ['2/16/1997 (mm/dd/yyyy)', '19970216'], ['03/04/1990 (dd/mm/yyyy)', '19900403'],
      ['03/04/1990', '19900304'], ['1990-15-06', '19900615'], ['01-01-1800', undefined], ['02-29-1900', undefined],
      ['01-01-2027', undefined], ['Born: 12-31-1990', undefined],
    ];
    for (const [raw, want] of cases) expect(normalizeDate(raw, Y), raw).toBe(want);
  });
  it('gender: titles map, ambiguous titles do not', () => {
    for (const t of ['Mr', 'Mr.', 'Sir', 'M.', 'Herr', 'Monsieur']) expect(normalizeGender(t), t).toBe('m');
    for (const t of ['Mrs', 'Ms.', 'Miss', 'Madam', "Ma'am", 'Mme', 'Frau', 'Lady']) expect(normalizeGender(t), t).toBe('f');
    for (const t of ['Dr', 'Dr.', 'Prof.', 'Mx']) {
      expect(normalizeGender(t), t).toBeUndefined();
      expect(isAmbiguousGender(t), t).toBe(true);
    }
    expect(isAmbiguousGender('banana')).toBe(false);
  });
  it('names: an MD5 hex is a hash, not letters', () => {
    expect(normalizeName('5d41402abc4b2a76b9719d911017c592')).toBeUndefined();
    expect(normalizeName('A665A45920422F9D417E4867EFDC4FB8A04A1F3FFF1FA07E998E86F7F7A27AE')).toBeUndefined(); // a cut SHA-256
    expect(normalizeCity('a665a45920422f9d417e4867efdc4fb8a04a1f3fff1fa07e998e86f7f7a27ae33')).toBeUndefined();
    expect(normalizeName('ABCDEFABCDEFABCDEFABCDEFABCDEFAB')).toBe('abcdefabcdefabcdefabcdefabcdefab'); // no digit: letters
    expect(isHexHash('5d41402abc4b2a76b9719d911017c592')).toBe(true);
    expect(normalizeName('Abcdef')).toBe('abcdef');
  });
  it('email: the structural checks of Meta\'s parameter builder', () => {
    for (const bad of ['a..b@example.com', '.a@example.com', 'a.@example.com', 'a@example..com', 'a@.example.com', 'a@example.com.', 'a;b@example.com', 'a@exa(mple.com']) {
      expect(normalizeEmail(bad), bad).toBeUndefined();
    }
    expect(normalizeEmail(' John_Smith+tag@Gmail.com ')).toBe('john_smith+tag@gmail.com');
  });
});
