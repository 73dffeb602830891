import { afterEach, describe, expect, it, vi } from 'vitest';
import { MAX_BODY, send } from './transport.js';
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
  let resolve!: (ok: boolean) => void;
  const p = new Promise<boolean>((r) => (resolve = r));
  return { p, done: vi.fn((ok: boolean) => resolve(ok)) };
};

describe('send', () => {
  it('uses sendBeacon with a text/plain Blob when it accepts', async () => {
    const x = h({});
    const d = waitDone();
    send(x.w, 'https://s/collect', '{"a":1}', d.done);
    expect(await d.p).toBe(true);
    await x.payloads();
    expect(x.sent).toEqual([{ via: 'beacon', url: 'https://s/collect', body: '{"a":1}', type: 'text/plain' }]);
  });

  it.each([false, 'missing'] as const)('falls back to fetch keepalive when sendBeacon is %s', async (beacon) => {
    const x = h({ beacon });
    const d = waitDone();
    send(x.w, 'https://s/collect', 'body', d.done);
    expect(await d.p).toBe(true);
    expect(x.sent).toHaveLength(1);
    expect(x.sent[0]!.via).toBe('fetch');
    expect(x.sent[0]!.init).toMatchObject({
      method: 'POST',
      keepalive: true,
      mode: 'cors',
      credentials: 'include',
      headers: { 'Content-Type': 'text/plain' },
    });
  });

  it('retries twice with backoff on network errors and 5xx, then gives up', async () => {
    const x = h({ beacon: false, fetchResults: ['error', 503, 'error', 200] });
    const d = waitDone();
    send(x.w, 'https://s/collect', 'b', d.done, 1);
    expect(await d.p).toBe(false);
    expect(x.sent).toHaveLength(3);
    expect(d.done).toHaveBeenCalledTimes(1);
  });

  it('a retry that succeeds reports ok; 429 is retried', async () => {
    const x = h({ beacon: false, fetchResults: [429, 204] });
    const d = waitDone();
    send(x.w, 'https://s/collect', 'b', d.done, 1);
    expect(await d.p).toBe(true);
    expect(x.sent).toHaveLength(2);
  });

  it('4xx is final (no retry)', async () => {
    const x = h({ beacon: false, fetchResults: [400, 200] });
    const d = waitDone();
    send(x.w, 'https://s/collect', 'b', d.done, 1);
    expect(await d.p).toBe(false);
    expect(x.sent).toHaveLength(1);
  });

  it('bodies over MAX_BODY skip the beacon and keepalive', async () => {
    const x = h({});
    const d = waitDone();
    send(x.w, 'https://s/collect', 'x'.repeat(MAX_BODY + 1), d.done);
    expect(await d.p).toBe(true);
    expect(x.sent[0]!.via).toBe('fetch');
    expect(x.sent[0]!.init!.keepalive).toBe(false);
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
    expect(await d.p).toBe(true);
    expect(x.sent[0]!.via).toBe('fetch');
  });

  it('events fired at pagehide still leave through the beacon', async () => {
    const x = h({});
    x.w.addEventListener('pagehide', () => send(x.w, 'https://s/collect', '{"at":"pagehide"}', () => {}));
    x.w.dispatchEvent(new x.w.Event('pagehide'));
    await x.payloads();
    expect(x.sent).toEqual([{ via: 'beacon', url: 'https://s/collect', body: '{"at":"pagehide"}', type: 'text/plain' }]);
  });
});
