import { afterEach, describe, expect, it, vi } from 'vitest';
import { send } from './transport.js';
import { makeWindow } from './test-utils/harness.js';
import type { HarnessOptions } from './test-utils/harness.js';

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

function h(o: HarnessOptions) {
  const x = makeWindow(o);
  close = x.close;
  return x;
}
const waitDone = () => {
  let resolve!: () => void;
  const p = new Promise<void>((r) => (resolve = r));
  return { p, done: vi.fn(() => resolve()) };
};

describe('send', () => {
  it('uses sendBeacon with a string body (text/plain;charset=UTF-8) when it accepts', async () => {
    const x = h({});
    const d = waitDone();
    send(x.w, 'https://s/collect', '{"a":1}', d.done);
    await d.p;
    expect(d.done).toHaveBeenCalledTimes(1);
    expect(x.sent).toEqual([{ via: 'beacon', url: 'https://s/collect', body: '{"a":1}', type: 'text/plain;charset=UTF-8' }]);
  });

  it.each([false, 'missing'] as const)('falls back to fetch keepalive when sendBeacon is %s', async (beacon) => {
    const x = h({ beacon });
    const d = waitDone();
    send(x.w, 'https://s/collect', 'body', d.done);
    await d.p;
    expect(x.sent).toHaveLength(1);
    expect(x.sent[0]!.via).toBe('fetch');
    // A string body is sent as text/plain;charset=UTF-8: CORS-safelisted, no preflight.
    expect(x.sent[0]!.init).toEqual({ method: 'POST', body: 'body', keepalive: true });
  });

  // Real backoff (1 s, then 2 s): these tests wait ~3 s, hence the generous timeouts.
  it('retries twice with backoff on network errors and 5xx, then gives up', { timeout: 20000 }, async () => {
    const x = h({ beacon: false, fetchResults: ['error', 503, 'error', 200] });
    const d = waitDone();
    send(x.w, 'https://s/collect', 'b', d.done);
    await d.p;
    expect(x.sent).toHaveLength(3);
    await new Promise((r) => setTimeout(r, 50));
    expect(d.done).toHaveBeenCalledTimes(1);
  });

  it('429 is retried and a retry that succeeds ends it', { timeout: 20000 }, async () => {
    const x = h({ beacon: false, fetchResults: [429, 204, 200] });
    const d = waitDone();
    send(x.w, 'https://s/collect', 'b', d.done);
    await d.p;
    expect(x.sent).toHaveLength(2);
  });

  it('4xx is final (no retry)', async () => {
    const x = h({ beacon: false, fetchResults: [400, 200] });
    const d = waitDone();
    send(x.w, 'https://s/collect', 'b', d.done);
    await d.p;
    expect(x.sent).toHaveLength(1);
  });

  it('a throwing sendBeacon falls back to fetch', async () => {
    const x = h({});
    Object.defineProperty(x.w.navigator, 'sendBeacon', {
      value: () => {
        throw new TypeError('boom');
      },
    });
    const d = waitDone();
    send(x.w, 'https://s/collect', 'b', d.done);
    await d.p;
    expect(x.sent[0]!.via).toBe('fetch');
  });

  it('events fired at pagehide still leave through the beacon', async () => {
    const x = h({});
    x.w.addEventListener('pagehide', () => send(x.w, 'https://s/collect', '{"at":"pagehide"}', () => {}));
    x.w.dispatchEvent(new x.w.Event('pagehide'));
    await x.payloads();
    expect(x.sent).toEqual([{ via: 'beacon', url: 'https://s/collect', body: '{"at":"pagehide"}', type: 'text/plain;charset=UTF-8' }]);
  });
});
