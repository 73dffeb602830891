/** `node scripts/start.mjs` (what `npm start` runs after building) as a leashed process. */
import { join } from 'node:path';
import { startService, type Service } from './procs.js';
import { ROOT, assertBuilt } from './stack.js';

export interface DemoInfo {
  url: string;
  sandbox: string;
  dedupPage: string;
  server: string;
  apiKey: string;
  pids: { sandbox: number; server: number };
}

export async function startDemo(): Promise<{ service: Service; info: DemoInfo }> {
  assertBuilt();
  const service = await startService({
    name: 'npm-start-demo',
    command: process.execPath,
    args: [join(ROOT, 'scripts/start.mjs')],
    cwd: ROOT,
    // Ports 0: other suites may be running; the fixed defaults are for people.
    env: { FB_PIXEL_ID: undefined, FB_ACCESS_TOKEN: undefined, SHOP_PORT: '0', SERVER_PORT: '0', SANDBOX_PORT: '0', PORT: undefined },
    readyTimeoutMs: 60_000,
  });
  const line = service.output().split('\n').find((l) => l.includes('"capi-bridge-demo"'));
  if (!line) throw new Error(`no ready line in:\n${service.output()}`);
  return { service, info: JSON.parse(line) as DemoInfo };
}
