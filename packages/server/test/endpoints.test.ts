import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserPurchase, purchase } from './support/events.js';
import { spawnSandbox, type Sandbox } from './support/sandbox.js';
import { spawnServer, TEST_API_KEY, TEST_ORIGIN, TEST_PIXEL, TEST_TOKEN, type CapiServer } from './support/server.js';
import { waitFor } from './support/wait.js';

let sandbox: Sandbox;
let server: CapiServer;
// The served tag is a file this test controls, so both the "not built" and the "built" answers are checked.
const dataDir = mkdtempSync(join(tmpdir(), 'capi-bridge-test-'));
const tagPath = join(dataDir, 'tag.js');

beforeAll(async () => {
  sandbox = await spawnSandbox();
  // The seed-compatible policy, so an event with only the request's IP and UA exercises insufficient_match_keys.
  server = await spawnServer({ graphUrl: sandbox.url, dataDir, env: { COLLECT_RATE_BURST: '1000', TAG_JS_PATH: tagPath, FB_MATCH_POLICY: 'commanders-act' } });
});
afterAll(async () => {
  await server?.stop();
  await sandbox?.stop();
});

const collect = (body: unknown, headers: Record<string, string> = {}): Promise<Response> =>
  server.request('/collect', { method: 'POST', headers: { origin: TEST_ORIGIN, 'content-type': 'text/plain', 'user-agent': 'Mozilla/5.0 (e2e)', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });

describe('/collect', () => {
  it('queues a browser event (text/plain from sendBeacon), takes IP/UA from the request, delivers it', async () => {
    const ev = browserPurchase();
    const res = await collect(ev);
    expect(res.status).toBe(202);
    expect(res.headers.get('access-control-allow-origin')).toBe(TEST_ORIGIN);
    const body = (await res.json()) as { results: Array<{ status: string; event_id: string }> };
    expect(body.results[0]).toMatchObject({ status: 'accepted', event_id: (ev.context as { event_id: string }).event_id });
    const id = body.results[0]!.event_id;
    const [got] = await waitFor(async () => { const e = await sandbox.events({ event_id: id, source: 'server' }); return e.length ? e : undefined; });
    expect(got!.status).toBe('counted');
    const ud = (got!.payload as { user_data: Record<string, unknown> }).user_data;
    expect(ud.client_user_agent).toBe('Mozilla/5.0 (e2e)');
    expect(ud.client_ip_address).toBe('127.0.0.1');
  });

  it('ignores server-only fields a browser sends (client IP, action_source, test_event_code)', async () => {
    const ev = browserPurchase();
    ev.browser = { ip: '8.8.8.8', user_agent: 'forged' };
    (ev.integrations as { facebook: Record<string, unknown> }).facebook.action_source = 'physical_store';
    (ev.integrations as { facebook: Record<string, unknown> }).facebook.test_event_code = 'TEST123';
    ev.type = 'offline';
    const res = await collect(ev);
    expect(res.status).toBe(202);
    const id = (ev.context as { event_id: string }).event_id;
    const [got] = await waitFor(async () => { const e = await sandbox.events({ event_id: id }); return e.length ? e : undefined; });
    const payload = got!.payload as { action_source: string; user_data: Record<string, unknown> };
    expect(payload.action_source).toBe('website');
    expect(payload.user_data.client_ip_address).toBe('127.0.0.1');
    expect(payload.user_data.client_user_agent).toBe('Mozilla/5.0 (e2e)');
    expect(got!.testEventCode).toBeUndefined();
  });

  it('answers CORS preflight for allowed origins and refuses others with 403 JSON', async () => {
    const pre = await server.request('/collect', { method: 'OPTIONS', headers: { origin: TEST_ORIGIN, 'access-control-request-method': 'POST' } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-methods')).toContain('POST');
    const bad = await collect(browserPurchase(), { origin: 'https://evil.example' });
    expect(bad.status).toBe(403);
    expect(await bad.json()).toMatchObject({ error: { code: 'origin_refused', field: 'origin' } });
    const none = await server.request('/collect', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(none.status).toBe(403);
    const preBad = await server.request('/collect', { method: 'OPTIONS', headers: { origin: 'https://evil.example' } });
    expect(preBad.status).toBe(403);
  });

  it('names malformed input: invalid JSON, invalid UTF-8, wrong type, oversize, not an object', async () => {
    const j = await collect('{"event_name":');
    expect(j.status).toBe(400);
    expect((await j.json() as { error: { code: string } }).error.code).toBe('invalid_json');
    const u = await server.request('/collect', { method: 'POST', headers: { origin: TEST_ORIGIN, 'content-type': 'application/json' }, body: Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d]) });
    expect(u.status).toBe(400);
    expect((await u.json() as { error: { code: string } }).error.code).toBe('invalid_utf8');
    const t = await collect('{}', { 'content-type': 'application/xml' });
    expect(t.status).toBe(415);
    const big = await collect(JSON.stringify({ event_name: 'x', pad: 'a'.repeat(200_000) }));
    expect(big.status).toBe(413);
    expect((await big.json() as { error: { code: string } }).error.code).toBe('body_too_large');
    const arr = await collect('[1,2]');
    expect(arr.status).toBe(400);
    expect((await arr.json() as { error: { code: string } }).error.code).toBe('invalid_body');
  });

  it('reports mapping drop reasons in the reply and in metrics', async () => {
    const ev = browserPurchase();
    ev.user = {};
    delete (ev.integrations as { facebook: Record<string, unknown> }).facebook.fbp;
    const res = await collect(ev);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { results: Array<{ status: string; destinations: Array<{ reason: string; detail: string }> }> };
    expect(body.results[0]!.status).toBe('dropped');
    expect(body.results[0]!.destinations[0]!.reason).toBe('insufficient_match_keys');
    const m = await server.metrics();
    expect(m.get('capi_bridge_events_dropped_total{reason="insufficient_match_keys",source="browser"}')).toBeGreaterThanOrEqual(1);
    expect(m.get('capi_bridge_events_dropped_total{reason="invalid_json",source="browser"}')).toBeGreaterThanOrEqual(1);
    expect(m.get('capi_bridge_events_dropped_total{reason="origin_refused",source="browser"}')).toBeGreaterThanOrEqual(1);
  });

  it('sets security headers', async () => {
    const res = await server.request('/healthz');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toBeTruthy();
    expect(res.headers.get('x-powered-by')).toBeNull();
  });
});

describe('/v1/events', () => {
  it('401 without or with a wrong key; never echoes the key', async () => {
    const none = await server.request('/v1/events', { json: purchase() });
    expect(none.status).toBe(401);
    const wrong = await server.request('/v1/events', { json: purchase(), key: 'wrong-key-wrong-key-wrong' });
    expect(wrong.status).toBe(401);
    const text = await wrong.text();
    expect(text).not.toContain('wrong-key');
    expect(text).not.toContain(TEST_API_KEY);
  });

  it('accepts one event or a batch, with a per-event result, and delivers the accepted ones', async () => {
    const good = [purchase(), purchase(), purchase()];
    const noConsentOk = purchase({ event_name: 'page_view' });
    const future = purchase({ context: { event_id: 'future-1', event_timestamp: Date.now() + 3_600_000, page: { url: 'https://shop.example/' } } });
    const noCurrency = purchase({ currency: undefined, value: undefined, amount: undefined });
    delete noCurrency.currency;
    delete noCurrency.value;
    const res = await server.request('/v1/events', { key: true, json: { batch: [...good, noConsentOk, future, noCurrency] } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { accepted: number; dropped: number; results: Array<{ status: string; destinations: Array<{ reason?: string }> }> };
    expect(body.accepted).toBe(4);
    expect(body.results[4]!.destinations[0]!.reason).toBe('in_future');
    expect(body.results[5]!.destinations[0]!.reason).toBe('missing_value_or_currency');
    const ids = good.map((g) => (g.context as { event_id: string }).event_id);
    await waitFor(async () => { const s = await sandbox.acceptedServerIds(); return ids.every((i) => s.has(i)); }, { message: 'batch delivered' });
    const single = await server.request('/v1/events', { key: true, json: purchase() });
    expect(((await single.json()) as { accepted: number }).accepted).toBe(1);
  });

  it('refuses batches over the limit and bodies that are not events', async () => {
    const big = await server.request('/v1/events', { key: true, json: { batch: Array.from({ length: 1001 }, () => ({})) } });
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ error: { code: 'batch_too_large', field: 'batch' } });
    const notArr = await server.request('/v1/events', { key: true, json: { batch: 'x' } });
    expect(notArr.status).toBe(400);
    expect(await notArr.json()).toMatchObject({ error: { field: 'batch' } });
  });
});

describe('/v1/preview, /v1/sent', () => {
  it('preview returns the exact payload, match keys and drop reasons, and sends nothing', async () => {
    const ev = purchase();
    const id = (ev.context as { event_id: string }).event_id;
    const res = await server.request('/v1/preview', { key: true, json: { batch: [ev, { event_name: 'purchase' }] } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { results: Array<{ destinations: Array<Record<string, any>> }> };
    const d0 = body.results[0]!.destinations[0]!;
    expect(d0.status).toBe('would_send');
    expect(d0.payload.data[0].event_id).toBe(id);
    expect(d0.payload.partner_agent).toBe('capi-bridge');
    expect(d0.payload).not.toHaveProperty('access_token');
    expect(d0.match_keys).toContain('em');
    expect(body.results[1]!.destinations[0]!.status).toBe('dropped');
    await new Promise((r) => setTimeout(r, 300));
    expect(await sandbox.events({ event_id: id })).toHaveLength(0);
    expect(JSON.stringify(body)).not.toContain(TEST_TOKEN);
  });

  it('sent lists what happened to recent event ids, needs a key', async () => {
    const ev = purchase();
    const id = (ev.context as { event_id: string }).event_id;
    await server.request('/v1/events', { key: true, json: ev });
    const rec = await waitFor(async () => {
      const r = (await (await server.request(`/v1/sent?event_id=${id}`, { key: true })).json()) as { events: Array<Record<string, string>> };
      return r.events[0]?.status === 'sent' ? r.events[0] : undefined;
    });
    expect(rec).toMatchObject({ event_id: id, event_name: 'Purchase', destination: TEST_PIXEL, fbp: 'fb.1.1700000000000.1234567890' });
    expect((await server.request(`/v1/sent?event_id=${id}`)).status).toBe(401);
    expect((await server.request('/v1/sent', { key: true })).status).toBe(400);
  });
});

describe('/v1/events/csv', () => {
  it('streams a conversion file: rows sharing id are one conversion; bad rows listed', async () => {
    const t = Date.now();
    const csv = [
      'id,event_name,context.event_timestamp,type,user.email,user.phone,user.firstname,user.lastname,user.city,currency,value,items.product.id,items.quantity,items.product.price',
      `c1,purchase,${t},offline,a@example.com,+33612345678,Ada,Lovelace,Paris,EUR,30,p1,1,10`,
      `c1,purchase,${t},offline,,,,,,,,p2,2,10`,
      `c2,purchase,${t},offline,,,Bob,B,Lyon,EUR,5,p3,1,5`,
      `c3,purchase,${t},offline,b@example.com,,C,D,Nice,EUR,notanumber,p4,1,5`,
      'c4,too,few',
    ].join('\n');
    const res = await server.request('/v1/events/csv', { method: 'POST', key: true, headers: { 'content-type': 'text/csv' }, body: csv });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { accepted_conversions: number; accepted_rows: number; bad_row_count: number; bad_rows: Array<{ row: number; field?: string; reason: string }> };
    expect(body.accepted_conversions).toBe(1);
    expect(body.accepted_rows).toBe(2);
    expect(body.bad_row_count).toBe(3);
    expect(body.bad_rows).toEqual(expect.arrayContaining([
      expect.objectContaining({ row: 4, reason: expect.stringMatching(/missing_personal_info|insufficient_match_keys/) }),
      expect.objectContaining({ row: 5, field: 'value', reason: 'invalid_value' }),
      expect.objectContaining({ row: 6, reason: 'invalid_csv_row' }),
    ]));
    const got = await waitFor(async () => {
      const e = (await sandbox.events({ source: 'server' })).find((x) => (x.payload as { custom_data?: { order_id?: string } }).custom_data?.order_id === 'c1');
      return e;
    });
    expect((got.payload as { action_source: string }).action_source).toBe('physical_store');
    expect((got.payload as { custom_data: { content_ids: string[] } }).custom_data.content_ids).toEqual(['p1', 'p2']);
  });

  it('refuses a bad header, wrong content type and missing key', async () => {
    const h = await server.request('/v1/events/csv', { method: 'POST', key: true, headers: { 'content-type': 'text/csv' }, body: 'id,user..email\n1,a' });
    expect(h.status).toBe(400);
    expect(await h.json()).toMatchObject({ error: { code: 'invalid_csv' } });
    const q = await server.request('/v1/events/csv', { method: 'POST', key: true, headers: { 'content-type': 'text/csv' }, body: 'id,user.email\n1,"a@b.c\n2,x' });
    expect(q.status).toBe(400);
    expect(await q.json()).toMatchObject({ error: { code: 'invalid_csv' } });
    const ct = await server.request('/v1/events/csv', { method: 'POST', key: true, headers: { 'content-type': 'application/json' }, body: 'id\n1' });
    expect(ct.status).toBe(415);
    expect((await server.request('/v1/events/csv', { method: 'POST', headers: { 'content-type': 'text/csv' }, body: 'id\n1' })).status).toBe(401);
  });
});

describe('operations endpoints', () => {
  it('healthz, readyz, metrics (key required), tag.js and tag-debug.js (503 naming the missing build, then 200 + ETag + 304 once built; any origin may import), JSON 404', async () => {
    expect((await server.request('/healthz')).status).toBe(200);
    const ready = await server.request('/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready' });
    expect((await server.request('/metrics')).status).toBe(401);
    const m = await server.metrics();
    expect(m.get(`capi_bridge_events_sent_total{destination="${TEST_PIXEL}"}`)).toBeGreaterThan(0);
    expect(m.has(`capi_bridge_outbox_depth{destination="${TEST_PIXEL}"}`)).toBe(true);
    expect(m.has(`capi_bridge_destination_paused{destination="${TEST_PIXEL}"}`)).toBe(true);
    const missing = await server.request('/tag.js');
    expect(missing.status).toBe(503);
    expect(await missing.json()).toMatchObject({ error: { code: 'tag_not_built' } });
    writeFileSync(tagPath, '/* tag */ window.tagLoaded = true;\n');
    const tag = await server.request('/tag.js');
    expect(tag.status).toBe(200);
    expect(await tag.text()).toBe('/* tag */ window.tagLoaded = true;\n');
    expect(tag.headers.get('cache-control')).toContain('max-age=');
    const etag = tag.headers.get('etag');
    expect(etag).toMatch(/^".+"$/);
    expect((await server.request('/tag.js', { headers: { 'if-none-match': etag! } })).status).toBe(304);
    // What tag.js imports with `debug`, from the file next to it; a module import from another origin needs CORS.
    const noDebug = await server.request('/tag-debug.js');
    expect(noDebug.status).toBe(503);
    expect(await noDebug.json()).toMatchObject({ error: { code: 'tag_not_built', message: expect.stringContaining('no tag-debug.js') } });
    writeFileSync(join(dataDir, 'tag-debug.js'), 'export default () => 1;\n');
    const debug = await server.request('/tag-debug.js', { headers: { origin: 'https://elsewhere.example' } });
    expect(debug.status).toBe(200);
    expect(await debug.text()).toBe('export default () => 1;\n');
    expect(debug.headers.get('content-type')).toMatch(/^application\/javascript/);
    expect(debug.headers.get('access-control-allow-origin')).toBe('*');
    expect(debug.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    const nf = await server.request('/nope');
    expect(nf.status).toBe(404);
    expect(await nf.json()).toMatchObject({ error: { code: 'not_found' } });
  });

  it('never writes the access token or API key to its logs', () => {
    const out = server.output();
    expect(out).toContain('"msg":"listening"');
    expect(out).not.toContain(TEST_TOKEN);
    expect(out).not.toContain(TEST_API_KEY);
  });
});
