import { describe, expect, it } from 'vitest';
import { parseArgs } from './cli.js';
import { askCompanion } from './companion.js';

const KEY = 'companion-secret-key';

describe('askCompanion', () => {
  it('asks /v1/sent with the bearer key for the ids and returns the events, never the key', async () => {
    const calls: Array<{ url: string; auth: string | null }> = [];
    const fake = (async (url: string, init: RequestInit) => {
      calls.push({ url, auth: new Headers(init.headers).get('authorization') });
      return new Response(JSON.stringify({ events: [{ event_id: 'a b', status: 'dropped', reason: 'insufficient_match_keys', match_keys: ['fbp'] }] }), { status: 200 });
    }) as typeof fetch;
    const answer = await askCompanion({ url: 'http://server.test/', key: KEY }, ['a b', 'c'], fake);
    expect(calls).toEqual([{ url: 'http://server.test/v1/sent?event_id=a%20b,c', auth: `Bearer ${KEY}` }]);
    expect(answer).toEqual({ configured: true, url: 'http://server.test/', events: [{ event_id: 'a b', status: 'dropped', reason: 'insufficient_match_keys', match_keys: ['fbp'] }] });
  });

  it('a refused key or an unreachable server is an error that names the server, not the key', async () => {
    const refused = await askCompanion({ url: 'http://server.test', key: KEY }, ['a'], (async () => new Response('{}', { status: 401 })) as typeof fetch);
    expect(refused).toEqual({ configured: true, url: 'http://server.test', error: 'http://server.test/v1/sent refused the companion key (HTTP 401)' });
    const down = await askCompanion({ url: 'http://server.test', key: KEY }, ['a'], (async () => {
      throw new TypeError('fetch failed');
    }) as typeof fetch);
    expect(down).toMatchObject({ error: 'cannot reach http://server.test/v1/sent: fetch failed' });
    expect(JSON.stringify([refused, down])).not.toContain(KEY);
  });
});

describe('sandbox CLI: companion', () => {
  it('takes --companion-url with --companion-key (or the env pair), and refuses one without the other', () => {
    expect(parseArgs(['--companion-url', 'http://127.0.0.1:8080', '--companion-key', 'k'], {})).toMatchObject({ ok: true, options: { companion: { url: 'http://127.0.0.1:8080', key: 'k' } } });
    expect(parseArgs([], { META_SANDBOX_COMPANION_URL: 'http://s', META_SANDBOX_COMPANION_KEY: 'k' })).toMatchObject({ ok: true, options: { companion: { url: 'http://s', key: 'k' } } });
    expect(parseArgs(['--companion-url', 'http://s'], {})).toEqual({ ok: false, reason: "--companion-key (one of the server's API_KEYS) is required with --companion-url" });
    expect(parseArgs(['--companion-key', 'k'], {})).toMatchObject({ ok: false });
    expect(parseArgs(['--companion-url', 'ftp://s', '--companion-key', 'k'], {})).toMatchObject({ ok: false });
  });
});
