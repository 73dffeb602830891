import { describe, expect, it } from 'vitest';
import { compare } from './compare.js';
import { renderTable } from './table.js';

describe('renderTable', () => {
  it('shows one row per event, notes for failures and a summary', () => {
    const report = compare(
      [
        { pixelId: 'P', eventName: 'Purchase', eventId: 'paired-1', fbp: 'f', url: '' },
        { pixelId: 'P', eventName: 'Lead', eventId: 'lonely-1', fbp: 'f', url: '' },
      ],
      new Map([['paired-1', [{ eventId: 'paired-1', eventName: 'Purchase', fbp: 'f', status: 'sent' }]]]),
    );
    const text = renderTable(report);
    expect(text).toMatch(/^paired\s+paired-1\s+Purchase\s+Purchase\s+sent\s+same$/m);
    expect(text).toMatch(/^browser-only\s+lonely-1\s+Lead/m);
    expect(text).toContain('↳ the server has no event with this id');
    expect(text).toContain('Summary: 1 paired, 1 browser-only, 0 server-only, 0 event_name mismatch, 0 fbp mismatch');
    expect(text).toContain('FAIL');
  });

  it('says OK when all are paired and explains an empty run', () => {
    const ok = compare([{ pixelId: 'P', eventName: 'Lead', eventId: 'x', url: '' }], new Map([['x', [{ eventId: 'x', eventName: 'Lead', status: 'sent' }]]]));
    expect(renderTable(ok)).toContain('OK: every browser event has a matching server event.');
    const empty = compare([], new Map());
    empty.hints = ['a consent banner seems to hold the events', 'run again with --journey <file.mjs>'];
    const text = renderTable(empty);
    expect(text).toContain('FAIL: no pixel hit with an event id and no forward to the server was recorded, so nothing could be checked.');
    expect(text).toContain('\n  - a consent banner seems to hold the events\n  - run again with --journey <file.mjs>');
    expect(text).not.toContain('see the rows above');
  });

  it('a dropped row shows the rule and the keys present', () => {
    const report = compare(
      [{ pixelId: 'P', eventName: 'Lead', eventId: 'd1', url: '' }],
      new Map([['d1', [{ eventId: 'd1', eventName: 'Lead', status: 'dropped', reason: 'insufficient_match_keys', matchKeys: ['fbp', 'client_ip_address'] }]]]),
    );
    expect(renderTable(report)).toMatch(/↳ the server dropped it: insufficient_match_keys — rule: .*; keys present: fbp, client_ip_address/);
  });
});
