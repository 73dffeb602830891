/** `capi-bridge verify`: checks on a live page that every browser pixel event has its server twin. */
import { USAGE, parseVerifyArgs, type VerifyOptions } from './args.js';
import { VerifySetupError, loadJourney, recordVisit } from './browser.js';
import { compare } from './compare.js';
import { explainEmptyRun } from './diagnose.js';
import { SentLookupError, fetchSent } from './sent-client.js';
import { renderTable } from './table.js';
import type { SentRecord, VerifyReport } from './types.js';

export interface VerifyIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  env: Record<string, string | undefined>;
}

const defaultIo: VerifyIo = {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  env: process.env,
};

/** Asks the server about every id until each has a record or the deadline passes. */
async function lookupAll(options: VerifyOptions, ids: string[]): Promise<Map<string, SentRecord[]>> {
  const sent = new Map<string, SentRecord[]>();
  const deadline = Date.now() + options.waitMs;
  for (;;) {
    const pending = ids.filter((id) => !(sent.get(id)?.length));
    for (const id of pending) sent.set(id, await fetchSent(options.serverUrl, options.apiKey, id));
    const missing = ids.filter((id) => !(sent.get(id)?.length));
    if (missing.length === 0 || Date.now() >= deadline) return sent;
    await new Promise((r) => setTimeout(r, 250));
  }
}

export async function verify(options: VerifyOptions): Promise<VerifyReport> {
  const journey = options.journey ? await loadJourney(options.journey) : undefined;
  const recording = await recordVisit({ pageUrl: options.pageUrl, journey, waitMs: options.waitMs, chromiumPath: options.chromiumPath });
  const ids = new Set<string>(recording.forwardedIds);
  for (const hit of recording.hits) if (hit.eventId) ids.add(hit.eventId);
  const sent = await lookupAll(options, [...ids]);
  const report = compare(recording.hits, sent, recording.forwardedIds);
  if (report.rows.length === 0) report.hints = explainEmptyRun(recording.facts);
  return report;
}

export async function runVerifyCli(argv: string[], io: VerifyIo = defaultIo): Promise<number> {
  const parsed = parseVerifyArgs(argv, io.env);
  if (!parsed.ok) {
    io.stderr(`capi-bridge verify: ${parsed.error}\n\n${USAGE}\n`);
    return 2;
  }
  if ('help' in parsed) {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  try {
    const report = await verify(parsed.options);
    io.stdout(parsed.options.json ? `${JSON.stringify(report, null, 2)}\n` : `${renderTable(report)}\n`);
    return report.ok ? 0 : 1;
  } catch (err) {
    const known = err instanceof VerifySetupError || err instanceof SentLookupError;
    const message = err instanceof Error ? err.message : String(err);
    // Never echo the API key, even if some library put the request headers in its message.
    io.stderr(`capi-bridge verify: ${known ? '' : 'failed: '}${message.split(parsed.options.apiKey).join('[redacted]')}\n`);
    return 2;
  }
}
