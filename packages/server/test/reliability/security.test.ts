/**
 * Security proofs against real processes: API-key auth on every /v1 route and admin endpoint, CORS
 * allow-list, per-IP rate limiting, server-only fields a browser cannot set, helmet headers, and secrets
 * (access token, app secret, its appsecret_proof, API keys) absent from every log line, response, error
 * message and config error — checked by grepping everything the processes wrote, with distinctive values.
 */
import { execFile, spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserPurchase, metaRejectedPurchase, purchase } from '../support/events.js';
import { REPO_ROOT } from '../support/process.js';
import { spawnSandbox, type Sandbox } from '../support/sandbox.js';
import { spawnServer, TEST_ORIGIN, TEST_PIXEL, type CapiServer } from '../support/server.js';
import { waitFor } from '../support/wait.js';

const run = promisify(execFile);
const CLI = join(REPO_ROOT, 'packages/server/bin/capi-bridge.js');

const TOKEN = 'EAAtok-SECRET-7f3a9c1e5b2d4860aa';
const APP_SECRET = 'appsec-SECRET-91b2c3d4e5f60718';
const KEY_A = 'apikeyA-SECRET-0a1b2c3d4e5f6071';
const KEY_B = 'apikeyB-SECRET-8899aabbccddeeff';
const BAD_TOKEN = 'EAArevoked-SECRET-deadbeef0011';
const PROOF = createHmac('sha256', APP_SECRET).update(TOKEN).digest('hex');
const REDIS_PASSWORD = 'redispw-SECRET-5566778899';
const SECRETS = [TOKEN, APP_SECRET, KEY_A, KEY_B, BAD_TOKEN, PROOF, REDIS_PASSWORD];

let sandbox: Sandbox;
let server: CapiServer;
/** Every byte any server, CLI or config-error run wrote, and every response body we received. */
const transcript: string[] = [];

async function call(path: string, init: RequestInit = {}): Promise<Response> {
  const res = await fetch(`${server.url}${path}`, init);
  const text = await res.clone().text();
  transcript.push(`${path} ${res.status} ${JSON.stringify([...res.headers])} ${text}`);
  return res;
}

const auth = (k: string): Record<string, string> => ({ authorization: `Bearer ${k}` });
const json = { 'content-type': 'application/json' };

beforeAll(async () => {
  sandbox = await spawnSandbox({ tokens: [TOKEN], env: { META_SANDBOX_APP_SECRETS: `${TOKEN}=${APP_SECRET}` } });
  server = await spawnServer({
    graphUrl: sandbox.url,
    env: {
      FB_ACCESS_TOKEN: TOKEN, FB_APP_SECRET: APP_SECRET, API_KEYS: `${KEY_A},${KEY_B}`,
      COLLECT_RATE_PER_SEC: '2', COLLECT_RATE_BURST: '6', LOG_LEVEL: 'debug',
    },
  });
}, 60_000);

afterAll(async () => {
  await server?.stop();
  await sandbox?.stop();
});

describe('API keys', () => {
  it('/v1/* and admin endpoints refuse a missing, wrong, near-miss or malformed key with 401; both configured keys work', async () => {
    const routes: Array<[string, RequestInit]> = [
      ['/v1/events', { method: 'POST', headers: json, body: JSON.stringify(purchase()) }],
      ['/v1/preview', { method: 'POST', headers: json, body: JSON.stringify(purchase()) }],
      ['/v1/events/csv', { method: 'POST', headers: { 'content-type': 'text/csv' }, body: 'id\n1' }],
      ['/v1/sent?event_id=x', {}],
      ['/metrics', {}],
    ];
    const wrong: Array<Record<string, string>> = [
      {}, auth('wrong-key-0000000000000000'), auth(KEY_A.slice(0, -1)), auth(`${KEY_A}x`), auth(KEY_A.toUpperCase()),
      { authorization: KEY_A }, { authorization: `Basic ${Buffer.from(`u:${KEY_A}`).toString('base64')}` }, auth(''), { 'x-api-key': KEY_A },
    ];
    for (const [path, init] of routes) {
      for (const h of wrong) {
        const res = await call(path, { ...init, headers: { ...(init.headers as Record<string, string>), ...h } });
        expect(res.status, `${path} ${JSON.stringify(h)}`).toBe(401);
        expect(await res.json()).toMatchObject({ error: { code: 'unauthorized', message: expect.any(String) } });
      }
      for (const k of [KEY_A, KEY_B]) {
        const res = await call(path, { ...init, headers: { ...(init.headers as Record<string, string>), ...auth(k) } });
        expect(res.status, `${path} with a valid key`).not.toBe(401);
      }
    }
    // Dead letters are CLI-only: no HTTP route exposes them.
    for (const p of ['/v1/dead-letters', '/dead-letters', '/v1/dead_letters', '/admin']) {
      expect((await call(p, { headers: auth(KEY_A) })).status).toBe(404);
    }
    const m = await call('/metrics', { headers: auth(KEY_A) });
    expect(await m.text()).toContain('capi_bridge_events_dropped_total{reason="unauthorized",source="api"}');
  });
});

describe('/collect from browsers', () => {
  it('refuses an Origin not on the allow-list (and a missing one), for the request and the preflight', async () => {
    for (const origin of ['https://evil.example', 'https://shop.example.evil.com', 'http://shop.example', 'null']) {
      const res = await call('/collect', { method: 'POST', headers: { origin, 'content-type': 'text/plain' }, body: JSON.stringify(browserPurchase()) });
      expect(res.status, origin).toBe(403);
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
      expect(await res.json()).toMatchObject({ error: { code: 'origin_refused', field: 'origin' } });
      const pre = await call('/collect', { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } });
      expect(pre.status).toBe(403);
      expect(pre.headers.get('access-control-allow-origin')).toBeNull();
    }
    const none = await call('/collect', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' });
    expect(none.status).toBe(403);
    const ok = await call('/collect', { method: 'OPTIONS', headers: { origin: TEST_ORIGIN, 'access-control-request-method': 'POST' } });
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(TEST_ORIGIN);
  });

  it('cannot set server-only fields: action_source, test_event_code, client IP/UA, type:offline are the server\'s', async () => {
    await sleepForBucket();
    const ev = browserPurchase();
    const id = (ev.context as { event_id: string }).event_id;
    Object.assign(ev, {
      type: 'offline',
      browser: { ip: '6.6.6.6', user_agent: 'forged-ua' },
      context: { ...(ev.context as object), device: { ip: '6.6.6.7', user_agent: 'forged-ua-2' } },
      integrations: { facebook: { event_id: id, action_source: 'physical_store', test_event_code: 'TEST-HACK', user_data: { client_ip_address: '6.6.6.8', client_user_agent: 'forged-ua-3' } } },
    });
    const res = await call('/collect', {
      method: 'POST',
      // X-Forwarded-For is ignored: TRUST_PROXY is off.
      headers: { origin: TEST_ORIGIN, 'content-type': 'text/plain', 'user-agent': 'Mozilla/5.0 (real browser)', 'x-forwarded-for': '6.6.6.9' },
      body: JSON.stringify(ev),
    });
    expect(res.status).toBe(202);
    const got = await waitFor(async () => (await sandbox.events({ source: 'server', event_id: id }))[0], { message: 'browser event delivered' });
    const p = got.payload as { action_source: string; user_data: { client_ip_address?: string; client_user_agent?: string }; test_event_code?: string };
    expect(p.action_source).toBe('website');
    expect(p.user_data.client_ip_address).toBe('127.0.0.1');
    expect(p.user_data.client_user_agent).toBe('Mozilla/5.0 (real browser)');
    expect(got.testEventCode).toBeUndefined();
    expect(JSON.stringify(got.payload)).not.toMatch(/6\.6\.6\.|forged|TEST-HACK|physical_store/);
  });

  it('per-IP rate limiting: beyond the burst, 429 rate_limited (spoofed X-Forwarded-For does not reset it); other routes unaffected', async () => {
    await sleepForBucket();
    const statuses: number[] = [];
    for (let i = 0; i < 15; i++) {
      const res = await call('/collect', {
        method: 'POST',
        headers: { origin: TEST_ORIGIN, 'content-type': 'text/plain', 'user-agent': 'UA', 'x-forwarded-for': `198.51.100.${i}` },
        body: JSON.stringify(browserPurchase()),
      });
      statuses.push(res.status);
      if (res.status === 429) expect(await res.json()).toMatchObject({ error: { code: 'rate_limited', message: expect.stringContaining('events/s') } });
    }
    // Burst 6, refill 2/s: the first few pass, the rest of a tight loop is refused.
    expect(statuses.filter((s) => s === 202).length).toBeGreaterThanOrEqual(5);
    expect(statuses.filter((s) => s === 202).length).toBeLessThanOrEqual(9);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(6);
    expect((await call('/healthz')).status).toBe(200);
    expect((await call('/v1/events', { method: 'POST', headers: { ...json, ...auth(KEY_A) }, body: JSON.stringify(purchase()) })).status).toBe(200);
  });
});

describe('headers', () => {
  it('helmet security headers on every kind of response; no X-Powered-By', async () => {
    const responses = [
      await call('/healthz'),
      await call('/v1/events', { method: 'POST', headers: json, body: '{}' }), // 401
      await call('/nope'), // 404
      await call('/collect', { method: 'POST', headers: { origin: 'https://evil.example' } }), // 403
    ];
    for (const r of responses) {
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
      expect(r.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
      expect(r.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(r.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(r.headers.get('referrer-policy')).toBe('no-referrer');
      expect(r.headers.get('x-powered-by')).toBeNull();
      expect(r.headers.get('content-type')).toContain('application/json');
    }
  });
});

describe('secrets never leak', () => {
  it('not in logs, responses, Graph errors echoed back, CLI output or config errors', async () => {
    // Normal traffic, a preview, a sent lookup, a poisoned event (Graph 400 error logged + dead-lettered).
    const good = purchase();
    const bad = metaRejectedPurchase();
    await call('/v1/events', { method: 'POST', headers: { ...json, ...auth(KEY_A) }, body: JSON.stringify({ batch: [good, bad] }) });
    await call('/v1/preview', { method: 'POST', headers: { ...json, ...auth(KEY_B) }, body: JSON.stringify(purchase()) });
    // (server.metrics() uses the default test key, which this server does not have.)
    await waitFor(async () => (await (await fetch(`${server.url}/metrics`, { headers: auth(KEY_A) })).text())
      .includes(`capi_bridge_events_dead_lettered_total{destination="${TEST_PIXEL}",reason="meta_rejected"} 1`),
      { message: `poisoned event dead-lettered; server log tail: ${server.output().slice(-1500)}` });
    await call(`/v1/sent?event_id=${(bad.context as { event_id: string }).event_id}`, { headers: auth(KEY_A) });
    await call('/metrics', { headers: auth(KEY_A) });
    await call('/readyz');
    // The appsecret_proof really was sent (the sandbox verifies it), so the app secret was in use.
    expect((await sandbox.acceptedServerIds()).has((good.context as { event_id: string }).event_id)).toBe(true);

    // Dead-letter CLI output (includes Meta's error for the poisoned event).
    const cli = await run(process.execPath, [CLI, 'dead-letters', 'list', '--json'], {
      env: { ...process.env, OUTBOX: `sqlite:${server.outboxPath}`, FB_ACCESS_TOKEN: TOKEN, FB_APP_SECRET: APP_SECRET, API_KEYS: `${KEY_A},${KEY_B}`, FB_PIXEL_ID: TEST_PIXEL },
    });
    transcript.push(cli.stdout, cli.stderr);
    expect(cli.stdout).toContain('meta_rejected');

    // A destination whose token Meta refuses: the auth error is logged, the token must not be.
    const paused = await spawnServer({ graphUrl: sandbox.url, env: { FB_ACCESS_TOKEN: BAD_TOKEN, API_KEYS: KEY_A } });
    try {
      await fetch(`${paused.url}/v1/events`, { method: 'POST', headers: { ...json, ...auth(KEY_A) }, body: JSON.stringify(purchase()) });
      await waitFor(() => paused.output().includes('destination paused'), { message: 'auth error logged' });
    } finally {
      await paused.stop();
      transcript.push(paused.output());
    }

    // Config errors at start, with every secret in the environment.
    const secretEnv = { FB_PIXEL_ID: TEST_PIXEL, FB_ACCESS_TOKEN: TOKEN, FB_APP_SECRET: APP_SECRET, API_KEYS: `${KEY_A},${KEY_B}` };
    const badConfigs: Array<Record<string, string>> = [
      { BATCH_SIZE: '5000' }, { FB_API_VERSION: '24' }, { OUTBOX: 'mysql://x' }, { ALLOWED_ORIGINS: 'shop.example' },
      { API_KEYS: `${KEY_A},short` }, { FB_GRAPH_URL: 'not a url' }, { PORT: 'eighty' }, { FB_PIXEL_ID: 'abc' },
      { FB_APP_SECRET: '' , FB_ACCESS_TOKEN: '' }, { OUTBOX: `redis://:${REDIS_PASSWORD}@127.0.0.1:9/0` },
    ];
    for (const extra of badConfigs) {
      // `--port` would override a bad PORT (and the server would start): only pass it when PORT is not under test.
      const args = 'PORT' in extra ? [CLI, 'serve'] : [CLI, 'serve', '--port', '0'];
      const r = spawnSync(process.execPath, args, {
        env: { PATH: process.env.PATH, ...secretEnv, ...extra }, encoding: 'utf8', timeout: 15_000,
      });
      transcript.push(`${JSON.stringify(Object.keys(extra))} exit ${r.status}\n${r.stdout}\n${r.stderr}`);
      expect(r.status, JSON.stringify(Object.keys(extra))).not.toBe(0);
      expect(r.stderr + r.stdout).toMatch(/configuration error|OUTBOX|redis/i);
    }

    transcript.push(server.output()); // (the sandbox plays Meta: its own logs may hold the token)
    const all = transcript.join('\n');
    expect(all).toContain('"msg":"listening"');
    expect(all).toContain('dead-lettered');
    for (const s of SECRETS) {
      const at = all.indexOf(s);
      expect(at, `secret ${s.slice(0, 12)}… leaked: …${all.slice(Math.max(0, at - 200), at + 50)}`).toBe(-1);
    }
  }, 90_000);
});

/** Lets the per-IP bucket (2/s, burst 6) refill between tests that use /collect. */
function sleepForBucket(): Promise<void> {
  return new Promise((r) => setTimeout(r, 3200));
}
