// Preload for profiling a spawned server (`--cpu-prof` is refused in NODE_OPTIONS):
// NODE_OPTIONS="--import <this file>" CPU_PROF_DIR=<dir> → <dir>/<pid>.cpuprofile written at exit.
import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.env.CPU_PROF_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 200 });
  session.post('Profiler.start');
  // Same-thread inspector sessions answer synchronously, so this works inside 'exit'.
  process.on('exit', () => {
    session.post('Profiler.stop', (err, res) => {
      if (!err) writeFileSync(join(dir, `${process.pid}.cpuprofile`), JSON.stringify(res.profile));
    });
  });
}
