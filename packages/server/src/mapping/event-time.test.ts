import { afterEach, describe, expect, it } from 'vitest';
import { parseTimestamp } from './event-time.js';

const originalTz = process.env.TZ;

describe('parseTimestamp: ISO times without an offset are UTC (Meta: event_time is GMT)', () => {
  afterEach(() => {
    if (originalTz === undefined) delete process.env.TZ;
    else process.env.TZ = originalTz;
  });

  // Node re-reads process.env.TZ when it is assigned, so one process can play hosts in several zones.
  for (const tz of ['UTC', 'America/New_York', 'Asia/Tokyo', 'Pacific/Chatham']) {
    it(`reads 2025-12-06T05:45:40 as 05:45:40 UTC on a host in ${tz}`, () => {
      process.env.TZ = tz;
      if (tz !== 'UTC') expect(new Date(2025, 11, 6).getTimezoneOffset()).not.toBe(0); // the zone really changed
      const utc = Date.UTC(2025, 11, 6, 5, 45, 40) / 1000;
      expect(parseTimestamp('2025-12-06T05:45:40')).toBe(utc);
      expect(parseTimestamp('2025-12-06 05:45:40')).toBe(utc);
      expect(parseTimestamp('2025-12-06T05:45:40.250')).toBe(utc);
      expect(parseTimestamp('2025-12-06T05:45')).toBe(utc - 40);
      expect(parseTimestamp('2025-12-06')).toBe(Date.UTC(2025, 11, 6) / 1000);
      // An explicit offset is honoured.
      expect(parseTimestamp('2025-12-06T05:45:40Z')).toBe(utc);
      expect(parseTimestamp('2025-12-06T06:45:40+01:00')).toBe(utc);
      expect(parseTimestamp('2025-12-06T00:45:40-05:00')).toBe(utc);
    });
  }
});
