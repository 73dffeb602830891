/**
 * Debian's chromium for the e2e proof. Never downloads Playwright's own browsers: when chromium is missing
 * and we are root the repo's install script adds it through apt, otherwise we stop with the command to run.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, LaunchOptions } from 'playwright-core';
// The flags `capi-bridge verify` launches chromium with: one list for both.
import { CHROMIUM_ARGS } from '../../packages/server/src/verify/browser.js';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/lib/chromium/chromium'];
const INSTALL_SCRIPT = fileURLToPath(new URL('../../scripts/install-system-deps.sh', import.meta.url));

/** Hosts of the fake shop: every `*.example.test` name resolves to loopback inside chromium. */
export const SHOP_HOST = 'shop.example.test';
export const COLLECT_HOST = 'collect.shop.example.test';
export const HOST_RESOLVER_ARG = '--host-resolver-rules=MAP *.example.test 127.0.0.1';

function findChromium(): string | undefined {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  return CANDIDATES.find((p) => existsSync(p));
}

export function ensureChromium(): string {
  let found = findChromium();
  if (found) return found;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot) {
    execFileSync('bash', [INSTALL_SCRIPT], { stdio: 'inherit' });
    found = findChromium();
    if (found) return found;
  }
  throw new Error(
    'e2e needs Debian\'s chromium and it is not installed. Install it with `sudo apt-get install -y chromium` ' +
      '(or run `sudo bash scripts/install-system-deps.sh`), or point CHROMIUM_PATH at a chromium binary. ' +
      'Playwright\'s own browser download is not used.',
  );
}

export async function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  const executablePath = ensureChromium();
  const { chromium } = await import('playwright-core');
  const options: LaunchOptions = {
    executablePath,
    headless: true,
    args: [...CHROMIUM_ARGS, HOST_RESOLVER_ARG, ...extraArgs],
  };
  return chromium.launch(options);
}
