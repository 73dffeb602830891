import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/config/resolve.js';
import { createLogger } from '../src/log.js';
import { startServer, secretValues, type RunningServer } from '../src/server.js';
import type { StatusSnapshot } from '../src/status/snapshot.js';
import { metaRejectedPurchase, purchase } from './support/events.js';
import { spawnSandbox, type Sandbox } from './support/sandbox.js';
import { TEST_PIXEL, TEST_TOKEN } from './support/server.js';
import { waitFor } from './support/wait.js';

const API_KEY = 'status-test-api-key-0123456789';
const STATUS_KEY = 'status-only-key-0123456789';
const BAD_TOKEN = 'revoked-token-0123456789';
const ORIGIN = 'https://shop.example';

let sandbox: Sandbox;
let server: RunningServer;
let log = '';
const lines = (): Array<Record<string, unknown>> => log.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

beforeAll(async () => {
  sandbox = await spawnSandbox();
  const config = resolveConfig({
    env: {
      PORT: '0', HOST: '127.0.0.1', API_KEYS: API_KEY, STATUS_KEYS: STATUS_KEY, ALLOWED_ORIGINS: ORIGIN, LOG_LEVEL: 'info',
      FB_GRAPH_URL: sandbox.url, OUTBOX: `sqlite:${join(mkdtempSync(join(tmpdir(), 'capi-bridge-status-')), 'outbox.db')}`,
      FLUSH_INTERVAL_MS: '50', AUTH_PROBE_INTERVAL_MS: '60000', BACKOFF_BASE_MS: '200',
    },
    file: {
      destinations: [
        { id: 'main', pixelId: TEST_PIXEL, accessToken: TEST_TOKEN },
        { id: 'revoked', pixelId: '1234567891', accessToken: BAD_TOKEN },
      ],
    },
  });
  const destination = new Writable({ write(c, _e, cb) { log += c.toString(); cb(); } });
  // Large /v1/events bodies are mapped on a worker (mapMinBytes 1): coverage must come back from it too.
  server = await startServer(config, { logger: createLogger({ level: 'info', secrets: secretValues(config), destination }), mapWorkers: 1, mapMinBytes: 1 });
});
afterAll(async () => {
  await server?.close();
  await sandbox?.stop();
});

const api = (path: string, body: unknown, key = API_KEY): Promise<Response> =>
  fetch(`${server.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
const status = async (auth = `Bearer ${API_KEY}`): Promise<StatusSnapshot> => {
  const res = await fetch(`${server.url}/status.json`, { headers: { authorization: auth } });
  expect(res.status).toBe(200);
  return (await res.json()) as StatusSnapshot;
};

describe('status page after sending events', () => {
  const city = 'Secretville';
  beforeAll(async () => {
    const noPhone = purchase();
    delete (noPhone.user as Record<string, unknown>).phone;
    // city + country + gender + UA only: a combination Meta rejects (the default meta-baseline rule drops it)
    const weak = purchase({ user: { city, country: 'FR', gender: 'female' }, browser: { user_agent: 'Mozilla/5.0 (test)' }, integrations: { facebook: {} } });
    const events = [purchase(), purchase(), purchase(), noPhone, metaRejectedPurchase(), weak];
    const res = await api('/v1/events', { batch: events });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ accepted: 5, dropped: 1 });
    // one from the browser (the /collect path maps inline)
    const c = await fetch(`${server.url}/collect`, { method: 'POST', headers: { origin: ORIGIN, 'content-type': 'text/plain', 'user-agent': 'Mozilla/5.0 (status)' }, body: JSON.stringify(purchase()) });
    expect(c.status, await c.clone().text()).toBe(202);
  });

  it('shows per destination delivery, dead letters with Meta\'s message, and the paused one with why', async () => {
    const s = await waitFor(async () => {
      const x = await status();
      const main = x.destinations.find((d) => d.id === 'main')!;
      const revoked = x.destinations.find((d) => d.id === 'revoked')!;
      return main.delivered_total === 5 && main.dead_letters_total === 1 && revoked.paused ? x : undefined;
    });
    const main = s.destinations.find((d) => d.id === 'main')!;
    expect(main).toMatchObject({ pixel_id: TEST_PIXEL, queue_depth: 0, oldest_age_s: 0, paused: false, dead_letters_by_reason: { meta_rejected: 1 } });
    expect(main.recent_dead_letters).toHaveLength(1);
    expect(main.recent_dead_letters[0]).toMatchObject({ reason: 'meta_rejected', event_name: 'Purchase' });
    expect(main.recent_dead_letters[0]!.message).toMatch(/\S/);
    const revoked = s.destinations.find((d) => d.id === 'revoked')!;
    expect(revoked.paused).toBe(true);
    expect(revoked.pause_reason).toMatch(/code 190/);
    expect(revoked.queue_depth).toBe(6);
    expect(revoked.oldest_age_s).toBeGreaterThanOrEqual(0);
    expect(revoked.paused_since).toMatch(/^\d{4}-/);
    // drops: the weak event, once per destination
    expect(s.drops).toEqual({ insufficient_match_keys: 2 });
    expect(s.received).toMatchObject({ api: 6, browser: 1 });
    expect(JSON.stringify(s)).not.toContain(BAD_TOKEN);
  });

  it('gives match-key coverage per destination and event name, as shares', async () => {
    const s = await status();
    const row = s.coverage.find((r) => r.destination === 'main' && r.event_name === 'Purchase')!;
    // 6 queued for main: 3 full + no phone + Meta-rejected (full) + the browser one
    expect(row.events).toBe(6);
    expect(row.share.em).toBe(1);
    expect(row.share.ph).toBe(0.833);
    expect(row.share.fbp).toBe(1);
    expect(row.share.fbc).toBe(0);
    expect(row.share.client_user_agent).toBe(1);
    expect(s.coverage_keys).toContain('external_id');
  });

  it('exports the coverage counters on /metrics', async () => {
    const text = await (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${API_KEY}` } })).text();
    expect(text).toContain('capi_bridge_coverage_events_total{destination="main",event_name="Purchase"} 6');
    expect(text).toContain('capi_bridge_match_key_events_total{destination="main",event_name="Purchase",key="ph"} 5');
    expect(text).toContain('capi_bridge_match_key_events_total{destination="main",event_name="Purchase",key="fbc"} 0');
  });

  it('serves every metric the Grafana dashboard (deploy/grafana) queries', async () => {
    const text = await (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${API_KEY}` } })).text();
    const served = new Set(text.split('\n').filter((l) => l.startsWith('# TYPE ')).map((l) => l.split(' ')[2]!));
    const dashboard = readFileSync(new URL('../../../deploy/grafana/capi-bridge.json', import.meta.url), 'utf8');
    const used = new Set([...dashboard.matchAll(/capi_bridge_[a-z_]+/g)].map((m) => m[0].replace(/_bucket$/, '')));
    expect(used.size).toBeGreaterThan(8);
    for (const name of used) expect(served, name).toContain(name);
  });

  it('renders the same as a self-contained HTML page', async () => {
    const basic = `Basic ${Buffer.from(`ops:${API_KEY}`).toString('base64')}`;
    const res = await fetch(`${server.url}/status`, { headers: { authorization: basic } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await res.text();
    expect(html).toContain('Match-key coverage');
    expect(html).toMatch(/<td>main<\/td><td>Purchase<\/td><td>6<\/td><td class="hi">100%<\/td><td class="hi">83%<\/td>/);
    expect(html).toContain('<span class="badge bad">paused</span>');
    expect(html).toContain('insufficient_match_keys');
    expect(html).not.toMatch(/<script|<link|src="http|href="http/);
  });

  it('logs each drop reason and refusal with names, never values', async () => {
    const bad = await fetch(`${server.url}/collect`, { method: 'POST', headers: { origin: 'https://other.example', 'content-type': 'text/plain' }, body: '{}' });
    expect(bad.status).toBe(403);
    expect((await api('/v1/events', purchase(), 'not-a-valid-key-at-all')).status).toBe(401);
    const drop = lines().find((l) => l.msg === 'event dropped by the mapping');
    expect(drop).toMatchObject({ level: 40, reason: 'mapping:insufficient_match_keys', drop: 'insufficient_match_keys', source: 'api', event_name: 'purchase', field: 'user_data' });
    expect(drop!.keys_present).toBe('ge, ct, country, client_user_agent');
    const origin = lines().find((l) => l.reason === 'http:origin_refused');
    expect(origin).toMatchObject({ origin: 'https://other.example', path: '/collect' });
    expect(origin!.hint).toContain('ALLOWED_ORIGINS');
    const unauthorized = lines().find((l) => l.reason === 'http:unauthorized');
    expect(unauthorized).toMatchObject({ path: '/v1/events', api_key: 'not recognised' });
    for (const secret of [city, API_KEY, STATUS_KEY, BAD_TOKEN, TEST_TOKEN, 'not-a-valid-key-at-all']) expect(log).not.toContain(secret);
  });

  it('logs a reason once, then counts it (no line per refused request)', async () => {
    const before = lines().filter((l) => l.reason === 'http:origin_refused').length;
    for (let i = 0; i < 5; i++) await fetch(`${server.url}/collect`, { method: 'POST', headers: { origin: 'https://other.example', 'content-type': 'text/plain' }, body: '{}' });
    expect(lines().filter((l) => l.reason === 'http:origin_refused').length).toBe(before);
  });
});

describe('status auth', () => {
  it('refuses without a key (the HTML page asks the browser to log in), accepts API_KEYS and STATUS_KEYS', async () => {
    const none = await fetch(`${server.url}/status`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    expect(((await none.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    expect((await fetch(`${server.url}/status.json`, { headers: { authorization: 'Bearer wrong-key-0123456789' } })).status).toBe(401);
    await status(`Bearer ${STATUS_KEY}`);
    await status(`Basic ${Buffer.from(`:${STATUS_KEY}`).toString('base64')}`);
    // a status key opens nothing else
    expect((await fetch(`${server.url}/v1/sent?event_id=x`, { headers: { authorization: `Bearer ${STATUS_KEY}` } })).status).toBe(401);
  });
});

describe('startup warnings', () => {
  it('warns when API_KEYS and ALLOWED_ORIGINS are both unset', async () => {
    let out = '';
    const destination = new Writable({ write(c, _e, cb) { out += c.toString(); cb(); } });
    const config = resolveConfig({ env: { PORT: '0', HOST: '127.0.0.1', FB_PIXEL_ID: TEST_PIXEL, FB_ACCESS_TOKEN: TEST_TOKEN, FB_GRAPH_URL: sandbox.url, OUTBOX: `sqlite:${join(mkdtempSync(join(tmpdir(), 'capi-bridge-status-')), 'o.db')}` } });
    const s = await startServer(config, { logger: createLogger({ level: 'info', destination }), delivery: false, mapWorkers: 0 });
    await s.close();
    const warning = out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.field === 'API_KEYS, ALLOWED_ORIGINS');
    expect(warning).toMatchObject({ level: 40 });
    expect(String(warning!.msg)).toContain('401');
  });
});
