/**
 * Starts a real, throwaway `redis-server` (Debian package) on a free loopback port with its own temp dir,
 * AOF on (`appendonly yes`, `appendfsync everysec`), RDB snapshots off, `maxmemory-policy noeviction`.
 * When the binary is missing and we are root, installs it with scripts/install-system-deps.sh; otherwise
 * fails with the command to run.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface RedisServer {
  url: string;
  port: number;
  dir: string;
  /** SIGKILL (a crash) when `crash` is true, else SIGTERM; then starts it again on the same port and dir. */
  restart(options?: { crash?: boolean }): Promise<void>;
  /** Stops the process (SIGKILL when `crash`) but keeps its dir, for `start()` later. */
  kill(options?: { crash?: boolean }): Promise<void>;
  /** Starts it again on the same port and dir after `kill()`. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

function findRedisServer(): string | undefined {
  for (const p of ['/usr/bin/redis-server', '/usr/local/bin/redis-server']) if (existsSync(p)) return p;
  const r = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  const found = r.stdout.trim();
  return found || undefined;
}

export function ensureRedisServerBinary(): string {
  let bin = findRedisServer();
  if (bin) return bin;
  if (process.getuid?.() === 0) {
    const r = spawnSync('bash', [join(repoRoot, 'scripts/install-system-deps.sh')], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error('redis-server missing and scripts/install-system-deps.sh failed');
    bin = findRedisServer();
    if (bin) return bin;
  }
  throw new Error(
    'redis-server is not installed. Install it with: sudo apt-get install -y redis-server ' +
      '(or run: sudo bash scripts/install-system-deps.sh)',
  );
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function launch(bin: string, port: number, dir: string): Promise<ChildProcess> {
  const args = [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--dir', dir,
    '--save', '',
    '--appendonly', 'yes',
    '--appendfsync', 'everysec',
    '--maxmemory-policy', 'noeviction',
    '--daemonize', 'no',
    '--protected-mode', 'yes',
    '--loglevel', 'notice',
  ];
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`redis-server did not start within 15 s:\n${out}`));
    }, 15_000);
    const onData = (b: Buffer) => {
      out += b.toString();
      if (out.includes('Ready to accept connections')) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        child.stderr?.resume();
        resolve(child);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (b: Buffer) => (out += b.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code}:\n${out}`));
    });
  });
}

function waitExit(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

export async function startRedisServer(): Promise<RedisServer> {
  const bin = ensureRedisServerBinary();
  const dir = mkdtempSync(join(tmpdir(), 'capi-redis-'));
  let lastErr: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    try {
      let child = await launch(bin, port, dir);
      const server: RedisServer = {
        url: `redis://127.0.0.1:${port}`,
        port,
        dir,
        async restart(options = {}) {
          await waitExit(child, options.crash ? 'SIGKILL' : 'SIGTERM');
          child = await launch(bin, port, dir);
        },
        async kill(options = {}) {
          await waitExit(child, options.crash ? 'SIGKILL' : 'SIGTERM');
        },
        async start() {
          if (child.exitCode === null && child.signalCode === null) return;
          child = await launch(bin, port, dir);
        },
        async stop() {
          await waitExit(child, 'SIGTERM');
          rmSync(dir, { recursive: true, force: true });
        },
      };
      return server;
    } catch (err) {
      lastErr = err; // most likely the port was taken between probe and bind: try another
    }
  }
  rmSync(dir, { recursive: true, force: true });
  throw lastErr instanceof Error ? lastErr : new Error(String(lastErr));
}
