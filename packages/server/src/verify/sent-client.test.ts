import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SentLookupError, fetchSent, parseSentBody } from './sent-client.js';

describe('parseSentBody', () => {
  it('reads the documented fields from {events:[…]} and keeps only the asked id', () => {
    const body = { events: [
      { event_id: 'e1', event_name: 'Purchase', fbp: 'fb.1.1.1', fbc: 'fb.1.1.x', destination: '123', status: 'sent' },
      { event_id: 'other', event_name: 'Lead', status: 'sent' },
      { event_id: 'e1', event_name: 'Purchase', destination: '456', status: 'dropped', reason: 'no_consent' },
      { event_id: 'e1', event_name: 'Purchase', destination: '789', status: 'dropped', reason: 'insufficient_match_keys', match_keys: ['fbp', 3] },
    ] };
    expect(parseSentBody(body, 'e1')).toEqual([
      { eventId: 'e1', eventName: 'Purchase', fbp: 'fb.1.1.1', fbc: 'fb.1.1.x', destination: '123', status: 'sent' },
      { eventId: 'e1', eventName: 'Purchase', destination: '456', status: 'dropped', reason: 'no_consent' },
      { eventId: 'e1', eventName: 'Purchase', destination: '789', status: 'dropped', reason: 'insufficient_match_keys', matchKeys: ['fbp'] },
    ]);
  });

  it('accepts a bare array and a single record, and nothing from junk', () => {
    expect(parseSentBody([{ event_id: 'e', status: 'queued' }], 'e')).toHaveLength(1);
    expect(parseSentBody({ event_id: 'e', status: 'queued' }, 'e')).toHaveLength(1);
    expect(parseSentBody('junk', 'e')).toEqual([]);
    expect(parseSentBody({ events: [null, 3] }, 'e')).toEqual([]);
  });
});

describe('fetchSent', () => {
  let url = '';
  const seen: Array<{ auth?: string; path?: string }> = [];
  const server = createServer((req, res) => {
    seen.push({ auth: req.headers.authorization, path: req.url });
    if (req.headers.authorization !== 'Bearer good') return void res.writeHead(401).end('{"error":"bad key"}');
    if (req.url?.includes('missing')) return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"events":[]}');
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ events: [{ event_id: 'a b', event_name: 'Lead', status: 'sent' }] }));
  });
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('sends the bearer key and the encoded event id', async () => {
    expect(await fetchSent(url, 'good', 'a b')).toEqual([{ eventId: 'a b', eventName: 'Lead', status: 'sent' }]);
    expect(seen.at(-1)).toEqual({ auth: 'Bearer good', path: '/v1/sent?event_id=a%20b' });
  });

  it('treats a JSON 404 as "unknown id"', async () => {
    expect(await fetchSent(url, 'good', 'missing')).toEqual([]);
  });

  it('fails clearly on a refused key without echoing it', async () => {
    const err = await fetchSent(url, 'secret-key', 'x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SentLookupError);
    expect((err as Error).message).toContain('refused the API key');
    expect((err as Error).message).not.toContain('secret-key');
  });

  it('fails clearly when the server is unreachable', async () => {
    await expect(fetchSent('http://127.0.0.1:1', 'good', 'x')).rejects.toThrow(/cannot reach/);
  });
});
