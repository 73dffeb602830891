#!/usr/bin/env node
/**
 * Packs the workspaces a deployment needs into npm tarballs (what `npm publish` would upload), from a
 * built checkout (`npm ci && npm run build` first).
 *   node deploy/pack.mjs <out-dir> [--sandbox]
 * Writes capi-bridge-contract-*.tgz, capi-bridge-web-tag-*.tgz, capi-bridge-server-*.tgz (and, with
 * --sandbox, capi-bridge-meta-sandbox-*.tgz) and prints their paths, one per line.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const args = process.argv.slice(2);
const out = args.find((a) => !a.startsWith('--'));
if (!out) {
  process.stderr.write('usage: node deploy/pack.mjs <out-dir> [--sandbox]\n');
  process.exit(2);
}
const workspaces = ['@capi-bridge/contract', '@capi-bridge/web-tag', '@capi-bridge/server'];
if (args.includes('--sandbox')) workspaces.push('@capi-bridge/meta-sandbox');
for (const built of ['packages/contract/dist/index.js', 'packages/web-tag/dist/tag.js', 'packages/web-tag/dist/tag-debug.js', 'packages/server/dist/cli.js']) {
  if (!existsSync(join(ROOT, built))) {
    process.stderr.write(`pack: ${built} is missing; run \`npm run build\` first\n`);
    process.exit(2);
  }
}
const dir = resolve(out);
mkdirSync(dir, { recursive: true });
const json = execFileSync('npm', ['pack', '--json', '--pack-destination', dir, ...workspaces.flatMap((w) => ['-w', w])], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
for (const p of JSON.parse(json)) process.stdout.write(`${join(dir, p.filename)}\n`);
