import { describe, expect, it } from 'vitest';
import { classify } from './classify.js';

const graphError = (code: number, subcode?: number, extra: Record<string, unknown> = {}) => ({
  error: { message: 'm', type: 'OAuthException', code, ...(subcode !== undefined ? { error_subcode: subcode } : {}), fbtrace_id: 'T', ...extra },
});

// One row per line of the table in docs/reliability.md ("Meta's answers → action").
describe('classify (HTTP status + Graph code/subcode → action)', () => {
  it.each([
    [200, { events_received: 1 }, 'ok', undefined],
    [0, undefined, 'retry', undefined],
    [500, graphError(1), 'retry', undefined],
    [500, graphError(2), 'retry', undefined],
    [502, '<html>bad gateway</html>', 'retry', undefined],
    [503, undefined, 'retry', undefined],
    [408, undefined, 'retry', undefined],
    [400, graphError(341), 'retry', undefined],
    [400, graphError(368), 'retry', undefined],
    [400, graphError(999, undefined, { is_transient: true }), 'retry', undefined],
    [429, undefined, 'throttled', undefined],
    [429, '<html>too many</html>', 'throttled', undefined],
    [400, graphError(4), 'throttled', undefined],
    [400, graphError(17), 'throttled', undefined],
    [400, graphError(32), 'throttled', undefined],
    [400, graphError(613), 'throttled', undefined],
    [400, graphError(80000), 'throttled', undefined],
    [400, graphError(80004), 'throttled', undefined],
    [400, graphError(80014), 'throttled', undefined],
    [400, graphError(190), 'pause', 'auth'],
    [401, graphError(190), 'pause', 'auth'],
    [400, graphError(190, 463), 'pause', 'auth'],
    [400, graphError(190, 460), 'pause', 'auth'],
    [400, graphError(102), 'pause', 'auth'],
    [400, graphError(104), 'pause', 'auth'],
    [401, undefined, 'pause', 'auth'],
    [403, '<html>forbidden</html>', 'pause', 'auth'],
    [400, graphError(3), 'pause', 'permission'],
    [403, graphError(10), 'pause', 'permission'],
    [400, graphError(200), 'pause', 'permission'],
    [403, graphError(299), 'pause', 'permission'],
    [400, graphError(100, 33), 'pause', 'config'],
    [400, graphError(803), 'pause', 'config'],
    [400, graphError(2500), 'pause', 'config'],
    [404, graphError(2500), 'pause', 'config'],
    [400, graphError(2635), 'pause', 'config'],
    [404, '<html>not found</html>', 'pause', 'config'],
    [400, '', 'pause', 'config'],
    [400, graphError(100), 'pause', 'unrecognised'],
    [400, graphError(100, 2804999), 'pause', 'unrecognised'],
    [400, graphError(100, 2804902), 'pause', 'unrecognised'],
    [400, graphError(12345), 'pause', 'unrecognised'],
    [400, graphError(100, 2804001), 'reject', undefined],
    [400, graphError(100, 2804003), 'reject', undefined],
    [400, graphError(100, 2804050), 'reject', undefined],
    [400, graphError(100, 2804036), 'reject', undefined],
    [400, graphError(100, undefined, { error_user_msg: 'Unexpected key "x" on param "$[\'data\'][3]"' }), 'reject', undefined],
    [400, graphError(100, 2804910, { error_user_msg: 'data[2].custom_data.contents[0].id: is required (on param "$[\'data\'][2]")' }), 'reject', undefined],
    [413, undefined, 'split', undefined],
    [413, graphError(100, 2804913), 'split', undefined],
  ] as const)('%i %j → %s %s', (status, body, kind, cause) => {
    const c = classify({ status, body });
    expect(c.kind).toBe(kind);
    if (cause !== undefined) expect(c).toMatchObject({ cause });
  });

  it('keeps Retry-After on throttles and retries, and Meta\'s error fields', () => {
    const c = classify({ status: 429, body: graphError(17), retryAfterMs: 3000 });
    expect(c).toMatchObject({ kind: 'throttled', retryAfterMs: 3000, error: { httpStatus: 429, code: 17, fbtraceId: 'T' } });
    const r = classify({ status: 400, body: graphError(100, 2804003, { error_user_title: 'Event Timestamp Too Old', error_user_msg: 'too old' }) });
    expect(r).toMatchObject({ kind: 'reject', error: { code: 100, errorSubcode: 2804003, errorUserTitle: 'Event Timestamp Too Old', errorUserMsg: 'too old' } });
    expect(r.kind === 'reject' ? r.error.eventIndex : 'not a reject').toBeUndefined();
  });

  it('reads the event index Meta names: $[\'data\'][N] in a message, or error_data.event_index', () => {
    const idx = (extra: Record<string, unknown>, sub?: number): number | undefined => {
      const c = classify({ status: 400, body: graphError(100, sub, extra) });
      return c.kind === 'reject' ? c.error.eventIndex : undefined;
    };
    expect(idx({ message: 'Server Side Api Parameter Error: Unexpected key "a" on param "$[\'data\'][17]"' })).toBe(17);
    expect(idx({ error_user_msg: 'bad (on param "$[\'data\'][0]")' })).toBe(0);
    expect(idx({ error_data: { event_index: 14 } }, 2804030)).toBe(14);
    expect(idx({ error_data: '{"event_index":9}' }, 2804030)).toBe(9);
    // No index named: isolation has to search.
    expect(idx({ error_user_msg: 'data[4].user_data' }, 2804050)).toBeUndefined();
  });
});
