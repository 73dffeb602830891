#!/usr/bin/env node
/**
 * Production-only install of packed tarballs (deploy/pack.mjs) into an application directory: what the
 * Docker image, a systemd host and the install test all do.
 *   node deploy/install.mjs <tarball-dir> <app-dir>
 * Writes <app-dir>/package.json (allowing better-sqlite3's native build, the one install script needed),
 * then `npm install --omit=dev <tarballs>`. better-sqlite3 downloads a prebuilt binary when it can, else
 * compiles (python3, make, g++); when this Node's headers are installed next to it (Debian's nodejs, the
 * official node images), they are used instead of downloading them.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const [tarDir, appDir] = process.argv.slice(2);
if (!tarDir || !appDir) {
  process.stderr.write('usage: node deploy/install.mjs <tarball-dir> <app-dir>\n');
  process.exit(2);
}
const tarballs = readdirSync(resolve(tarDir)).filter((f) => f.endsWith('.tgz')).map((f) => join(resolve(tarDir), f));
if (!tarballs.some((t) => /capi-bridge-server-[^/]*\.tgz$/.test(t))) {
  process.stderr.write(`install: no capi-bridge-server-*.tgz in ${tarDir} (run deploy/pack.mjs first)\n`);
  process.exit(2);
}
const app = resolve(appDir);
mkdirSync(app, { recursive: true });
writeFileSync(join(app, 'package.json'), `${JSON.stringify({
  name: 'capi-bridge-app', private: true, type: 'module',
  allowScripts: { 'better-sqlite3': true },
}, null, 2)}\n`);
const env = { ...process.env };
const prefix = dirname(dirname(process.execPath));
if (env.npm_config_nodedir === undefined && existsSync(join(prefix, 'include/node/node.h'))) env.npm_config_nodedir = prefix;
execFileSync('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', ...tarballs], { cwd: app, env, stdio: 'inherit' });
const bin = join(app, 'node_modules/@capi-bridge/server/bin/capi-bridge.js');
if (!existsSync(bin)) {
  process.stderr.write(`install: ${bin} is missing after npm install\n`);
  process.exit(1);
}
process.stdout.write(`installed: node ${bin} serve\n`);
