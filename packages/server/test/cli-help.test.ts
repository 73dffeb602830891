import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Runs the built CLI (`npm run build` first, as the other CLI tests).
const BIN = fileURLToPath(new URL('../bin/capi-bridge.js', import.meta.url));

describe('capi-bridge --help', () => {
  it("lists every verify flag", () => {
    const out = execFileSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' });
    for (const flag of ['--server', '--key', '--journey', '--wait', '--json', '--chromium']) expect(out).toContain(flag);
    expect(out).toContain('a consent banner usually holds every event');
  });
});
