#!/usr/bin/env node
/**
 * `npm start`.
 *  - With FB_PIXEL_ID and FB_ACCESS_TOKEN set: runs the real companion server (`capi-bridge serve`).
 *  - With neither: the local demo. Starts the meta-sandbox (a local stand-in for Meta), the companion
 *    server pointed at it and the demo shop, prints the URLs and runs until Ctrl-C. Click through the shop
 *    and watch each browser event and its server twin deduplicate on the sandbox page.
 * Demo ports: SHOP_PORT (3000), SERVER_PORT (8080), SANDBOX_PORT (9090); a busy port falls back to a free one.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const LEASH = join(ROOT, 'e2e/support/leash.mjs');
const SERVER_BIN = join(ROOT, 'packages/server/bin/capi-bridge.js');
const SANDBOX_BIN = join(ROOT, 'packages/meta-sandbox/bin/meta-sandbox.js');
const DEMO_PIXEL = '1234567890';
const DEMO_KEY = 'demo-admin-key-not-secret';
const CONSENT_CATEGORY = '1';

const say = (s = '') => process.stdout.write(`${s}\n`);
const fail = (s) => {
  process.stderr.write(`npm start: ${s}\n`);
  process.exit(2);
};

const hasPixel = !!process.env.FB_PIXEL_ID;
const hasToken = !!process.env.FB_ACCESS_TOKEN;

if (hasPixel && hasToken) {
  runRealServer();
} else if (hasPixel || hasToken) {
  fail(
    `${hasPixel ? 'FB_PIXEL_ID' : 'FB_ACCESS_TOKEN'} is set but ${hasPixel ? 'FB_ACCESS_TOKEN' : 'FB_PIXEL_ID'} is not. ` +
      'Set both to run the real server, or neither to run the local demo.',
  );
} else {
  runDemo().catch((err) => {
    process.stderr.write(`npm start: ${err?.stack ?? err}\n`);
    process.exit(1);
  });
}

function runRealServer() {
  const child = spawn(process.execPath, [SERVER_BIN, 'serve', ...process.argv.slice(2)], { stdio: 'inherit' });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

function portFree(port) {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

async function pickPort(envName, preferred) {
  const wanted = process.env[envName] !== undefined ? Number(process.env[envName]) : preferred;
  if (!Number.isInteger(wanted) || wanted < 0 || wanted > 65535) fail(`${envName} must be a port number (0-65535)`);
  if (wanted !== 0 && (await portFree(wanted))) return wanted;
  if (wanted !== 0) say(`  port ${wanted} is busy, using a free port instead (set ${envName} to choose)`);
  return freePort();
}

/** A port free right now (the sandbox is told the server's URL before the server starts, so 0 will not do). */
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** Starts a leashed child (it dies with us, even on SIGKILL) and resolves with its "listening" URL. */
function startChild(name, args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [LEASH, String(process.pid), process.execPath, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Own process group: a terminal's Ctrl-C reaches only us, and we stop the children in order.
      detached: true,
    });
    const state = { name, child, pid: undefined, url: undefined, exited: false, log: [] };
    const remember = (line) => {
      state.log.push(line);
      if (state.log.length > 200) state.log.shift();
    };
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      out += chunk;
      let nl;
      while ((nl = out.indexOf('\n')) >= 0) {
        const line = out.slice(0, nl);
        out = out.slice(nl + 1);
        remember(line);
        let parsed;
        try {
          parsed = JSON.parse(line);
        } catch {
          continue;
        }
        if (!state.url && parsed.msg === 'listening' && typeof parsed.url === 'string') {
          state.url = parsed.url;
          resolve(state);
        } else if (isWarning(parsed.level)) {
          say(`  [${name}] ${parsed.msg ?? line}${parsed.err?.message ? `: ${parsed.err.message}` : ''}`);
        }
      }
    });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (chunk) => {
      err += chunk;
      let nl;
      while ((nl = err.indexOf('\n')) >= 0) {
        const line = err.slice(0, nl);
        err = err.slice(nl + 1);
        if (state.pid === undefined && line.startsWith('{"leash"')) state.pid = JSON.parse(line).pid;
        else {
          remember(line);
          if (state.url) process.stderr.write(`  [${name}] ${line}\n`);
        }
      }
    });
    child.on('exit', (code, signal) => {
      state.exited = true;
      state.exitInfo = { code, signal };
      if (!state.url) reject(new Error(`${name} exited before it was ready (${code ?? signal}):\n${state.log.join('\n')}`));
    });
  });
}

function isWarning(level) {
  return level === 'warn' || level === 'error' || level === 'fatal' || (typeof level === 'number' && level >= 40);
}

function stopChild(state, graceMs = 10_000) {
  if (!state || state.exited) return Promise.resolve();
  return new Promise((resolve) => {
    state.child.once('exit', () => resolve());
    try {
      state.child.kill('SIGTERM'); // the leash forwards it to the program
    } catch {
      /* gone */
    }
    setTimeout(() => {
      try {
        if (state.pid) process.kill(state.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
      state.child.kill('SIGKILL');
    }, graceMs).unref();
  });
}

async function runDemo() {
  for (const [file, pkg] of [[SERVER_BIN, 'server'], [SANDBOX_BIN, 'meta-sandbox']]) {
    if (!existsSync(file)) fail(`${file} is missing; is the ${pkg} package in place?`);
  }
  for (const built of ['packages/server/dist/cli.js', 'packages/meta-sandbox/dist/cli.js', 'packages/web-tag/dist/tag.js']) {
    if (!existsSync(join(ROOT, built))) fail(`${built} is missing: run \`npm run build\` first (npm start does it for you).`);
  }
  const { startDemoShop } = await import('../e2e/demo/serve.mjs');

  say('capi-bridge demo: no FB_PIXEL_ID / FB_ACCESS_TOKEN set, so everything runs locally against the Meta sandbox.');
  const tmp = mkdtempSync(join(tmpdir(), 'capi-bridge-demo-'));
  let sandbox;
  let server;
  let shop;
  let stopping = false;

  const shutdown = async (code) => {
    if (stopping) return;
    stopping = true;
    say('\nStopping the demo…');
    await shop?.close().catch(() => undefined);
    await stopChild(server);
    await stopChild(sandbox);
    rmSync(tmp, { recursive: true, force: true });
    say('Stopped.');
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  process.on('SIGHUP', () => void shutdown(0));

  try {
    const shopPort = await pickPort('SHOP_PORT', 3000);
    const serverPort = await pickPort('SERVER_PORT', 8080);
    const sandboxPort = await pickPort('SANDBOX_PORT', 9090);

    shop = await startDemoShop({ port: shopPort, host: '127.0.0.1' });
    const shopOrigins = [`http://127.0.0.1:${shop.port}`, `http://localhost:${shop.port}`];

    // The events page asks the companion server why a browser event has no server copy (dropped, and why).
    sandbox = await startChild('meta-sandbox', [SANDBOX_BIN, '--port', String(sandboxPort)], {
      META_SANDBOX_COMPANION_URL: `http://127.0.0.1:${serverPort}`,
      META_SANDBOX_COMPANION_KEY: DEMO_KEY,
    });
    server = await startChild('capi-bridge', [SERVER_BIN, 'serve'], {
      FB_PIXEL_ID: DEMO_PIXEL,
      FB_ACCESS_TOKEN: 'sandbox-token',
      FB_GRAPH_URL: sandbox.url,
      FB_CONSENT_CATEGORY: CONSENT_CATEGORY,
      PORT: String(serverPort),
      API_KEYS: DEMO_KEY,
      ALLOWED_ORIGINS: shopOrigins.join(','),
      OUTBOX: `sqlite:${join(tmp, 'outbox.db')}`,
    });
    shop.configure({
      pixelId: DEMO_PIXEL,
      endpoint: server.url,
      consentCategory: CONSENT_CATEGORY,
      fbeventsUrl: `${sandbox.url}/en_US/fbevents.js`,
      debug: true,
      sandboxPage: `${sandbox.url}/_sandbox`,
    });
    for (const s of [sandbox, server]) {
      s.child.on('exit', () => {
        if (stopping) return;
        process.stderr.write(`\n${s.name} stopped unexpectedly (${JSON.stringify(s.exitInfo)}). Last output:\n${s.log.slice(-20).join('\n')}\n`);
        void shutdown(1);
      });
    }

    const shopUrl = `http://127.0.0.1:${shop.port}`;
    say('');
    say(`  Demo shop        ${shopUrl}/`);
    say(`  Dedup view       ${sandbox.url}/_sandbox`);
    say(`  Companion server ${server.url}  (API key: ${DEMO_KEY})`);
    say('');
    say('  Open the shop, accept the cookie banner and click around: every event goes to the sandbox twice,');
    say('  from the browser pixel and from the server, and the dedup view shows each pair counted once.');
    say(`  Check it from the command line: node packages/server/bin/capi-bridge.js verify ${shopUrl}/ --server ${server.url} --key ${DEMO_KEY} \\`);
    say('    --journey e2e/demo/journeys/accept-and-browse.mjs');
    say('  Press Ctrl-C to stop.');
    // One machine-readable line, like every capi-bridge process prints when it is ready.
    say(JSON.stringify({
      msg: 'listening', service: 'capi-bridge-demo', url: shopUrl, sandbox: sandbox.url, dedupPage: `${sandbox.url}/_sandbox`,
      server: server.url, apiKey: DEMO_KEY, pids: { sandbox: sandbox.pid, server: server.pid },
    }));
  } catch (err) {
    process.stderr.write(`npm start: ${err?.message ?? err}\n`);
    await shutdown(1);
  }
}
