import { describe, expect, it } from 'vitest';
import { Secret } from '../config/secret.js';
import type { ResolvedDestination } from '../config/schema.js';
import type { CapiServerEvent } from '../mapping/types.js';
import { createGraphClient, graphBody, type FetchLike } from './graph-client.js';

const ev = (id: string): CapiServerEvent => ({ event_name: 'Purchase', event_time: 1_767_225_600, event_id: id, action_source: 'website', user_data: { em: ['a"b\u2028'] } });

describe('graph client body', () => {
  it('splices stored JSON rows into exactly the body graphBody() + credentials describe', async () => {
    let sent = '';
    const fetch: FetchLike = async (_url, init) => {
      sent = init.body;
      return { status: 200, headers: { get: () => null }, text: async () => '{"events_received":2}' };
    };
    const dest = { id: 'd', pixelId: '1', apiVersion: 'v24.0', accessToken: new Secret('tok'), appSecret: new Secret('sec'), testEventCode: 'T1' } as unknown as ResolvedDestination;
    const client = createGraphClient({ graphUrl: 'http://x', timeoutMs: 1000, fetch });
    const a = ev('a');
    const b = ev('b');
    const r = await client.send(dest, [{ event: a, json: JSON.stringify(a) }, { event: b }]);
    expect(r.status).toBe(200);
    const parsed = JSON.parse(sent) as Record<string, unknown>;
    expect(parsed).toEqual({ ...graphBody(dest, [a, b]), access_token: 'tok', appsecret_proof: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });
});
