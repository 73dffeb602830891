#!/usr/bin/env node
import { main } from '../dist/cli.js';

main().catch((err) => {
  process.stderr.write(`${JSON.stringify({ level: 'error', msg: 'meta-sandbox failed to start', error: String(err && err.message ? err.message : err) })}\n`);
  process.exit(1);
});
