/**
 * The whole e2e stack on loopback: meta-sandbox and companion server as real processes (built CLIs), the
 * demo shop's static server, and a real chromium whose Meta traffic is routed to the sandbox.
 *
 * Inside chromium every `*.example.test` name resolves to 127.0.0.1, so the shop is
 * `http://shop.example.test:<port>` and the companion server `http://collect.shop.example.test:<port>`:
 * same site, cookies on `.example.test` like a real `www.shop.com` + `collect.shop.com` deployment.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startDemoShop, type DemoShop } from '../demo/serve.mjs';
import { COLLECT_HOST, SHOP_HOST, launchChromium } from './chromium.js';
import { routeMetaToSandbox, type PixelHit } from './meta-routing.js';
import { restartOnSamePort, startService, stopAll, type Service } from './procs.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const PIXEL_ID = '1234567890';
export const API_KEY = 'e2e-admin-key-not-secret';
export const CONSENT_CATEGORY = '1';

const SANDBOX_BIN = join(ROOT, 'packages/meta-sandbox/bin/meta-sandbox.js');
const SERVER_BIN = join(ROOT, 'packages/server/bin/capi-bridge.js');
const BUILT = [
  join(ROOT, 'packages/meta-sandbox/dist/cli.js'),
  join(ROOT, 'packages/server/dist/cli.js'),
  join(ROOT, 'packages/web-tag/dist/tag.js'),
];

export function assertBuilt(): void {
  const missing = BUILT.filter((p) => !existsSync(p));
  if (missing.length) {
    throw new Error(`e2e runs the built packages; missing ${missing.join(', ')}. Run \`npm run build\` first.`);
  }
}

export interface VisitRecorder {
  context: BrowserContext;
  page: Page;
  /** Pixel hits the browser sent to www.facebook.com/tr, in order. */
  hits: PixelHit[];
  /** Event ids of /collect requests the server answered with 2xx (acknowledged). */
  acked: string[];
  /** Every URL the browser requested (to prove what did NOT load, e.g. fbevents.js before consent). */
  requests: string[];
  /** All /collect request bodies seen (parsed), in order. */
  forwarded: Array<{ status: number | undefined; eventId: string | undefined; body: unknown }>;
  close(): Promise<void>;
}

export interface Stack {
  sandbox: Service;
  server: Service;
  shop: DemoShop;
  browser: Browser;
  /** The shop as the browser sees it. */
  shopUrl: string;
  /** The companion server as the browser sees it. */
  collectUrl: string;
  outboxUrl: string;
  newVisit(options?: { consent?: 'granted' | 'refused' | 'undecided'; shopper?: 'jane' | 'guest' }): Promise<VisitRecorder>;
  /** Kills the companion server (SIGKILL by default: no graceful flush) and waits until it is gone. */
  killServer(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port and the same outbox. */
  startServerAgain(): Promise<void>;
  stop(): Promise<void>;
}

function serverEnv(sandboxUrl: string, shopOrigin: string, outboxUrl: string): Record<string, string> {
  return {
    FB_PIXEL_ID: PIXEL_ID,
    FB_ACCESS_TOKEN: 'sandbox-token',
    FB_GRAPH_URL: sandboxUrl,
    FB_CONSENT_CATEGORY: CONSENT_CATEGORY,
    PORT: '0',
    API_KEYS: API_KEY,
    ALLOWED_ORIGINS: shopOrigin,
    OUTBOX: outboxUrl,
    LOG_LEVEL: 'info',
  };
}

export async function startStack(): Promise<Stack> {
  assertBuilt();
  const tmp = mkdtempSync(join(tmpdir(), 'capi-e2e-'));
  const outboxUrl = `sqlite:${join(tmp, 'outbox.db')}`;
  const shop = await startDemoShop({ port: 0 });
  const shopUrl = `http://${SHOP_HOST}:${shop.port}`;
  const sandbox = await startService({
    name: 'meta-sandbox',
    command: process.execPath,
    args: [SANDBOX_BIN, '--port', '0'],
    cwd: ROOT,
  });
  let server = await startService({
    name: 'capi-bridge',
    command: process.execPath,
    args: [SERVER_BIN, 'serve'],
    cwd: ROOT,
    env: serverEnv(sandbox.url, shopUrl, outboxUrl),
  });
  const collectUrl = `http://${COLLECT_HOST}:${server.port}`;
  shop.configure({ pixelId: PIXEL_ID, endpoint: collectUrl, consentCategory: CONSENT_CATEGORY });
  const browser = await launchChromium();

  const stack: Stack = {
    sandbox,
    get server() {
      return server;
    },
    shop,
    browser,
    shopUrl,
    collectUrl,
    outboxUrl,
    async newVisit(options = {}) {
      const context = await browser.newContext();
      const hits: PixelHit[] = [];
      const acked: string[] = [];
      const forwarded: VisitRecorder['forwarded'] = [];
      const requests: string[] = [];
      context.on('request', (request) => requests.push(request.url()));
      await routeMetaToSandbox(context, sandbox.url, (hit) => hits.push(hit));
      const consent = options.consent ?? 'granted';
      const cookies = [];
      if (consent !== 'undecided') cookies.push({ name: 'demo_consent', value: consent, url: shopUrl });
      if (cookies.length) await context.addCookies(cookies);
      const onCollect = (request: import('playwright-core').Request, failed: boolean) => {
        if (!request.url().startsWith(`${collectUrl}/collect`) || request.method() !== 'POST') return;
        void (failed ? Promise.resolve(null) : request.response()).then((response) => {
          let body: unknown;
          try {
            body = JSON.parse(request.postData() ?? 'null');
          } catch {
            body = request.postData();
          }
          const eventId = eventIdOf(body);
          const status = response?.status();
          forwarded.push({ status, eventId, body });
          if (status !== undefined && status >= 200 && status < 300 && eventId) acked.push(eventId);
        });
      };
      context.on('requestfinished', (request) => onCollect(request, false));
      context.on('requestfailed', (request) => onCollect(request, true));
      const page = await context.newPage();
      if (options.shopper) {
        // The demo keeps the shopper in localStorage; ?shopper= switches it on the first page.
        await page.addInitScript((who) => {
          try {
            localStorage.setItem('demo_shopper', JSON.stringify(who));
          } catch {
            /* about:blank */
          }
        }, options.shopper);
      }
      return { context, page, hits, acked, forwarded, requests, close: () => context.close() };
    },
    async killServer(signal: NodeJS.Signals = 'SIGKILL') {
      await server.stop(signal);
    },
    async startServerAgain() {
      server = await restartOnSamePort(server);
    },
    async stop() {
      await browser.close().catch(() => undefined);
      await stopAll();
      await shop.close();
      rmSync(tmp, { recursive: true, force: true });
    },
  };
  return stack;
}

function eventIdOf(body: unknown): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const b = body as { integrations?: { facebook?: { event_id?: unknown } }; context?: { event_id?: unknown } };
  const id = b.integrations?.facebook?.event_id ?? b.context?.event_id;
  return typeof id === 'string' ? id : undefined;
}

/** The `_fbp` / `_fbc` cookies of a visit. */
export async function metaCookies(context: BrowserContext): Promise<{ fbp?: string; fbc?: string; all: Array<{ name: string; domain: string; value: string }> }> {
  const all = await context.cookies();
  return {
    fbp: all.find((c) => c.name === '_fbp')?.value,
    fbc: all.find((c) => c.name === '_fbc')?.value,
    all: all.map((c) => ({ name: c.name, domain: c.domain, value: c.value })),
  };
}
