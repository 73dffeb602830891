import { Worker } from 'node:worker_threads';

/**
 * Starts the worker entry `name` that sits next to `callerUrl` (the caller's `import.meta.url`): built, the
 * `.js` file; from TS sources (vitest, tsx), a one-line eval entry registers tsx's loader in the worker and
 * then imports the `.ts` file (Node 20 will not start a `.ts` worker entry by itself, even with `--import tsx`
 * in `execArgv`). Workers inherit the process's execArgv minus `--input-type` (refused in a worker).
 */
export function startWorker(callerUrl: string, name: string, workerData: unknown): Worker {
  const execArgv = process.execArgv.filter((a) => !a.startsWith('--input-type'));
  if (!callerUrl.endsWith('.ts')) return new Worker(new URL(`./${name}.js`, callerUrl), { workerData, execArgv });
  const entry = new URL(`./${name}.ts`, callerUrl).href;
  const code = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(code, { eval: true, workerData, execArgv });
}
