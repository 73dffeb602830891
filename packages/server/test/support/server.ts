import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, ensureBuilt, spawnListening, type SpawnedServer } from './process.js';

export const TEST_API_KEY = 'test-api-key-0123456789abcdef';
export const TEST_PIXEL = '1234567890';
export const TEST_TOKEN = 'sandbox-token';
export const TEST_ORIGIN = 'https://shop.example';

export interface CapiServer extends SpawnedServer {
  /** The SQLite outbox file (reuse it with `spawnServer({ outboxPath })` to test restarts). */
  outboxPath: string;
  dataDir: string;
  /** fetch against the server; `key: true` adds the test API key. */
  request(path: string, init?: RequestInit & { key?: boolean | string; json?: unknown }): Promise<Response>;
  /** Parsed Prometheus text: `metric{labels}` → value. */
  metrics(): Promise<Map<string, number>>;
}

export interface SpawnServerOptions {
  /** Graph base URL (the sandbox's url). */
  graphUrl: string;
  /** Extra env (wins over the defaults below). */
  env?: Record<string, string>;
  /** Config file content (written to a temp file, passed with --config). */
  config?: Record<string, unknown>;
  /** Reuse an outbox file (restart tests). */
  outboxPath?: string;
  dataDir?: string;
  /** Another checkout's CLI (`<dir>/packages/server/bin/capi-bridge.js`), for benchmarks comparing builds. */
  bin?: string;
}

/**
 * Starts `capi-bridge serve` as a real process on 127.0.0.1:0 with a fresh SQLite outbox, one destination
 * (pixel 1234567890, token `sandbox-token`), API key TEST_API_KEY, allowed origin TEST_ORIGIN, and short
 * delivery timings suitable for tests (flush 50 ms, backoff 200 ms..2 s, lease 3 s, probe 500 ms).
 */
export async function spawnServer(options: SpawnServerOptions): Promise<CapiServer> {
  ensureBuilt();
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'capi-bridge-test-'));
  const outboxPath = options.outboxPath ?? join(dataDir, 'outbox.db');
  const args = ['serve'];
  if (options.config) {
    const p = join(dataDir, `config-${Date.now()}.json`);
    writeFileSync(p, JSON.stringify(options.config));
    args.push('--config', p);
  }
  const env: Record<string, string> = {
    PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info',
    FB_PIXEL_ID: TEST_PIXEL, FB_ACCESS_TOKEN: TEST_TOKEN, FB_GRAPH_URL: options.graphUrl,
    API_KEYS: TEST_API_KEY, ALLOWED_ORIGINS: TEST_ORIGIN, OUTBOX: `sqlite:${outboxPath}`,
    FLUSH_INTERVAL_MS: '50', BACKOFF_BASE_MS: '200', BACKOFF_MAX_MS: '2000', LEASE_MS: '3000',
    AUTH_PROBE_INTERVAL_MS: '500', REQUEST_TIMEOUT_MS: '3000', SHUTDOWN_TIMEOUT_MS: '5000',
    ...options.env,
  };
  const s = await spawnListening(options.bin ?? join(REPO_ROOT, 'packages/server/bin/capi-bridge.js'), args, { env });
  const request: CapiServer['request'] = (path, init = {}) => {
    const { key, json, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (key) headers.set('authorization', `Bearer ${key === true ? TEST_API_KEY : key}`);
    if (json !== undefined) {
      if (!headers.has('content-type')) headers.set('content-type', 'application/json');
      return fetch(`${s.url}${path}`, { method: 'POST', ...rest, headers, body: JSON.stringify(json) });
    }
    return fetch(`${s.url}${path}`, { ...rest, headers });
  };
  return {
    ...s,
    outboxPath,
    dataDir,
    request,
    async metrics() {
      const res = await request('/metrics', { key: true });
      const text = await res.text();
      const out = new Map<string, number>();
      for (const line of text.split('\n')) {
        if (line.startsWith('#') || line.trim() === '') continue;
        const i = line.lastIndexOf(' ');
        out.set(line.slice(0, i), Number(line.slice(i + 1)));
      }
      return out;
    },
  };
}
