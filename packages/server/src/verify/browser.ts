/**
 * The browser side of `capi-bridge verify`: headless chromium (the system's, never a download) opens the
 * page, runs the optional journey and records every pixel hit and every /collect forward.
 * playwright-core is imported lazily so the server itself runs without it.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { emptyFacts, type VisitFacts } from './diagnose.js';
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
  /** What else happened (scripts loaded or blocked, forwards answered, consent buttons), to explain empty runs. */
  facts: VisitFacts;
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
    const facts = emptyFacts();
    facts.journey = options.journey !== undefined;
    const path = (url: string): string => {
      try {
        return new URL(url).pathname;
      } catch {
        return '';
      }
    };
    const isCollect = (r: import('playwright-core').Request): boolean => r.method() === 'POST' && path(r.url()).endsWith('/collect');
    context.on('requestfailed', (request) => {
      const p = path(request.url());
      if (p.endsWith('/fbevents.js')) {
        facts.fbevents.failed++;
        facts.fbevents.blockedUrls.push(request.url().slice(0, 200));
      } else if (p.endsWith('/tag.js')) facts.tag.failed++;
      else if (isCollect(request)) facts.collect.statuses.push(0);
    });
    context.on('response', (response) => {
      if (isCollect(response.request())) facts.collect.statuses.push(response.status());
      else if (response.status() >= 400) {
        const p = path(response.url());
        if (p.endsWith('/tag.js')) facts.tag.failed++;
        else if (p.endsWith('/fbevents.js')) {
          facts.fbevents.failed++;
          facts.fbevents.blockedUrls.push(response.url().slice(0, 200));
        }
      }
    });
    let documents = 0;
    context.on('request', (request) => {
      const url = request.url();
      // A main-frame document load (an in-page route change makes no request): tells page loads from SPA routes.
      if (request.isNavigationRequest() && !request.frame().parentFrame()) documents++;
      const p = path(url);
      if (p.endsWith('/fbevents.js')) facts.fbevents.requested++;
      if (p.endsWith('/tag.js')) facts.tag.requested++;
      if (isPixelHitUrl(url)) {
        const hit = parsePixelHit(url, request.postData());
        if (hit) hits.push({ ...hit, document: documents });
        return;
      }
      if (isCollect(request)) {
        facts.collect.sent++;
        const id = collectEventId(request.postData());
        if (id) forwardedIds.push(id);
      }
    });
    const page = await context.newPage();
    await page.goto(options.pageUrl, { waitUntil: 'load' });
    if (options.journey) await options.journey(page, context);
    // Late hits: the pixel script loads asynchronously and beacons leave after clicks.
    await page.waitForLoadState('networkidle', { timeout: Math.max(options.waitMs, 1) }).catch(() => undefined);
    if (hits.every((h) => !h.eventId)) facts.consentButtons = await consentButtons(page);
    await context.close();
    return { hits, forwardedIds, facts };
  } finally {
    await browser.close();
  }
}

/** Visible buttons or links whose text reads like a consent banner's (accept, agree, allow, consent, cookies). */
const CONSENT_BUTTONS = `(() => {
  const out = [];
  for (const el of document.querySelectorAll('button, a, [role="button"], input[type="button"], input[type="submit"]')) {
    const text = (el.innerText || el.value || '').trim().replace(/\\s+/g, ' ');
    const box = el.getBoundingClientRect();
    if (box.width > 0 && box.height > 0 && /accept|agree|allow|consent|cookie/i.test(text)) out.push(text.slice(0, 40));
    if (out.length >= 3) break;
  }
  return out;
})()`;

async function consentButtons(page: Page): Promise<string[]> {
  return page.evaluate<string[]>(CONSENT_BUTTONS).catch(() => []);
}
