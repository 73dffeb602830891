/**
 * The Docker image's install and start steps, run outside a container (no container engine here): pack the
 * workspaces into tarballs, production-only install in a fresh directory with deploy/install.mjs (the
 * Dockerfile runs the same two scripts), start the server CLI from there, /readyz, SIGTERM, clean exit.
 * Needs the npm registry (dependencies) and python3/make/g++ when better-sqlite3 has no prebuilt binary.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService, stopAll } from './support/procs.js';
import { assertBuilt, ROOT } from './support/stack.js';

const work = mkdtempSync(join(tmpdir(), 'capi-bridge-deploy-'));
const packDir = join(work, 'pack');
const appDir = join(work, 'app');
const dataDir = join(work, 'data');

beforeAll(() => {
  assertBuilt();
  execFileSync(process.execPath, [join(ROOT, 'deploy/pack.mjs'), packDir], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  execFileSync(process.execPath, [join(ROOT, 'deploy/install.mjs'), packDir, appDir], { cwd: work, stdio: ['ignore', 'ignore', 'inherit'] });
}, 900_000);
afterAll(async () => {
  await stopAll();
  rmSync(work, { recursive: true, force: true });
});

describe('deploy: install from packed tarballs, start, /readyz, SIGTERM', () => {
  it('installs only production dependencies, outside the repository', () => {
    expect(readdirSync(packDir).sort()).toEqual([
      'capi-bridge-contract-0.1.0.tgz', 'capi-bridge-server-0.1.0.tgz', 'capi-bridge-web-tag-0.1.0.tgz',
    ]);
    const nm = join(appDir, 'node_modules');
    expect(existsSync(join(nm, '@capi-bridge/server/dist/cli.js'))).toBe(true);
    expect(existsSync(join(nm, '@capi-bridge/web-tag/dist/tag.js'))).toBe(true);
    // resolved from the app's node_modules, not linked back into the checkout
    expect(readFileSync(join(nm, '@capi-bridge/server/package.json'), 'utf8')).toContain('"name": "@capi-bridge/server"');
    for (const dev of ['vitest', 'typescript', 'rollup', 'tsx', 'playwright-core']) expect(existsSync(join(nm, dev)), dev).toBe(false);
    expect(readdirSync(join(nm, 'better-sqlite3/build/Release')).some((f) => f.endsWith('.node'))).toBe(true);
  });

  it('starts the CLI as the image does, answers /readyz, /tag.js and /tag-debug.js, drains and exits 0 on SIGTERM', async () => {
    const server = await startService({
      name: 'installed-server',
      command: process.execPath,
      args: [join(appDir, 'node_modules/@capi-bridge/server/bin/capi-bridge.js'), 'serve'],
      cwd: appDir,
      // The image's environment (see deploy/Dockerfile), with a Graph URL nothing listens on: no event is sent here.
      env: {
        PORT: '0', HOST: '127.0.0.1', OUTBOX: `sqlite:${join(dataDir, 'outbox.db')}`, LOG_LEVEL: 'info', NODE_ENV: 'production',
        FB_PIXEL_ID: '1234567890', FB_ACCESS_TOKEN: 'deploy-test-token', FB_GRAPH_URL: 'http://127.0.0.1:9',
        API_KEYS: 'deploy-test-api-key-0123456789', ALLOWED_ORIGINS: 'https://shop.example', SHUTDOWN_TIMEOUT_MS: '3000',
      },
    });
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', outbox_depth: 0 });
    const tag = await fetch(`${server.url}/tag.js`);
    expect(tag.status).toBe(200);
    // What tag.js imports with `debug`: shipped in the web-tag tarball next to tag.js.
    const tagDebug = await fetch(`${server.url}/tag-debug.js`);
    expect(tagDebug.status).toBe(200);
    expect(await tagDebug.text()).toContain('export');
    expect(existsSync(join(dataDir, 'outbox.db'))).toBe(true);
    const exit = await server.stop('SIGTERM', 15_000);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(server.output()).toContain('"msg":"closed"');
  });
});
