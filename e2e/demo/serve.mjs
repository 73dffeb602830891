#!/usr/bin/env node
/**
 * The demo shop's static file server. Pages in ./public embed the capi-bridge web tag with the snippet
 * from packages/web-tag/README.md; the tag's settings (pixel id, companion server, consent category,
 * optional fbevents.js URL) are filled in when a page is served.
 *
 * Programmatic: `startDemoShop({ port, host, tag })` → `{ url, port, configure(tag), close() }`.
 * CLI: `node e2e/demo/serve.mjs --port 3000 --server http://127.0.0.1:8080 --pixel 1234567890
 *        [--fbevents-url http://127.0.0.1:9090/en_US/fbevents.js] [--consent-category 1] [--host 127.0.0.1]`
 *      prints one JSON line with "msg":"listening" and the "url".
 */
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PUBLIC_DIR = fileURLToPath(new URL('./public/', import.meta.url));
const PAGES = new Set(['index.html', 'product.html', 'cart.html', 'checkout.html', 'thank-you.html', 'spa.html', 'base-code.html']);
const ASSETS = new Set(['shop.js', 'shop.css', 'spa.js']);
/** Meta's CDN URL of fbevents.js, which pages keep unless the demo points them at the sandbox. */
const META_FBEVENTS_URL = 'https://connect.facebook.net/en_US/fbevents.js';
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };

/**
 * @typedef {object} TagSettings
 * @property {string} pixelId
 * @property {string} endpoint       companion server origin, e.g. http://127.0.0.1:8080
 * @property {string} [tagSrc]       where tag.js is loaded from; default `${endpoint}/tag.js`
 * @property {string} [consentCategory]
 * @property {string} [fbeventsUrl]  omit to keep Meta's CDN URL (the e2e browser routes it to the sandbox)
 * @property {boolean} [debug]       data-debug: the tag reads the server's answer to each forward, and the shop
 *                                   shows each event's real outcome (sent, held, dropped and why, refused)
 * @property {string} [sandboxPage]  the sandbox events page, for the shop's links to each event's row
 */

/**
 * The embed snippet exactly as packages/web-tag/README.md ("Embedding") tells sites to write it: the queue
 * stub, then tag.js loaded async from the companion server with its settings in `data-*` attributes
 * (the endpoint defaults to the origin tag.js came from).
 */
export function tagSnippet(/** @type {TagSettings} */ tag, { blocking = false } = {}) {
  const src = tag.tagSrc ?? `${tag.endpoint.replace(/\/$/, '')}/tag.js`;
  const attrs = [`data-pixel-id="${escapeAttr(tag.pixelId)}"`];
  if (tag.tagSrc && new URL(tag.tagSrc).origin !== new URL(tag.endpoint).origin) attrs.push(`data-endpoint="${escapeAttr(tag.endpoint)}"`);
  if (tag.consentCategory) attrs.push(`data-consent-category="${escapeAttr(tag.consentCategory)}"`);
  if (tag.fbeventsUrl) attrs.push(`data-fbevents-url="${escapeAttr(tag.fbeventsUrl)}"`);
  if (tag.debug) attrs.push('data-debug="1"');
  return [
    '  <script>',
    '    window.caReady = window.caReady || [];',
    '    window.cact = window.cact || function () { caReady.push(arguments); };',
    '  </script>',
    `  <script ${blocking ? '' : 'async '}src="${escapeAttr(src)}"`,
    `          ${attrs.join('\n          ')}></script>`,
    `  <script>window.DEMO_SHOP = ${JSON.stringify({ consentCategory: tag.consentCategory ?? null, sandboxPage: tag.sandboxPage ?? null }).replace(/</g, '\\u003c')};</script>`,
  ].join('\n');
}

/** For a value inside a single-quoted JS string in an inline script. */
function jsString(s) {
  return JSON.stringify(String(s)).slice(1, -1).replace(/'/g, "\\'").replace(/</g, '\\u003c');
}

function escapeAttr(s) {
  return String(s).replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

/**
 * @param {{ port?: number, host?: string, tag?: TagSettings }} [options]
 */
export async function startDemoShop(options = {}) {
  let tag = options.tag;
  const cache = new Map();
  const load = async (name) => {
    if (!cache.has(name)) cache.set(name, await readFile(join(PUBLIC_DIR, name), 'utf8'));
    return cache.get(name);
  };

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://shop.invalid');
      let name = url.pathname === '/' ? 'index.html' : url.pathname.slice(1);
      // The single-page app's routes (it changes them with pushState; a reload lands on the same page).
      if (/^\/spa(\/|$)/.test(url.pathname)) name = 'spa.html';
      if (!PAGES.has(name) && PAGES.has(`${name}.html`)) name = `${name}.html`;
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD' }).end();
        return;
      }
      if (name === 'favicon.ico') {
        res.writeHead(204).end();
        return;
      }
      if (!PAGES.has(name) && !ASSETS.has(name)) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
      if (PAGES.has(name) && !tag) {
        res.writeHead(503, { 'content-type': 'text/plain' }).end('demo shop not configured yet');
        return;
      }
      let body = await load(name);
      if (PAGES.has(name)) {
        body = body
          .replace('{{TAG_SNIPPET}}', tagSnippet(tag))
          .replace('{{TAG_SNIPPET_BLOCKING}}', tagSnippet(tag, { blocking: true }))
          .replaceAll('{{PIXEL_ID}}', jsString(tag.pixelId))
          .replaceAll('{{FBEVENTS_URL}}', jsString(tag.fbeventsUrl ?? META_FBEVENTS_URL));
      }
      res.writeHead(200, { 'content-type': TYPES[extname(name)], 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
    })().catch((err) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(err?.message ?? err));
    });
  });

  const host = options.host ?? '127.0.0.1';
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve(undefined);
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://${host}:${port}`,
    port,
    /** Set or change the tag settings (the server's URL is often known only after the shop started). */
    configure(/** @type {TagSettings} */ next) {
      tag = next;
    },
    close() {
      return new Promise((resolve) => {
        server.close(() => resolve(undefined));
        server.closeAllConnections?.();
      });
    },
  };
}

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`${a} needs a value`);
    out[a.slice(2)] = value;
    i++;
  }
  return out;
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  try {
    const args = parseArgs(process.argv.slice(2));
    if (!args.server || !args.pixel) throw new Error('--server <companion url> and --pixel <pixel id> are required');
    const shop = await startDemoShop({
      port: Number(args.port ?? 3000),
      host: args.host ?? '127.0.0.1',
      tag: {
        pixelId: args.pixel,
        endpoint: args.server,
        consentCategory: args['consent-category'] ?? '1',
        fbeventsUrl: args['fbevents-url'],
      },
    });
    process.stdout.write(`${JSON.stringify({ level: 30, msg: 'listening', service: 'demo-shop', url: shop.url })}\n`);
    const stop = () => void shop.close().then(() => process.exit(0));
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  } catch (err) {
    process.stderr.write(`demo-shop: ${err.message}\n`);
    process.exit(2);
  }
}
