/** `capi-bridge verify` against the running demo: a clean journey passes, a pixel-only event fails it. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureChromium } from './support/chromium.js';
import { startDemo, type DemoInfo } from './support/demo-process.js';
import { stopAll } from './support/procs.js';
import { ROOT } from './support/stack.js';

let info: DemoInfo;
beforeAll(async () => {
  ({ info } = await startDemo());
});
afterAll(async () => {
  await stopAll();
});

function runVerify(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'packages/server/bin/capi-bridge.js'), 'verify', ...args], {
      cwd: ROOT,
      env: { ...process.env, CHROMIUM_PATH: ensureChromium() },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

const journey = (name: string) => join(ROOT, 'e2e/demo/journeys', name);

describe('capi-bridge verify', () => {
  it('passes (exit 0) when every pixel event of a shopping journey has its server twin', async () => {
    const r = await runVerify([`${info.url}/`, '--server', info.server, '--key', info.apiKey, '--journey', journey('accept-and-browse.mjs'), '--wait', '10000']);
    expect(r.stderr).toBe('');
    expect(r.code, r.stdout).toBe(0);
    const paired = r.stdout.split('\n').filter((l) => l.startsWith('paired '));
    // home, product (PageView + ViewContent), AddToCart, cart, checkout (PageView + InitiateCheckout), thank-you (PageView + Purchase)
    expect(paired.length).toBe(9);
    for (const name of ['PageView', 'ViewContent', 'AddToCart', 'InitiateCheckout', 'Purchase']) {
      expect(paired.some((l) => l.includes(name)), name).toBe(true);
    }
    expect(r.stdout).toContain('0 browser-only, 0 server-only, 0 event_name mismatch, 0 fbp mismatch');
    expect(r.stdout).not.toContain(info.apiKey);
  });

  it('fails (exit 1) on an event the pixel sent without a server copy, and reports it as JSON', async () => {
    const r = await runVerify([`${info.url}/`, '--server', info.server, '--key', info.apiKey, '--journey', journey('pixel-only-event.mjs'), '--wait', '3000', '--json']);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const report = JSON.parse(r.stdout) as { ok: boolean; rows: Array<{ verdict: string; eventId: string; browserEventName?: string }>; counts: Record<string, number> };
    expect(report.ok).toBe(false);
    expect(report.rows).toContainEqual(expect.objectContaining({ verdict: 'browser-only', eventId: 'pixel-only-purchase-1', browserEventName: 'Purchase' }));
    expect(report.counts.paired).toBeGreaterThanOrEqual(1); // the page view of the same visit still pairs
  });

  it('fails (exit 1) on an event the server sent without a pixel hit (server-only)', async () => {
    const r = await runVerify([`${info.url}/`, '--server', info.server, '--key', info.apiKey, '--journey', journey('server-only-event.mjs'), '--wait', '5000']);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/^server-only\s+server-only-lead-1\s+-\s+Lead\s+(sent|queued)/m);
    expect(r.stdout).toContain('1 server-only');
  });

  it('without a journey, an empty run says the consent banner holds the events and suggests --journey', async () => {
    const r = await runVerify([`${info.url}/`, '--server', info.server, '--key', info.apiKey, '--wait', '2000']);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toContain('FAIL: no pixel hit with an event id and no forward to the server was recorded, so nothing could be checked.');
    expect(r.stdout).toMatch(/- a consent banner seems to hold the events \(buttons: .*"Accept"/);
    expect(r.stdout).toContain('- run again with --journey <file.mjs>');
    expect(r.stdout).not.toContain('see the rows above');
  });

  it('fails (exit 1) on a pixel PageView without eid while the server sends PageViews, naming the cause', async () => {
    const r = await runVerify([`${info.url}/`, '--server', info.server, '--key', info.apiKey, '--journey', journey('base-code-without-mirror.mjs'), '--wait', '5000', '--json']);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const report = JSON.parse(r.stdout) as { rows: Array<{ verdict: string; browserEventName?: string; note?: string }>; counts: Record<string, number> };
    const unkeyed = report.rows.filter((row) => row.verdict === 'no event id');
    expect(unkeyed.map((row) => row.browserEventName)).toEqual(['PageView']);
    expect(unkeyed[0]!.note).toContain("the page's own fbq('track', 'PageView') ran without an eventID before the tag");
    expect(report.counts.paired).toBeGreaterThanOrEqual(1); // the home page's page view still pairs
  });

  it('exits 2 with a clear message when the key is wrong', async () => {
    const r = await runVerify([`${info.url}/`, '--server', info.server, '--key', 'wrong-key', '--journey', journey('accept-and-browse.mjs'), '--wait', '1000']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('refused the API key');
    expect(r.stderr).not.toContain('wrong-key');
  });
});
