import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserPurchase } from './support/events.js';
import { spawnSandbox, type Sandbox } from './support/sandbox.js';
import { spawnServer, type CapiServer } from './support/server.js';
import { waitFor } from './support/wait.js';

let sandbox: Sandbox;
let server: CapiServer;
const SITE = 'https://www.shop.example';

beforeAll(async () => {
  sandbox = await spawnSandbox();
  server = await spawnServer({
    graphUrl: sandbox.url,
    env: { TRUST_PROXY: 'loopback', ALLOWED_ORIGINS: `${SITE},https://other.example`, COLLECT_RATE_PER_SEC: '1', COLLECT_RATE_BURST: '3' },
  });
});
afterAll(async () => {
  await server?.stop();
  await sandbox?.stop();
});

const post = (ev: unknown, headers: Record<string, string>): Promise<Response> =>
  server.request('/collect', { method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': 'UA', ...headers }, body: JSON.stringify(ev) });

describe('behind a trusted reverse proxy', () => {
  it('takes the client IP from X-Forwarded-For and refreshes _fbp/_fbc as first-party cookies on the same site', async () => {
    const ev = browserPurchase();
    (ev.integrations as { facebook: Record<string, string> }).facebook.fbc = 'fb.1.1700000000000.IwAR-click';
    const res = await post(ev, { origin: SITE, 'x-forwarded-for': '198.51.100.9', 'x-forwarded-host': 'capi.shop.example', 'x-forwarded-proto': 'https' });
    expect(res.status).toBe(202);
    const cookies = res.headers.getSetCookie();
    expect(cookies).toContain('_fbp=fb.1.1700000000000.1234567890; Max-Age=7776000; Path=/; SameSite=Lax; Domain=shop.example; Secure');
    expect(cookies.some((c) => c.startsWith('_fbc=fb.1.1700000000000.IwAR-click;'))).toBe(true);
    const id = (ev.context as { event_id: string }).event_id;
    const [got] = await waitFor(async () => { const e = await sandbox.events({ event_id: id }); return e.length ? e : undefined; });
    expect((got!.payload as { user_data: { client_ip_address: string } }).user_data.client_ip_address).toBe('198.51.100.9');
  });

  it('sets no cookie for a page on another site', async () => {
    const res = await post(browserPurchase(), { origin: 'https://other.example', 'x-forwarded-for': '198.51.100.10', 'x-forwarded-host': 'capi.shop.example' });
    expect(res.status).toBe(202);
    expect(res.headers.getSetCookie()).toEqual([]);
  });
});

describe('per-IP rate limit on /collect', () => {
  it('answers 429 JSON once the bucket is empty, per client IP', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await post(browserPurchase(), { origin: SITE, 'x-forwarded-for': '192.0.2.50' })).status);
    expect(statuses.slice(0, 3)).toEqual([202, 202, 202]);
    expect(statuses).toContain(429);
    const limited = await post(browserPurchase(), { origin: SITE, 'x-forwarded-for': '192.0.2.50' });
    expect(limited.status).toBe(429);
    expect(await limited.json()).toMatchObject({ error: { code: 'rate_limited' } });
    // Another address has its own bucket.
    expect((await post(browserPurchase(), { origin: SITE, 'x-forwarded-for': '192.0.2.51' })).status).toBe(202);
    const m = await server.metrics();
    expect(m.get('capi_bridge_events_dropped_total{reason="rate_limited",source="browser"}')).toBeGreaterThanOrEqual(1);
  });
});
