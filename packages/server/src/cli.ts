import { parseArgs } from 'node:util';
import { readEnv } from './config/env.js';
import { loadConfig } from './config/load.js';
import { ConfigError } from './config/resolve.js';
import { VERIFY_FLAGS } from './verify/args.js';
import { runDeadLetters } from './dead-letters-cli.js';
import { startServer } from './server.js';

const USAGE = `usage: capi-bridge <command>
  serve [--config file.json] [--port n]           start the companion server (env: see README)
  dead-letters list [--destination id] [--limit n] [--json] [--config file.json]
  dead-letters replay [--destination id] [--id a,b] [--config file.json]
  verify <page-url> --server <url> --key <api key> [--journey file.mjs] [--wait ms] [--json] [--chromium path]
                                                  check browser/server dedup of a live page

verify options (capi-bridge verify --help for more):
${VERIFY_FLAGS}`;

function fail(message: string, code = 2): never {
  process.stderr.write(`capi-bridge: ${message}\n`);
  process.exit(code);
}

async function serve(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { config: { type: 'string' }, port: { type: 'string' } }, strict: true });
  const env = readEnv();
  if (values.port !== undefined) env.PORT = values.port;
  const config = loadConfig(env, values.config);
  const server = await startServer(config);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    server.logger.info({ signal }, 'shutting down');
    server.close().then(() => process.exit(0), (e: Error) => {
      server.logger.error({ err: e.message }, 'shutdown failed');
      process.exit(1);
    });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

async function deadLetters(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true, strict: true,
    options: { config: { type: 'string' }, destination: { type: 'string' }, id: { type: 'string', multiple: true }, limit: { type: 'string' }, json: { type: 'boolean' } },
  });
  const action = positionals[0];
  if (action !== 'list' && action !== 'replay') fail(`dead-letters: expected list or replay, got ${JSON.stringify(action ?? '')}\n${USAGE}`);
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) fail(`--limit: expected a positive integer, got ${JSON.stringify(values.limit)}`);
  const config = loadConfig(readEnv(), values.config, false);
  const out = await runDeadLetters(config, {
    action,
    ...(values.destination ? { destination: values.destination } : {}),
    ...(values.id ? { ids: values.id.flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean) } : {}),
    ...(limit !== undefined ? { limit } : {}),
    ...(values.json ? { json: true } : {}),
  });
  process.stdout.write(`${out}\n`);
}

async function verify(argv: string[]): Promise<void> {
  // Loaded only when used (serve and dead-letters never need it).
  const { runVerifyCli } = await import('./verify/cli.js');
  process.exitCode = await runVerifyCli(argv);
}

export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case 'serve':
        await serve(rest);
        return;
      case 'dead-letters':
        await deadLetters(rest);
        return;
      case 'verify':
        await verify(rest);
        return;
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        process.stdout.write(`${USAGE}\n`);
        return;
      default:
        fail(`unknown command ${JSON.stringify(cmd)}\n${USAGE}`);
    }
  } catch (e) {
    if (e instanceof ConfigError) fail(`configuration error: ${e.message}`);
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' || err.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
      fail(`${err.message}\n${USAGE}`);
    }
    fail(`${err.message}`, 1);
  }
}
