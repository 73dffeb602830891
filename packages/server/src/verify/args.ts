/** Command-line arguments of `capi-bridge verify`. Pure. */

export interface VerifyOptions {
  pageUrl: string;
  serverUrl: string;
  apiKey: string;
  journey?: string;
  /** How long to wait for trailing pixel hits and for the server's records, in ms. */
  waitMs: number;
  json: boolean;
  chromiumPath?: string;
}

export type ParsedArgs = { ok: true; options: VerifyOptions } | { ok: true; help: true } | { ok: false; error: string };

/** Every flag of `verify`, one per line (also listed by `capi-bridge --help`). */
export const VERIFY_FLAGS = `  --server    the companion server's base URL (where /v1/sent lives)
  --key       an API key of that server (or env CAPI_BRIDGE_API_KEY)
  --journey   ES module run after the page loaded; default export (page, context) => Promise<void>.
              Without it only the page load is seen: a consent banner usually holds every event.
  --wait      ms to wait for late pixel hits and server records (default 5000)
  --json      print the report as JSON instead of a table
  --chromium  chromium binary (default: env CHROMIUM_PATH, /usr/bin/chromium, /usr/bin/chromium-browser)
  -h, --help  this help`;

export const USAGE = `Usage: capi-bridge verify <page-url> --server <companion-url> --key <api-key>
                          [--journey <file.mjs>] [--wait <ms>] [--json] [--chromium <path>]

Opens <page-url> in headless chromium, runs the optional journey (a module whose default export is
\`async (page, context) => {}\`), records every Meta Pixel hit (eid, ev, fbp, fbc), then asks the companion
server (GET /v1/sent) what it sent for those event ids. Prints paired, browser-only, server-only,
event_name mismatch and fbp mismatch rows; a row the server dropped names the reason, the rule and the
keys present. A run with nothing to check says what likely blocked it (tag or fbevents.js not loaded,
forwards refused, a consent banner holding the events). Exit code 0 when every event is paired, 1
otherwise, 2 on a usage or runtime error.

${VERIFY_FLAGS}`;

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

export function parseVerifyArgs(argv: readonly string[], env: Record<string, string | undefined> = {}): ParsedArgs {
  const args = argv[0] === 'verify' ? argv.slice(1) : [...argv];
  const positional: string[] = [];
  const flags: Record<string, string | true> = {};
  const valued = new Set(['server', 'key', 'journey', 'wait', 'chromium']);
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-h' || a === '--help') return { ok: true, help: true };
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = a.slice(2, eq > 0 ? eq : undefined);
    if (name === 'json') {
      flags.json = true;
      continue;
    }
    if (!valued.has(name)) return { ok: false, error: `unknown option --${name}` };
    const value = eq > 0 ? a.slice(eq + 1) : args[++i];
    if (value === undefined || value === '') return { ok: false, error: `--${name} needs a value` };
    flags[name] = value;
  }
  if (positional.length !== 1) return { ok: false, error: positional.length ? `expected one page URL, got ${positional.length}` : 'missing <page-url>' };
  const pageUrl = positional[0]!;
  if (!isHttpUrl(pageUrl)) return { ok: false, error: `<page-url> must be an http(s) URL: ${pageUrl}` };
  const serverUrl = typeof flags.server === 'string' ? flags.server : undefined;
  if (!serverUrl) return { ok: false, error: '--server <companion-url> is required' };
  if (!isHttpUrl(serverUrl)) return { ok: false, error: `--server must be an http(s) URL: ${serverUrl}` };
  const apiKey = typeof flags.key === 'string' ? flags.key : env.CAPI_BRIDGE_API_KEY;
  if (!apiKey) return { ok: false, error: '--key <api-key> is required (or set CAPI_BRIDGE_API_KEY)' };
  let waitMs = 5000;
  if (typeof flags.wait === 'string') {
    waitMs = Number(flags.wait);
    if (!Number.isInteger(waitMs) || waitMs < 0 || waitMs > 600_000) return { ok: false, error: '--wait must be an integer number of ms from 0 to 600000' };
  }
  const options: VerifyOptions = { pageUrl, serverUrl: serverUrl.replace(/\/+$/, ''), apiKey, waitMs, json: flags.json === true };
  if (typeof flags.journey === 'string') options.journey = flags.journey;
  const chromium = typeof flags.chromium === 'string' ? flags.chromium : env.CHROMIUM_PATH;
  if (chromium) options.chromiumPath = chromium;
  return { ok: true, options };
}
