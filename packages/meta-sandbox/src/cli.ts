import { startSandbox, type SandboxOptions } from './start.js';

export interface CliParse { ok: true; options: SandboxOptions } 
type Parsed = CliParse | { ok: false; reason: string };

const list = (s: string): string[] => s.split(',').map((x) => x.trim()).filter((x) => x !== '');

/** Flags win over env: --port/PORT, --host, --tokens/META_SANDBOX_TOKENS, --pixels/META_SANDBOX_PIXELS,
 *  --app-secrets/META_SANDBOX_APP_SECRETS (token=secret,…), --max-events,
 *  --companion-url/META_SANDBOX_COMPANION_URL with --companion-key/META_SANDBOX_COMPANION_KEY. */
export function parseArgs(argv: string[], env: NodeJS.ProcessEnv): Parsed {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (!a.startsWith('--')) return { ok: false, reason: `unexpected argument ${a}` };
    const eq = a.indexOf('=');
    if (eq > 0) flags.set(a.slice(2, eq), a.slice(eq + 1));
    else {
      const v = argv[i + 1];
      if (v === undefined) return { ok: false, reason: `${a} needs a value` };
      flags.set(a.slice(2), v);
      i++;
    }
  }
  const known = new Set(['port', 'host', 'tokens', 'pixels', 'app-secrets', 'max-events', 'companion-url', 'companion-key']);
  for (const k of flags.keys()) if (!known.has(k)) return { ok: false, reason: `unknown flag --${k}` };
  const options: SandboxOptions = {};
  const port = flags.get('port') ?? env.PORT;
  if (port !== undefined) {
    if (!/^\d+$/.test(port) || Number(port) > 65535) return { ok: false, reason: '--port must be 0..65535' };
    options.port = Number(port);
  }
  const host = flags.get('host');
  if (host !== undefined) options.host = host;
  const tokens = flags.get('tokens') ?? env.META_SANDBOX_TOKENS;
  if (tokens !== undefined) options.tokens = list(tokens);
  const pixels = flags.get('pixels') ?? env.META_SANDBOX_PIXELS;
  if (pixels !== undefined) options.pixels = list(pixels);
  const secrets = flags.get('app-secrets') ?? env.META_SANDBOX_APP_SECRETS;
  if (secrets !== undefined) {
    const map: Record<string, string> = {};
    for (const pair of list(secrets)) {
      const i = pair.indexOf('=');
      if (i <= 0) return { ok: false, reason: '--app-secrets must be token=secret[,token=secret…]' };
      map[pair.slice(0, i)] = pair.slice(i + 1);
    }
    options.appSecrets = map;
  }
  const max = flags.get('max-events');
  if (max !== undefined) {
    if (!/^\d+$/.test(max) || Number(max) < 1) return { ok: false, reason: '--max-events must be a positive integer' };
    options.maxEvents = Number(max);
  }
  const companionUrl = flags.get('companion-url') ?? env.META_SANDBOX_COMPANION_URL;
  const companionKey = flags.get('companion-key') ?? env.META_SANDBOX_COMPANION_KEY;
  if (companionUrl !== undefined || companionKey !== undefined) {
    if (!companionUrl || !/^https?:\/\/[^/]/.test(companionUrl)) return { ok: false, reason: '--companion-url must be the capi-bridge server\'s http(s) base URL' };
    if (!companionKey) return { ok: false, reason: '--companion-key (one of the server\'s API_KEYS) is required with --companion-url' };
    options.companion = { url: companionUrl, key: companionKey };
  }
  return { ok: true, options };
}

export async function main(argv: string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const parsed = parseArgs(argv, env);
  if (!parsed.ok) {
    process.stderr.write(`${JSON.stringify({ level: 'error', msg: 'invalid arguments', reason: parsed.reason })}\n`);
    process.exitCode = 2;
    return;
  }
  const sandbox = await startSandbox(parsed.options);
  process.stdout.write(`${JSON.stringify({
    level: 'info', msg: 'listening', url: sandbox.url, service: 'meta-sandbox',
    tokens: parsed.options.tokens?.length ?? 1, pixels: parsed.options.pixels ?? 'any all-digit id',
    ...(parsed.options.companion ? { companion: parsed.options.companion.url } : {}),
  })}\n`);
  const stop = (): void => {
    void sandbox.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
