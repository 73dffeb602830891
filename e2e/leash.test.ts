/** The harness's leash: a child started by a process that dies by SIGKILL does not outlive it. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isAlive, parseListeningLine } from './support/procs.js';
import { waitFor } from './support/wait.js';

const LEASH = fileURLToPath(new URL('./support/leash.mjs', import.meta.url));

describe('leash', () => {
  it('kills the leashed program when the watched process is SIGKILLed', async () => {
    // A stand-in "test runner" that leashes a long-running program to itself, then prints the program's pid.
    const runnerCode = `
      const { spawn } = require('node:child_process');
      const c = spawn(process.execPath, [${JSON.stringify(LEASH)}, String(process.pid), process.execPath, '-e', 'setInterval(() => {}, 1000)'], { stdio: ['ignore', 'ignore', 'pipe'] });
      c.stderr.setEncoding('utf8').on('data', (d) => { const m = d.match(/"pid":(\\d+)/); if (m) console.log('PID ' + m[1]); });
      setInterval(() => {}, 1000);`;
    const runner = spawn(process.execPath, ['-e', runnerCode], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    runner.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    const pid = await waitFor(() => Number(/PID (\d+)/.exec(out)?.[1]) || undefined, { what: 'the leashed program pid' });
    expect(isAlive(pid)).toBe(true);
    runner.kill('SIGKILL');
    await waitFor(() => !isAlive(pid), { timeoutMs: 10_000, what: 'the orphaned program to be killed by its leash' });
  });

  it('parses only the JSON "listening" line', () => {
    expect(parseListeningLine('{"level":"info","msg":"listening","url":"http://127.0.0.1:1234"}')).toBe('http://127.0.0.1:1234');
    expect(parseListeningLine('{"msg":"listening"}')).toBeUndefined();
    expect(parseListeningLine('listening on http://x')).toBeUndefined();
    expect(parseListeningLine('{"msg":"not listening","url":"x"}')).toBeUndefined();
  });
});
