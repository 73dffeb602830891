import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ConfigError, resolveConfig } from './config/resolve.js';
import { createGraphClient } from './delivery/graph-client.js';
import { createLogger } from './log.js';
import { redactUrlsInText } from './redact-url.js';
import { startServer } from './server.js';

const PASSWORD = 'pw-SECRET-4c1d9e';
const GRAPH_URL = `http://proxyuser:${PASSWORD}@127.0.0.1:9`;

function capture(): { destination: Writable; text: () => string } {
  let out = '';
  return { destination: new Writable({ write(c, _e, cb) { out += c.toString(); cb(); } }), text: () => out };
}

describe('URLs with credentials are redacted in logs and errors', () => {
  it('redactUrlsInText masks the user:password part of every URL in free text', () => {
    const t = redactUrlsInText(`failed: ${GRAPH_URL}/v1/events and redis://:${PASSWORD}@cache:6379/0`);
    expect(t).not.toContain(PASSWORD);
    expect(t).toContain('http://***@127.0.0.1:9/v1/events');
  });

  it('the listening line shows FB_GRAPH_URL without its password', async () => {
    const log = capture();
    const config = resolveConfig({
      env: { PORT: '0', HOST: '127.0.0.1', FB_PIXEL_ID: '1234567890', FB_ACCESS_TOKEN: 'tok-0123456789', FB_GRAPH_URL: GRAPH_URL, OUTBOX: 'sqlite::memory:', MAP_WORKERS: '0' },
    });
    const server = await startServer(config, { logger: createLogger({ level: 'info', destination: log.destination }), delivery: false });
    await server.close();
    expect(log.text()).toContain('"msg":"listening"');
    expect(log.text()).toContain('127.0.0.1:9');
    expect(log.text()).not.toContain(PASSWORD);
  });

  it('a log line quoting a credentialed URL is scrubbed even when no secret is configured', () => {
    const log = capture();
    createLogger({ level: 'info', destination: log.destination }).error({ err: `connect ECONNREFUSED ${GRAPH_URL}` }, `retrying ${GRAPH_URL}`);
    expect(log.text()).not.toContain(PASSWORD);
  });

  it("a transport error quoting the URL (fetch: 'URL that includes credentials') reaches delivery redacted", async () => {
    const client = createGraphClient({
      graphUrl: GRAPH_URL, timeoutMs: 1000,
      fetch: async (url) => { throw new TypeError(`Request cannot be constructed from a URL that includes credentials: ${String(url)}`); },
    });
    const { Secret } = await import('./config/secret.js');
    const out = await client.send({ id: 'd', pixelId: '1234567890', apiVersion: 'v25.0', accessToken: new Secret('tok-0123456789') } as never, []);
    expect(out.networkError).toContain('credentials');
    expect(out.networkError).not.toContain(PASSWORD);
  });

  it('a config error about FB_GRAPH_URL never echoes its password', () => {
    let err: unknown;
    try {
      resolveConfig({ env: { FB_PIXEL_ID: '1234567890', FB_ACCESS_TOKEN: 'tok-0123456789', FB_GRAPH_URL: `ftp://u:${PASSWORD}@host/x` } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect(String((err as Error).message)).not.toContain(PASSWORD);
  });
});
