/** `npm start` for a newcomer: the demo comes up, a click in the shop shows a dedup pair, Ctrl-C/SIGTERM leaves nothing behind. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './support/chromium.js';
import { startDemo } from './support/demo-process.js';
import { isAlive, startService, stopAll } from './support/procs.js';
import { pairByEventId, sandboxEvents } from './support/sandbox-client.js';
import { ROOT } from './support/stack.js';
import { waitFor } from './support/wait.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await stopAll();
});

describe('npm start (scripts/start.mjs)', () => {
  it('with no Meta credentials runs sandbox + server + shop; a click dedups; SIGTERM stops every child', async () => {
    const { service, info } = await startDemo();
    expect(service.output()).toContain('Demo shop');
    expect(service.output()).toContain(`${info.sandbox}/_sandbox`);
    expect(isAlive(info.pids.sandbox) && isAlive(info.pids.server)).toBe(true);

    const page = await browser.newPage();
    try {
      await page.goto(`${info.url}/`);
      await page.click('#consent-accept');
      await page.click('#custom-event');
      const pairs = await waitFor(async () => {
        const { pairs } = pairByEventId(await sandboxEvents(info.sandbox));
        return pairs.some((p) => p.browser.eventName === 'size_guide_open') ? pairs : undefined;
      }, { timeoutMs: 30_000, what: 'a size_guide_open pair in the demo sandbox' });
      const pair = pairs.find((p) => p.browser.eventName === 'size_guide_open')!;
      expect(pair.server.status).toBe('deduplicated');
      expect(pair.server.fbp).toBe(pair.browser.fbp);

      // The dedup page a newcomer is told to open renders.
      const view = await page.goto(`${info.sandbox}/_sandbox`);
      expect(view?.status()).toBe(200);
    } finally {
      await page.close();
    }

    const exit = await service.stop('SIGTERM', 20_000);
    expect(exit.code).toBe(0);
    expect(service.output()).toContain('Stopped.');
    await waitFor(() => !isAlive(info.pids.sandbox) && !isAlive(info.pids.server), { what: 'the demo children to exit' });
  });

  it('with FB_PIXEL_ID and FB_ACCESS_TOKEN runs the real server', async () => {
    const server = await startService({
      name: 'npm-start-real',
      command: process.execPath,
      args: [join(ROOT, 'scripts/start.mjs')],
      cwd: ROOT,
      env: { FB_PIXEL_ID: '1234567890', FB_ACCESS_TOKEN: 'not-a-real-token', FB_GRAPH_URL: 'http://127.0.0.1:9', PORT: '0', OUTBOX: 'sqlite::memory:', API_KEYS: 'start-test-key-0123456789' },
    });
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(server.output()).not.toContain('not-a-real-token');
    expect(server.output()).not.toContain('Demo shop');
    expect((await server.stop('SIGTERM')).code).toBe(0);
  });

  it('with only one of the two set, stops with a message naming the missing variable', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts/start.mjs')], {
      env: { ...process.env, FB_PIXEL_ID: '1234567890', FB_ACCESS_TOKEN: '' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('FB_ACCESS_TOKEN');
  });
});
