/**
 * The browser side of `capi-bridge verify`: headless chromium (the system's, never a download) opens the
 * page, runs the optional journey and records every pixel hit and every /collect forward.
 * playwright-core is imported lazily so the server itself runs without it.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { collectEventId, isPixelHitUrl, parsePixelHit } from './hits.js';
import type { PixelHit } from './types.js';

const CHROMIUM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/lib/chromium/chromium', '/usr/bin/google-chrome'];
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-gpu',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-quic',
];

export type Journey = (page: Page, context: BrowserContext) => Promise<void>;

export interface Recording {
  hits: PixelHit[];
  forwardedIds: string[];
}

export class VerifySetupError extends Error {}

export function findChromium(explicit?: string): string {
  if (explicit) {
    if (!existsSync(explicit)) throw new VerifySetupError(`chromium not found at ${explicit}`);
    return explicit;
  }
  const found = CHROMIUM_CANDIDATES.find((p) => existsSync(p));
  if (!found) {
    throw new VerifySetupError(
      'verify needs a chromium browser: install it (Debian/Ubuntu: `sudo apt-get install -y chromium`) or pass --chromium <path>',
    );
  }
  return found;
}

export async function loadJourney(file: string): Promise<Journey> {
  const path = resolve(file);
  if (!existsSync(path)) throw new VerifySetupError(`journey file not found: ${path}`);
  const mod = (await import(pathToFileURL(path).href)) as { default?: unknown; journey?: unknown };
  const fn = mod.default ?? mod.journey;
  if (typeof fn !== 'function') throw new VerifySetupError(`${file} must export a default async function (page, context) => {}`);
  return fn as Journey;
}

export async function recordVisit(options: { pageUrl: string; journey?: Journey; waitMs: number; chromiumPath?: string }): Promise<Recording> {
  const executablePath = findChromium(options.chromiumPath);
  let playwright: typeof import('playwright-core');
  try {
    playwright = await import('playwright-core');
  } catch {
    throw new VerifySetupError('verify needs the playwright-core package: npm install --save-dev playwright-core');
  }
  const browser = await playwright.chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
  try {
    const context = await browser.newContext();
    const hits: PixelHit[] = [];
    const forwardedIds: string[] = [];
    context.on('request', (request) => {
      const url = request.url();
      if (isPixelHitUrl(url)) {
        const hit = parsePixelHit(url, request.postData());
        if (hit) hits.push(hit);
        return;
      }
      if (request.method() === 'POST' && new URL(url).pathname.endsWith('/collect')) {
        const id = collectEventId(request.postData());
        if (id) forwardedIds.push(id);
      }
    });
    const page = await context.newPage();
    await page.goto(options.pageUrl, { waitUntil: 'load' });
    if (options.journey) await options.journey(page, context);
    // Late hits: the pixel script loads asynchronously and beacons leave after clicks.
    await page.waitForLoadState('networkidle', { timeout: Math.max(options.waitMs, 1) }).catch(() => undefined);
    await context.close();
    return { hits, forwardedIds };
  } finally {
    await browser.close();
  }
}
