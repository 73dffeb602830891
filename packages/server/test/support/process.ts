import { spawn, type ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Repository root (this file is packages/server/test/support/process.ts). */
export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

let built = false;
/** Builds the server and the sandbox (incremental `tsc -b`) once per test process. */
export function ensureBuilt(): void {
  // `npm test` builds everything before vitest starts; concurrent `tsc -b` from parallel test files would race.
  if (built || process.env.CAPI_BRIDGE_PREBUILT === '1') return;
  execFileSync('npx', ['tsc', '-b', 'packages/server', 'packages/meta-sandbox'], { cwd: REPO_ROOT, stdio: 'inherit' });
  built = true;
}

export interface SpawnedServer {
  url: string;
  proc: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Parsed JSON log lines from stdout. */
  logLines(): Array<Record<string, unknown>>;
  /** SIGTERM and wait for exit (SIGKILL after `graceMs`). Resolves with the exit code/signal. */
  stop(graceMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL: a crash. */
  kill(): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const p of live) p.kill('SIGKILL');
});

/**
 * Spawns `node <script> ...args` and resolves once it prints a JSON line with `"msg":"listening"` and a
 * `url` (the repo's CLI convention). Rejects with the output if it exits first or after `timeoutMs`.
 */
export function spawnListening(script: string, args: string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number; cwd?: string } = {}): Promise<SpawnedServer> {
  const proc = spawn(process.execPath, [script, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(proc);
  let out = '';
  let stdout = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    proc.on('exit', (code, signal) => {
      live.delete(proc);
      resolve({ code, signal });
    });
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`${script} did not print a listening line within ${options.timeoutMs ?? 20_000} ms:\n${out}`));
    }, options.timeoutMs ?? 20_000);
    let done = false;
    proc.stderr!.on('data', (d: Buffer) => {
      out += d.toString();
    });
    proc.stdout!.on('data', (d: Buffer) => {
      const s = d.toString();
      out += s;
      stdout += s;
      if (done) return;
      for (const line of stdout.split('\n')) {
        if (!line.includes('"listening"')) continue;
        try {
          const j = JSON.parse(line) as { msg?: string; url?: string };
          if (j.msg === 'listening' && j.url) {
            done = true;
            clearTimeout(timer);
            resolve(handle(j.url));
            return;
          }
        } catch {
          // partial line
        }
      }
    });
    void exited.then((r) => {
      if (!done) {
        clearTimeout(timer);
        reject(new Error(`${script} exited (${r.code ?? r.signal}) before listening:\n${out}`));
      }
    });
  });

  function handle(url: string): SpawnedServer {
    return {
      url,
      proc,
      exited,
      output: () => out,
      logLines: () => stdout.split('\n').filter((l) => l.startsWith('{')).flatMap((l) => {
        try {
          return [JSON.parse(l) as Record<string, unknown>];
        } catch {
          return [];
        }
      }),
      async stop(graceMs = 15_000) {
        if (proc.exitCode !== null || proc.signalCode !== null) return exited;
        proc.kill('SIGTERM');
        const t = setTimeout(() => proc.kill('SIGKILL'), graceMs);
        const r = await exited;
        clearTimeout(t);
        return r;
      },
      async kill() {
        if (proc.exitCode !== null || proc.signalCode !== null) return;
        proc.kill('SIGKILL');
        await exited;
      },
    };
  }
}
