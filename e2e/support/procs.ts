/**
 * Real processes for the e2e proof. Each service runs on a leash (see leash.mjs) so it cannot outlive the
 * test runner, even when the runner is SIGKILLed. A service is ready when it prints its JSON
 * `"msg":"listening"` line with the `url` it bound.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const LEASH = fileURLToPath(new URL('./leash.mjs', import.meta.url));
const MAX_LOG_CHARS = 200_000;

export interface ServiceSpec {
  name: string;
  /** Executable and args, e.g. `process.execPath`, `['packages/server/bin/capi-bridge.js', 'serve']`. */
  command: string;
  args: string[];
  env?: Record<string, string | undefined>;
  cwd?: string;
  readyTimeoutMs?: number;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Service {
  readonly name: string;
  readonly url: string;
  readonly port: number;
  /** Pid of the real program (not the leash). */
  readonly pid: number;
  readonly exited: Promise<ExitInfo>;
  /** stdout+stderr so far (bounded), for failure messages. */
  output(): string;
  /** Sends `signal` (default SIGTERM) to the program; SIGKILLs it after `graceMs`. Resolves once it exited. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<ExitInfo>;
  readonly spec: ServiceSpec;
}

const live = new Set<Service>();

export function parseListeningLine(line: string): string | undefined {
  if (!line.includes('"listening"')) return undefined;
  try {
    const parsed = JSON.parse(line) as { msg?: unknown; url?: unknown };
    if (parsed.msg === 'listening' && typeof parsed.url === 'string') return parsed.url;
  } catch {
    /* not JSON */
  }
  return undefined;
}

export async function startService(spec: ServiceSpec): Promise<Service> {
  const env: Record<string, string> = {};
  const merged: Record<string, string | undefined> = { ...process.env, ...spec.env };
  for (const [k, v] of Object.entries(merged)) if (v !== undefined) env[k] = v;
  const child: ChildProcess = spawn(process.execPath, [LEASH, String(process.pid), spec.command, ...spec.args], {
    cwd: spec.cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const append = (chunk: string) => {
    log += chunk;
    if (log.length > MAX_LOG_CHARS) log = log.slice(-MAX_LOG_CHARS);
  };
  const exited = new Promise<ExitInfo>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });

  let programPid: number | undefined;
  let url: string | undefined;
  let stdoutBuf = '';
  let stderrBuf = '';

  const ready = new Promise<void>((resolve, reject) => {
    const timeoutMs = spec.readyTimeoutMs ?? 30_000;
    const timer = setTimeout(() => {
      reject(new Error(`${spec.name} did not print a "listening" line within ${timeoutMs} ms. Output:\n${log}`));
    }, timeoutMs);
    const check = () => {
      if (url && programPid) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      append(chunk);
      stdoutBuf += chunk;
      let nl;
      while ((nl = stdoutBuf.indexOf('\n')) >= 0) {
        const line = stdoutBuf.slice(0, nl);
        stdoutBuf = stdoutBuf.slice(nl + 1);
        url ??= parseListeningLine(line);
      }
      check();
    });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      stderrBuf += chunk;
      let nl;
      while ((nl = stderrBuf.indexOf('\n')) >= 0) {
        const line = stderrBuf.slice(0, nl);
        stderrBuf = stderrBuf.slice(nl + 1);
        if (programPid === undefined && line.startsWith('{"leash"')) {
          programPid = (JSON.parse(line) as { pid: number }).pid;
        } else {
          append(`${line}\n`);
        }
      }
      check();
    });
    void exited.then((info) => {
      clearTimeout(timer);
      reject(new Error(`${spec.name} exited before listening (${JSON.stringify(info)}). Output:\n${log}`));
    });
  });

  try {
    await ready;
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }

  const pid = programPid!;
  const service: Service = {
    name: spec.name,
    url: url!.replace(/\/$/, ''),
    port: Number(new URL(url!).port),
    pid,
    exited,
    spec,
    output: () => log,
    async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000) {
      live.delete(service);
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      try {
        process.kill(pid, signal);
      } catch {
        /* gone already */
      }
      const timer = setTimeout(() => {
        try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
        child.kill('SIGKILL');
      }, graceMs);
      const info = await exited;
      clearTimeout(timer);
      return info;
    },
  };
  live.add(service);
  return service;
}

/** Restart a service with the same spec on the same port (e.g. after a SIGKILL). */
export function restartOnSamePort(old: Service, portEnv = 'PORT'): Promise<Service> {
  return startService({ ...old.spec, env: { ...old.spec.env, [portEnv]: String(old.port) } });
}

/** Stop every service still running (afterAll). */
export async function stopAll(): Promise<void> {
  await Promise.all([...live].map((s) => s.stop('SIGTERM', 5_000)));
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
