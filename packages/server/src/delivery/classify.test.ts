import { describe, expect, it } from 'vitest';
import { classify } from './classify.js';

const graphError = (code: number, subcode?: number, extra: Record<string, unknown> = {}) => ({
  error: { message: 'm', type: 'OAuthException', code, ...(subcode !== undefined ? { error_subcode: subcode } : {}), fbtrace_id: 'T', ...extra },
});

describe('classify (HTTP status + Graph code/subcode → action)', () => {
  it.each([
    [200, { events_received: 1 }, 'ok'],
    [0, undefined, 'retry'],
    [500, graphError(1), 'retry'],
    [500, graphError(2), 'retry'],
    [502, '<html>bad gateway</html>', 'retry'],
    [503, undefined, 'retry'],
    [408, undefined, 'retry'],
    [400, graphError(341), 'retry'],
    [400, graphError(368), 'retry'],
    [400, graphError(999, undefined, { is_transient: true }), 'retry'],
    [429, undefined, 'throttled'],
    [400, graphError(4), 'throttled'],
    [400, graphError(17), 'throttled'],
    [400, graphError(80003), 'throttled'],
    [400, graphError(613), 'throttled'],
    [400, graphError(190), 'auth'],
    [400, graphError(190, 463), 'auth'],
    [400, graphError(102), 'auth'],
    [401, undefined, 'auth'],
    [403, graphError(10), 'auth'],
    [403, graphError(200), 'auth'],
    [400, graphError(100, 33), 'auth'],
    [400, graphError(100, 2804003), 'reject'],
    [400, graphError(100, 2804910), 'reject'],
    [400, graphError(100), 'reject'],
    [413, undefined, 'reject'],
  ] as const)('%i %j → %s', (status, body, kind) => {
    expect(classify({ status, body }).kind).toBe(kind);
  });

  it('keeps Retry-After on throttles and retries, and Meta\'s error fields', () => {
    const c = classify({ status: 429, body: graphError(17), retryAfterMs: 3000 });
    expect(c).toMatchObject({ kind: 'throttled', retryAfterMs: 3000, error: { httpStatus: 429, code: 17, fbtraceId: 'T' } });
    const r = classify({ status: 400, body: graphError(100, 2804003, { error_user_title: 'Event Timestamp Too Old', error_user_msg: 'too old' }) });
    expect(r).toMatchObject({ kind: 'reject', error: { code: 100, errorSubcode: 2804003, errorUserTitle: 'Event Timestamp Too Old', errorUserMsg: 'too old' } });
  });
});
