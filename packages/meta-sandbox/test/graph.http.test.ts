import { createHash, createHmac } from 'node:crypto';
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type SandboxHandle } from '../src/start.js';
import type { RecordedEvent } from '../src/types.js';

const PIXEL = '1234567890';
const TOKEN = 'sandbox-token';
const EM = '62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f';
const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

let clock = 1_800_000_000_000;
let sb: SandboxHandle;
let secured: SandboxHandle;

function serverEvent(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    event_name: 'Purchase', event_time: Math.floor(clock / 1000) - 5, action_source: 'website', event_id: 'order-1',
    event_source_url: 'https://shop.example.test/checkout',
    user_data: { em: EM, client_user_agent: 'Mozilla/5.0', client_ip_address: '203.0.113.9', fbp: 'fb.1.1596403881668.1116446470' },
    custom_data: { value: 42.5, currency: 'EUR' },
    ...over,
  };
}

async function post(body: unknown, opts: { pixel?: string; query?: string; base?: string; raw?: string; type?: string } = {}) {
  const res = await fetch(`${opts.base ?? sb.url}/v24.0/${opts.pixel ?? PIXEL}/events${opts.query ?? `?access_token=${TOKEN}`}`, {
    method: 'POST', headers: { 'content-type': opts.type ?? 'application/json' }, body: opts.raw ?? JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, any> };
}

async function events(q = ''): Promise<RecordedEvent[]> {
  return ((await (await fetch(`${sb.url}/_sandbox/events${q}`)).json()) as { events: RecordedEvent[] }).events;
}

beforeAll(async () => {
  sb = await startSandbox({ port: 0, now: () => clock });
  secured = await startSandbox({ port: 0, now: () => clock, tokens: ['tok-a'], pixels: ['555'], appSecrets: { 'tok-a': 's3cret' } });
});
afterAll(async () => {
  await sb.close();
  await secured.close();
});
beforeEach(async () => {
  await fetch(`${sb.url}/_sandbox/events`, { method: 'DELETE' });
  await fetch(`${sb.url}/_sandbox/faults`, { method: 'DELETE' });
});

describe('Graph POST /:version/:pixel/events', () => {
  it('accepts JSON and answers events_received, messages, fbtrace_id; records test_event_code and match keys', async () => {
    const r = await post({ data: [serverEvent(), serverEvent({ event_id: 'order-2' })], test_event_code: 'TEST123', partner_agent: 'capi-bridge' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ events_received: 2, messages: [] });
    expect(r.body.fbtrace_id).toMatch(/^[A-Za-z0-9_-]{10,}$/);
    const [first] = await events('?event_id=order-1');
    expect(first).toMatchObject({ source: 'server', status: 'counted', testEventCode: 'TEST123', fbp: 'fb.1.1596403881668.1116446470' });
    expect(first?.matchKeys).toEqual(['em', 'client_user_agent', 'client_ip_address', 'fbp']);
  });

  it('accepts form-encoded data=[...] with access_token in the body (Meta curl form)', async () => {
    const form = new URLSearchParams({ data: JSON.stringify([serverEvent()]), access_token: TOKEN });
    const r = await post(null, { query: '', raw: form.toString(), type: 'application/x-www-form-urlencoded' });
    expect(r.status).toBe(200);
    expect(r.body.events_received).toBe(1);
  });

  it('missing or unknown token → 400 code 190 OAuthException, token never echoed', async () => {
    const missing = await post({ data: [serverEvent()] }, { query: '' });
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatchObject({ code: 190, type: 'OAuthException', is_transient: false });
    const bad = await post({ data: [serverEvent()] }, { query: '?access_token=super-secret-wrong' });
    expect(bad.body.error.code).toBe(190);
    expect(JSON.stringify(bad.body)).not.toContain('super-secret-wrong');
    expect(JSON.stringify(await events())).not.toContain('super-secret-wrong');
  });

  it('unknown pixel → code 100 subcode 33 GraphMethodException', async () => {
    const r = await post({ data: [serverEvent()] }, { pixel: 'not-a-pixel' });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: 100, error_subcode: 33, type: 'GraphMethodException' });
    const s = await post({ data: [serverEvent()] }, { base: secured.url, pixel: '1234567890', query: `?access_token=tok-a&appsecret_proof=${createHmac('sha256', 's3cret').update('tok-a').digest('hex')}` });
    expect(s.body.error.error_subcode).toBe(33);
  });

  it('verifies appsecret_proof when an app secret is configured', async () => {
    const proof = createHmac('sha256', 's3cret').update('tok-a').digest('hex');
    const ok = await post({ data: [serverEvent()], appsecret_proof: proof }, { base: secured.url, pixel: '555', query: '?access_token=tok-a' });
    expect(ok.status).toBe(200);
    const bad = await post({ data: [serverEvent()] }, { base: secured.url, pixel: '555', query: `?access_token=tok-a&appsecret_proof=${sha('x')}` });
    expect(bad.body.error).toMatchObject({ code: 100, message: 'Invalid appsecret_proof provided in the API argument' });
    const none = await post({ data: [serverEvent()] }, { base: secured.url, pixel: '555', query: '?access_token=tok-a' });
    expect(none.status).toBe(400);
  });

  it('rejects the whole batch when one event is invalid, naming index and field; all events recorded rejected', async () => {
    const r = await post({ data: [serverEvent(), serverEvent({ event_id: 'b', user_data: { em: 'john@example.com', client_user_agent: 'UA' } })] });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: 100, error_subcode: 2804907, message: 'Invalid parameter', is_transient: false });
    expect(r.body.error.error_user_msg).toContain('data[1].user_data.em');
    // Meta names the event of a parameter error as `$['data'][N]`: so does the sandbox.
    expect(r.body.error.error_user_msg).toContain(`on param "$['data'][1]"`);
    const recorded = await events();
    expect(recorded.map((e) => e.status)).toEqual(['rejected', 'rejected']);
    expect(recorded[0]?.error?.error_subcode).toBe(2804907);
  });

  it('7-day rule answers Meta subcode 2804003 "Event Timestamp Too Old"', async () => {
    const r = await post({ data: [serverEvent({ event_time: Math.floor(clock / 1000) - 8 * 86_400 })] });
    expect(r.body.error).toMatchObject({ code: 100, error_subcode: 2804003, error_user_title: 'Event Timestamp Too Old' });
    // Meta's captured 2804003 body names no event.
    expect(r.body.error.error_user_msg).not.toContain('data');
    expect(r.body.error.error_user_msg).toContain('within 7 days');
  });

  it('data must be an array of 1..1000 events', async () => {
    expect((await post({})).body.error.error_subcode).toBe(2804902);
    expect((await post({ data: {} })).body.error.error_subcode).toBe(2804901);
    expect((await post({ data: [] })).body.error.error_subcode).toBe(2804901);
    expect((await post({ data: 'not json' })).body.error.error_subcode).toBe(2804900);
    const many = Array.from({ length: 1001 }, (_, i) => serverEvent({ event_id: `e${i}` }));
    expect((await post({ data: many })).body.error.error_user_msg).toContain('1001');
    const max = Array.from({ length: 1000 }, (_, i) => serverEvent({ event_id: `e${i}` }));
    expect((await post({ data: max })).body.events_received).toBe(1000);
  });

  it('malformed JSON and oversized bodies answer Meta-like envelopes, and the server keeps running', async () => {
    const r = await post(null, { raw: '{"data":[' });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: 100, error_subcode: 2804900 });
    const big = await post(null, { raw: JSON.stringify({ data: [serverEvent({ custom_data: { value: 1, currency: 'EUR', pad: 'x'.repeat(6_000_000) } })] }) });
    expect(big.status).toBe(413);
    expect(big.body.error.error_subcode).toBe(2804913);
    expect((await post({ data: [serverEvent()] })).status).toBe(200);
  });

  it('unknown paths answer a Graph envelope', async () => {
    const res = await fetch(`${sb.url}/v24.0/${PIXEL}/nope`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as any).error.fbtrace_id).toBeTypeOf('string');
  });
});

describe('dedup over HTTP (browser /tr + server Graph, injected clock)', () => {
  const tr = (q: string) => fetch(`${sb.url}/tr/?id=${PIXEL}&${q}`);
  it('browser first then server: server deduplicated; case-different name is not', async () => {
    const hit = await tr('ev=Purchase&eid=order-1&fbp=fb.1.1596403881668.1116446470&cd[value]=42.5');
    expect(hit.headers.get('content-type')).toBe('image/gif');
    expect(Buffer.from(await hit.arrayBuffer()).subarray(0, 6).toString()).toBe('GIF89a');
    clock += 60_000;
    await post({ data: [serverEvent(), serverEvent({ event_name: 'purchase', custom_data: {} })] });
    const recorded = await events();
    expect(recorded.map((e) => `${e.source}:${e.eventName}:${e.status}`)).toEqual([
      'browser:Purchase:counted', 'server:Purchase:deduplicated', 'server:purchase:counted',
    ]);
  });

  it('server first, browser within 5 min wins; after 48 h a repeat counts again', async () => {
    await post({ data: [serverEvent({ event_id: 'o-9' })] });
    clock += 4 * 60_000;
    await fetch(`${sb.url}/tr`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `id=${PIXEL}&ev=Purchase&eid=o-9` });
    expect((await events('?event_id=o-9')).map((e) => `${e.source}:${e.status}`)).toEqual(['server:deduplicated', 'browser:counted']);
    clock += 48 * 3600_000;
    await post({ data: [serverEvent({ event_id: 'o-9' })] });
    expect((await events('?event_id=o-9&status=counted')).map((e) => e.source)).toEqual(['browser', 'server']);
  });

  it('records rejected pixel hits (no id / unknown pixel / no ev)', async () => {
    await fetch(`${sb.url}/tr?ev=Purchase`);
    await fetch(`${sb.url}/tr?id=abc&ev=Purchase`);
    await fetch(`${sb.url}/tr?id=${PIXEL}`);
    const rejected = await events('?status=rejected&source=browser');
    expect(rejected.map((e) => e.error?.message)).toEqual(['Missing pixel id (id)', "Unknown pixel id 'abc'", 'Missing event name (ev)']);
  });

  it('events API validates filters', async () => {
    expect((await fetch(`${sb.url}/_sandbox/events?source=phone`)).status).toBe(400);
    expect((await fetch(`${sb.url}/_sandbox/events?status=maybe`)).status).toBe(400);
  });
});

describe('fault injection', () => {
  const addFault = async (spec: unknown) => fetch(`${sb.url}/_sandbox/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(spec) });

  it('status 503 for the next 2 requests, transient code 2, then normal', async () => {
    expect((await addFault({ kind: 'status', status: 503, count: 2 })).status).toBe(201);
    for (let i = 0; i < 2; i++) {
      const r = await post({ data: [serverEvent()] });
      expect(r.status).toBe(503);
      expect(r.body.error).toMatchObject({ code: 2, is_transient: true });
    }
    expect((await post({ data: [serverEvent()] })).status).toBe(200);
    const stats = (await (await fetch(`${sb.url}/_sandbox/stats`)).json()) as Record<string, number>;
    expect(stats.faulted).toBeGreaterThanOrEqual(2);
  });

  it('throttle answers 429 with Retry-After and code 4 (or the given code)', async () => {
    await addFault({ kind: 'throttle', retryAfterSeconds: 7 });
    const r = await post({ data: [serverEvent()] });
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toBe('7');
    expect(r.body.error).toMatchObject({ code: 4, is_transient: true });
    await addFault({ kind: 'throttle', code: 17 });
    expect((await post({ data: [serverEvent()] })).body.error.code).toBe(17);
  });

  it('outage: 503 for every request during durationMs (injected clock), scoped by pixel', async () => {
    await addFault({ kind: 'outage', durationMs: 10_000, pixelId: PIXEL });
    expect((await post({ data: [serverEvent()] })).status).toBe(503);
    expect((await post({ data: [serverEvent()] })).status).toBe(503);
    expect((await post({ data: [serverEvent()] }, { pixel: '42' })).status).toBe(200);
    clock += 10_000;
    expect((await post({ data: [serverEvent()] })).status).toBe(200);
  });

  it('timeout holds the request until the client gives up; latency delays then processes', async () => {
    await addFault({ kind: 'timeout' });
    await expect(fetch(`${sb.url}/v24.0/${PIXEL}/events?access_token=${TOKEN}`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ data: [serverEvent()] }), signal: AbortSignal.timeout(300),
    })).rejects.toThrow();
    await addFault({ kind: 'latency', latencyMs: 200 });
    const started = Date.now();
    const r = await post({ data: [serverEvent()] });
    expect(r.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect((await events('?source=server')).length).toBeGreaterThanOrEqual(1);
  });

  it('latency: a client that gives up during the delay is not recorded (no phantom 190 with an empty payload)', async () => {
    await addFault({ kind: 'latency', latencyMs: 400 });
    const body = JSON.stringify({ data: [serverEvent({ event_id: 'gone-1' })], access_token: TOKEN });
    const { request } = await import('node:http');
    await new Promise<void>((resolve) => {
      const req = request(`${sb.url}/v24.0/${PIXEL}/events`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } });
      req.on('error', () => resolve());
      req.end(body);
      // The whole body is sent; the client gives up (timeout, crash) while the sandbox sleeps.
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 100);
    });
    await new Promise((r) => setTimeout(r, 700));
    expect(await events('?status=rejected')).toEqual([]);
    // The sandbox still serves the next request normally.
    expect((await post({ data: [serverEvent({ event_id: 'after-gone' })] })).status).toBe(200);
    expect(await events('?event_id=after-gone')).toHaveLength(1);
  });

  it('graph_error answers Meta\'s envelope and wording for the code (2635, 190/463, 100/33, 80004), unknown codes generically', async () => {
    await addFault({ kind: 'graph_error', code: 2635 });
    const dep = await post({ data: [serverEvent()] });
    expect(dep.status).toBe(400);
    expect(dep.body.error).toMatchObject({ code: 2635, type: 'OAuthException', is_transient: false });
    expect(dep.body.error.message).toContain('(#2635) You are calling a deprecated version of the Ads API');
    expect(dep.body.error.fbtrace_id).toMatch(/\S/);
    await addFault({ kind: 'graph_error', code: 190, subcode: 463 });
    expect((await post({ data: [serverEvent()] })).body.error).toMatchObject({ code: 190, error_subcode: 463, type: 'OAuthException' });
    await addFault({ kind: 'graph_error', code: 100, subcode: 33 });
    const obj = await post({ data: [serverEvent()] });
    expect(obj.body.error).toMatchObject({ code: 100, error_subcode: 33, type: 'GraphMethodException' });
    expect(obj.body.error.message).toContain(`Object with ID '${PIXEL}' does not exist`);
    await addFault({ kind: 'graph_error', code: 80004, status: 429 });
    const thr = await post({ data: [serverEvent()] });
    expect(thr.status).toBe(429);
    expect(thr.body.error).toMatchObject({ code: 80004, is_transient: true });
    await addFault({ kind: 'graph_error', code: 4242 });
    expect((await post({ data: [serverEvent()] })).body.error).toMatchObject({ code: 4242, message: '(#4242) An error occurred' });
    expect((await post({ data: [serverEvent()] })).status).toBe(200);
  });

  it('proxy answers an HTML page with the status (not Graph\'s envelope)', async () => {
    await addFault({ kind: 'proxy', status: 502 });
    const res = await fetch(`${sb.url}/v24.0/${PIXEL}/events?access_token=${TOKEN}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ data: [serverEvent()] }) });
    expect(res.status).toBe(502);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(await res.text()).toContain('<h1>502</h1>');
    expect((await addFault({ kind: 'proxy' })).status).toBe(400);
    expect((await addFault({ kind: 'graph_error' })).status).toBe(400);
  });

  it('rejects bad fault specs and lists/clears faults', async () => {
    expect((await addFault({ kind: 'explode' })).status).toBe(400);
    expect((await addFault({ kind: 'outage' })).status).toBe(400);
    await addFault({ kind: 'status', status: 500, durationMs: 60_000 });
    const listed = (await (await fetch(`${sb.url}/_sandbox/faults`)).json()) as { faults: unknown[] };
    expect(listed.faults).toHaveLength(1);
    await fetch(`${sb.url}/_sandbox/faults`, { method: 'DELETE' });
    expect((await post({ data: [serverEvent()] })).status).toBe(200);
  });
});

describe('CLI', () => {
  it('prints the listening line and serves with configured tokens', async () => {
    const child = spawn(process.execPath, ['bin/meta-sandbox.js', '--port', '0', '--tokens', 'cli-token', '--pixels', PIXEL], {
      cwd: new URL('..', import.meta.url).pathname, stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let buf = '';
        child.stdout.on('data', (d: Buffer) => {
          buf += d.toString();
          const l = buf.split('\n').find((x) => x.includes('"msg":"listening"'));
          if (l) resolve(l);
        });
        child.once('exit', (code) => reject(new Error(`exited ${code}`)));
      });
      const { url } = JSON.parse(line) as { url: string };
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(line).not.toContain('cli-token');
      const ok = await post({ data: [{ ...serverEvent(), event_time: Math.floor(Date.now() / 1000) }] }, { base: url, query: '?access_token=cli-token' });
      expect(ok.status).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
  });
});
