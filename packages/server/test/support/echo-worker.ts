/**
 * A worker entry for the supervised-worker tests: `workerData.fatal` makes it refuse to start; requests
 * `echo` (answered), `hang` (never answered) and `exit` (the thread exits with code 3).
 */
import { parentPort, workerData } from 'node:worker_threads';

const port = parentPort!;
const init = workerData as { fatal?: string };
if (init.fatal !== undefined) {
  port.postMessage({ id: 0, fatal: init.fatal });
} else {
  port.on('message', (m: { id: number; op: 'echo' | 'hang' | 'exit'; value?: unknown }) => {
    if (m.op === 'echo') port.postMessage({ id: m.id, value: m.value });
    else if (m.op === 'exit') process.exit(3);
  });
  port.postMessage({ id: 0, ready: true });
}
