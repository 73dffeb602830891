#!/usr/bin/env node
// Runs a command on a leash: the command dies when the process that started us dies, even by SIGKILL
// (Linux has no portable parent-death signal from Node, so we poll). SIGTERM/SIGINT are forwarded, the
// child's real pid is announced on stderr so callers can SIGKILL the child itself, and we exit with it.
// Usage: node leash.mjs <watched-pid> <command> [args...]
import { spawn } from 'node:child_process';

const [watchedArg, command, ...args] = process.argv.slice(2);
const watched = Number(watchedArg);
if (!Number.isInteger(watched) || !command) {
  process.stderr.write('usage: node leash.mjs <watched-pid> <command> [args...]\n');
  process.exit(2);
}

const child = spawn(command, args, { stdio: 'inherit' });
process.stderr.write(`${JSON.stringify({ leash: 'child', pid: child.pid })}\n`);

for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP']) {
  process.on(sig, () => { try { child.kill(sig); } catch { /* already gone */ } });
}

const timer = setInterval(() => {
  try {
    process.kill(watched, 0);
  } catch {
    try { child.kill('SIGKILL'); } catch { /* already gone */ }
    process.exit(1);
  }
}, 300);
timer.unref();

child.on('exit', (code, signal) => {
  clearInterval(timer);
  process.exitCode = code ?? (signal ? 128 + (signal === 'SIGKILL' ? 9 : signal === 'SIGTERM' ? 15 : 1) : 1);
  // Let stdio drain, then leave.
  setImmediate(() => process.exit());
});
child.on('error', (err) => {
  process.stderr.write(`leash: cannot start ${command}: ${err.message}\n`);
  process.exit(127);
});
